@_extern(c, "swiftlet_x86_gdt_address") func gdtAddress() -> UInt64
@_extern(c, "swiftlet_x86_tss_address") func tssAddress() -> UInt64
@_extern(c, "swiftlet_x86_store_gdt") func storeGDT(_ pointer: UnsafeMutableRawPointer)

/// The global descriptor table and the task-state segment. Long mode barely
/// uses segments, but it needs code and data descriptors for each privilege
/// level, in the order `syscall`/`sysret` derive them from the STAR MSR, and
/// a TSS for the stacks the processor switches to: RSP0 when an interrupt
/// arrives from user mode, and the interrupt stack table (IST) entries that
/// the IDT names for faults which must not run on the faulting stack.
///
/// Each CPU has its own GDT and TSS (cpu.S keeps one pair per CPU index, so
/// each CPU's stacks are its own; a busy TSS cannot be loaded twice). The
/// accessors below reach the running CPU's through its GDTR. Only the CPU
/// itself writes its pair.
enum Descriptors {
    // Selectors (index * 8 | requested privilege level).
    static let kernelCode: UInt16 = 0x08
    static let kernelData: UInt16 = 0x10
    /// `sysret` to 32-bit mode would use this; Swiftlet never does, but the
    /// slot fixes where the others are. Its descriptor is not present: a
    /// far jump, far call, far return or iretq to it faults (#NP), so user
    /// code never runs in compatibility mode, where `syscall` would enter the
    /// kernel through CSTAR and segments mean something again.
    static let userCode32: UInt16 = 0x18 | 3
    /// `sysret` loads SS from STAR's user base + 8 and CS from base + 16.
    static let userData: UInt16 = 0x20 | 3
    static let userCode: UInt16 = 0x28 | 3
    static let taskState: UInt16 = 0x30

    /// STAR: `syscall` loads CS = bits 47:32 and SS = that + 8 (kernel code,
    /// kernel data); `sysret` loads CS = bits 63:48 + 16 and SS = that + 8
    /// (user code, user data).
    static var star: UInt64 { UInt64(userCode32) << 48 | UInt64(kernelCode) << 32 }

    private static let entryCount = 8
    private static let tssBytes: UInt64 = 104
    /// cpu.S's spacing of the per-CPU TSSs.
    private static let tssStride: UInt64 = 112

    /// This CPU's GDT, from its GDTR.
    private static var gdt: UnsafeMutablePointer<UInt64> {
        var pointer = DescriptorTablePointer(limit: 0, base: 0)
        withUnsafeMutableBytes(of: &pointer.bytes) { storeGDT($0.baseAddress!) }
        return UnsafeMutablePointer(bitPattern: UInt(pointer.base))!
    }

    /// This CPU's TSS, from the base in its GDT's TSS descriptor.
    private static var tss: UnsafeMutableRawPointer {
        let table = gdt
        let base = table[6] >> 16 & 0xFF_FFFF | (table[6] >> 56 & 0xFF) << 24 | table[7] << 32
        return UnsafeMutableRawPointer(bitPattern: UInt(base))!
    }

    /// Fills CPU `cpu`'s GDT and TSS, loads them and reloads every segment
    /// register. The TSS's stacks are set separately (`setInterruptStack`,
    /// `setPrivilegeStack`), once this CPU runs on these tables.
    static func install(cpu: Int) {
        precondition(cpu >= 0 && cpu < CPUs.capacity, "CPU index out of range")
        let gdt = UnsafeMutablePointer<UInt64>(bitPattern: UInt(gdtAddress()))! + cpu * entryCount
        let base = tssAddress() + UInt64(cpu) * tssStride
        let tss = UnsafeMutableRawPointer(bitPattern: UInt(base))!
        gdt[0] = 0
        gdt[1] = 0x0020_9A00_0000_0000  // present, ring 0, code, long mode
        gdt[2] = 0x0000_9200_0000_0000  // present, ring 0, data, writable
        gdt[3] = 0x00CF_7A00_0000_FFFF  // NOT present, ring 3, 32-bit code, 4 GiB
        gdt[4] = 0x0000_F200_0000_0000  // present, ring 3, data, writable
        gdt[5] = 0x0020_FA00_0000_0000  // present, ring 3, code, long mode

        tss.initializeMemory(as: UInt8.self, repeating: 0, count: Int(tssBytes))
        // No I/O permission bitmap: its offset points past the segment's end.
        tss.storeBytes(of: UInt16(tssBytes), toByteOffset: 102, as: UInt16.self)
        let limit = tssBytes - 1
        // A 16-byte system descriptor: type 9 (available 64-bit TSS), present.
        gdt[6] = limit & 0xFFFF | (base & 0xFF_FFFF) << 16 | 0x89 << 40 | (limit >> 16 & 0xF) << 48 | (base >> 24 & 0xFF) << 56
        gdt[7] = base >> 32

        var pointer = DescriptorTablePointer(limit: UInt16(entryCount * 8 - 1), base: UInt64(UInt(bitPattern: gdt)))
        withUnsafeBytes(of: &pointer.bytes) { loadGDT($0.baseAddress!, code: UInt64(kernelCode), data: UInt64(kernelData)) }
        loadTaskRegister(taskState)
        writeMSR(MSR.star, star)
    }

    /// A data-segment selector a user program can load itself, so one its
    /// saved state may hold: null (any requested privilege), user data, or
    /// the user code segment (readable code loads into ds/es/fs/gs too).
    static func userLoadable(_ selector: UInt64) -> Bool {
        selector <= 3 || selector == UInt64(userData) || selector == UInt64(userCode)
    }

    /// Every descriptor a selector from ring 3 can name, with the privilege
    /// and presence that decide what ring 3 can do with it, for the boot
    /// check that no way into ring 0 or compatibility mode is left open.
    static func descriptor(_ index: Int) -> UInt64 { gdt[index] }
    static var count: Int { entryCount }

    /// The stack the processor switches to on an interrupt from user mode.
    static func setPrivilegeStack(top: UInt64) {
        tss.storeBytes(of: top, toByteOffset: 4, as: UInt64.self)
    }

    static var privilegeStack: UInt64 {
        tss.loadUnaligned(fromByteOffset: 4, as: UInt64.self)
    }

    /// Interrupt stack table entry `index` (1...7).
    static func setInterruptStack(_ index: Int, top: UInt64) {
        precondition(index >= 1 && index <= 7, "IST index out of range")
        tss.storeBytes(of: top, toByteOffset: 36 + 8 * (index - 1), as: UInt64.self)
    }

    static func interruptStack(_ index: Int) -> UInt64 {
        tss.loadUnaligned(fromByteOffset: 36 + 8 * (index - 1), as: UInt64.self)
    }
}

/// The 10-byte operand of `lgdt` and `lidt`: a 16-bit limit (size - 1), then
/// the table's 64-bit address.
struct DescriptorTablePointer {
    var bytes = InlineArray<10, UInt8>(repeating: 0)

    /// The table's address (bytes 2...9).
    var base: UInt64 {
        var value: UInt64 = 0
        for index in 0..<8 { value |= UInt64(bytes[2 + index]) << (8 * UInt64(index)) }
        return value
    }

    init(limit: UInt16, base: UInt64) {
        bytes[0] = UInt8(limit & 0xFF)
        bytes[1] = UInt8(limit >> 8)
        for index in 0..<8 { bytes[2 + index] = UInt8(truncatingIfNeeded: base >> (8 * UInt64(index))) }
    }
}
