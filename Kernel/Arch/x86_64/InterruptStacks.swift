@_extern(c, "swiftlet_x86_early_interrupt_stacks_address") func earlyInterruptStacksAddress() -> UInt64

/// The stacks the processor switches to by itself, from the TSS: one per
/// interrupt-stack-table entry the IDT uses, and RSP0 for interrupts from
/// user mode. The IST stacks live in the layout's "interrupt stacks" region,
/// seven slots of 128 KiB each above an unmapped 4 KiB guard page; slot n serves:
///   0  the boot processor's kernel stack once paging is on (kernelMain and
///      the scheduler run here)
///   1  IST1, double fault
///   2  IST2, NMI
///   3  IST3, machine check
///   4  IST4, page fault
///   5  the scratch stack (ScratchStack: exec, fault reports, memory maps)
///   6  spare
/// RSP0 is the top of the process kernel stack: the same address in every
/// process, each mapping its own frames there, so it never changes.
/// Before the kernel's page tables map those, small stacks in .bss (entry.S)
/// stand in for the IST entries and the boot stack for RSP0.
enum InterruptStacks {
    static let kernelSlot = 0
    static let scratchSlot = 5
    /// The IST entries in use, 1 through this; entry n lives in slot n.
    static let istEntries = 4

    /// Bytes of each stack in use now (the early ones are smaller).
    nonisolated(unsafe) private(set) static var stackBytes: UInt64 = 16384

    static func useEarlyStacks() {
        let base = earlyInterruptStacksAddress()
        stackBytes = 16384
        for index in 1...istEntries { Descriptors.setInterruptStack(index, top: base + UInt64(index) * stackBytes) }
        Descriptors.setPrivilegeStack(top: bootStackTop())
    }

    /// Points the TSS at the layout's slots (their pages must be mapped) and
    /// RSP0 at the process kernel stack (mapped in each process's space; no
    /// interrupt comes from user mode before a process runs).
    /// The scratch stack's slot, once `useLayoutStacks` has run. Written
    /// once at boot, read-only after; who runs on it is `ScratchStack.lock`'s
    /// business.
    nonisolated(unsafe) private(set) static var scratch: UnsafeMutableRawBufferPointer? = nil

    static func useLayoutStacks(_ region: LayoutRegion) {
        stackBytes = region.slot(0).size
        let slot = region.slot(scratchSlot)
        scratch = UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(bitPattern: UInt(slot.start.raw)), count: Int(slot.size))
        for index in 1...istEntries { Descriptors.setInterruptStack(index, top: region.slot(index).end.raw) }
        Descriptors.setPrivilegeStack(top: ProcessKernelStack.top)
    }

    /// The IST entry whose stack holds `address`, if any.
    static func istEntry(containing address: UInt64) -> Int? {
        for index in 1...istEntries {
            let top = Descriptors.interruptStack(index)
            if top != 0 && address < top && address >= top - stackBytes { return index }
        }
        return nil
    }

    /// What the stack in `slot` of the region is, for fault reports.
    static func name(ofSlot slot: UInt64) -> StaticString {
        switch slot {
        case UInt64(kernelSlot): return "the kernel stack (boot and scheduler)"
        case UInt64(InterruptStackIndex.doubleFault): return "the double-fault stack"
        case UInt64(InterruptStackIndex.nonMaskable): return "the NMI stack"
        case UInt64(InterruptStackIndex.machineCheck): return "the machine-check stack"
        case UInt64(InterruptStackIndex.pageFault): return "the page-fault stack"
        case UInt64(scratchSlot): return "the scratch stack"
        default: return "a spare stack"
        }
    }
}
