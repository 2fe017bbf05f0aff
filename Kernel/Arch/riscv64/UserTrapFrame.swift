/// The trap frame page of a process: user registers saved by the
/// trampoline's uservec, and what uservec needs to enter the kernel. The
/// offsets are fixed by Trampoline.S: x_n at 8*n, then the kernel fields
/// (the boot check, FrameLayoutCheck, holds this struct to them).
struct UserTrapFrame: UserRegisterFile {
    /// x0...x31; slot 0 is unused (x0 is always zero).
    var registers: InlineArray<32, UInt64>
    /// Kernel page table (satp value) uservec switches to.
    var kernelSatp: UInt64
    /// Top of this process's kernel stack.
    var kernelStack: UInt64
    /// Address of `swiftlet_user_trap`.
    var kernelTrap: UInt64
    /// User pc: saved from sepc at a trap, restored to sepc on return.
    var userPC: UInt64
    /// This hart's `CPURecord`, loaded into tp by uservec (the user's tp is
    /// saved with the other registers).
    var cpuRecord: UInt64

    private static let a0 = 10, a7 = 17, sp = 2

    var syscallNumber: UInt64 { registers[Self.a7] }
    func argument(_ index: Int) -> UInt64 { registers[Self.a0 + index] }
    var result: UInt64 {
        get { registers[Self.a0] }
        set { registers[Self.a0] = newValue }
    }
    var programCounter: UInt64 {
        get { userPC }
        set { userPC = newValue }
    }
    var stackPointer: UInt64 {
        get { registers[Self.sp] }
        set { registers[Self.sp] = newValue }
    }
    /// `ecall` is 4 bytes (it has no compressed form).
    mutating func advancePastSystemCall() { userPC += 4 }

    mutating func start(entry: VirtualAddress, stack: VirtualAddress, argc: UInt64, argv: VirtualAddress) {
        registers = .init(repeating: 0)
        userPC = entry.raw
        registers[Self.sp] = stack.raw
        registers[Self.a0] = argc
        registers[Self.a0 + 1] = argv.raw
    }
}
