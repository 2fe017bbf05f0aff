@_extern(c, "swiftlet_user_frame_offsets_address") func userFrameOffsetsAddress() -> UnsafePointer<UInt64>
@_extern(c, "swiftlet_kernel_frame_offsets_address") func kernelFrameOffsetsAddress() -> UnsafePointer<UInt64>

/// The boot check that the Swift frames and the assembly agree: the
/// offsets Trampoline.S uses for UserTrapFrame (x1's slot, kernel satp,
/// kernel stack, kernel trap, CPU record) and the size and slots trap.S uses for
/// TrapFrame. Each file exports its numbers; a difference stops the boot,
/// naming the field.
enum FrameLayoutCheck {
    static func verify() {
        let user = userFrameOffsetsAddress()
        expect(FieldOffsets.find(in: UserTrapFrame.self) { $0.registers[1] = ~0 }, user[0], "UserTrapFrame x1")
        expect(FieldOffsets.find(in: UserTrapFrame.self) { $0.kernelSatp = ~0 }, user[1], "UserTrapFrame.kernelSatp")
        expect(FieldOffsets.find(in: UserTrapFrame.self) { $0.kernelStack = ~0 }, user[2], "UserTrapFrame.kernelStack")
        expect(FieldOffsets.find(in: UserTrapFrame.self) { $0.kernelTrap = ~0 }, user[3], "UserTrapFrame.kernelTrap")
        expect(FieldOffsets.find(in: UserTrapFrame.self) { $0.cpuRecord = ~0 }, user[4], "UserTrapFrame.cpuRecord")
        let kernel = kernelFrameOffsetsAddress()
        expect(MemoryLayout<TrapFrame>.size, kernel[0], "TrapFrame size")
        expect(FieldOffsets.find(in: TrapFrame.self) { $0.sepc = ~0 }, kernel[1], "TrapFrame.sepc")
        expect(FieldOffsets.find(in: TrapFrame.self) { $0.sstatus = ~0 }, kernel[2], "TrapFrame.sstatus")
        expect(FieldOffsets.find(in: TrapFrame.self) { $0.registers[1] = ~0 }, kernel[3], "TrapFrame x1")
        Console.line("trap frames  UserTrapFrame matches Trampoline.S, TrapFrame matches trap.S")
    }

    private static func expect(_ found: Int?, _ assembled: UInt64, _ field: StaticString) {
        guard let found, UInt64(found) == assembled else {
            Console.write(field)
            Console.write(": Swift's offset differs from the assembly's ")
            Console.write(decimal: assembled)
            Console.newline()
            kernelPanic("a trap frame's Swift layout does not match its assembly")
        }
    }
}
