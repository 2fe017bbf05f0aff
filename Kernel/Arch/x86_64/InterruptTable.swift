@_extern(c, "swiftlet_x86_idt_address") func idtAddress() -> UInt64

/// Interrupt vector numbers Swiftlet uses. 0-31 are the processor's
/// exceptions; devices get vectors from 32 up.
enum Vector {
    static let breakpoint: UInt64 = 3
    static let nonMaskable: UInt64 = 2
    static let doubleFault: UInt64 = 8
    static let generalProtection: UInt64 = 13
    static let pageFault: UInt64 = 14
    static let machineCheck: UInt64 = 18
    /// The local APIC timer.
    static let timer: UInt64 = 32
    /// COM1's receive interrupt, through the I/O APIC.
    static let serial: UInt64 = 36
    /// The virtio-blk disk's MSI-X message (`X86_64Disk`).
    static let disk: UInt64 = 37
    /// The one inter-processor interrupt (`X86_64.interruptCPU`), for every
    /// reason another CPU has: a TLB shootdown request (`TLBShootdown`),
    /// ending an idle wait because a process became runnable
    /// (`Scheduler.wakeIdleCPUs`) or was killed where it runs, and waking a
    /// waiting application processor (`startOtherCPUs`). The handler
    /// serves whatever waits for it. Above every device vector, so a
    /// waiting shootdown initiator is answered first.
    static let crossCPU: UInt64 = 0xF0
    /// The 8259 PICs are remapped here and masked; only their spurious
    /// interrupts (IRQ 7 and 15) can still arrive.
    static let legacyPICBase: UInt64 = 0xE0
    /// The local APIC's spurious-interrupt vector (low four bits all ones).
    static let spurious: UInt64 = 0xFF
}

/// Which interrupt-stack-table entry (1...7) each vector uses; 0 = stay on
/// the current stack. Faults that can strike when the current stack is
/// unusable (a double fault, a page fault from a stack overflow) or at any
/// moment (NMI, machine check) get a known-good stack of their own.
enum InterruptStackIndex {
    static let doubleFault = 1
    static let nonMaskable = 2
    static let machineCheck = 3
    static let pageFault = 4

    static func forVector(_ vector: UInt64) -> Int {
        switch vector {
        case Vector.doubleFault: return doubleFault
        case Vector.nonMaskable: return nonMaskable
        case Vector.machineCheck: return machineCheck
        case Vector.pageFault: return pageFault
        default: return 0
        }
    }
}

/// The interrupt descriptor table: 256 interrupt gates, each pointing at its
/// stub in vectors.S (16 bytes apart), all into the kernel code segment.
enum InterruptTable {
    private static let stubBytes: UInt64 = 16
    private static let gateCount = 256

    static func install() {
        let idt = UnsafeMutablePointer<UInt64>(bitPattern: UInt(idtAddress()))!
        let stubs = vectorStubsAddress()
        for vector in 0..<gateCount {
            let handler = stubs + UInt64(vector) * stubBytes
            let ist = UInt64(InterruptStackIndex.forVector(UInt64(vector)))
            // Present, type 0xE (interrupt gate: interrupts stay off in the
            // handler until it returns), ring 0 only, but `int3` may be used
            // from user mode (ring 3), so a user breakpoint is reported as one
            // rather than as a protection fault.
            let attributes: UInt64 = UInt64(vector) == Vector.breakpoint ? 0xEE : 0x8E
            idt[2 * vector] =
                handler & 0xFFFF | UInt64(Descriptors.kernelCode) << 16 | ist << 32
                | attributes << 40 | (handler >> 16 & 0xFFFF) << 48
            idt[2 * vector + 1] = handler >> 32
        }
        load()
    }

    /// Loads the table on this CPU: every CPU shares the one the boot
    /// processor filled (the IST numbers in it name each CPU's own stacks,
    /// through each CPU's TSS).
    static func load() {
        var pointer = DescriptorTablePointer(limit: UInt16(gateCount * 16 - 1), base: idtAddress())
        withUnsafeBytes(of: &pointer.bytes) { loadIDT($0.baseAddress!) }
    }
}
