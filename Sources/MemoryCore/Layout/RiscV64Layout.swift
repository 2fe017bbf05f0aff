/// The xv6 memory layout on RISC-V Sv39 (QEMU `virt`), as stated in the
/// specification (seeds/004): every constant here is a requirement.
public enum RiscV64Layout {
    public static let pageSize: UInt64 = 4096
    /// One bit less than Sv39 allows, so addresses never need sign extension.
    public static let maxVA: UInt64 = 1 << (9 + 9 + 9 + 12 - 1)
    /// Highest page of every address space, kernel and user alike.
    public static let trampoline: UInt64 = maxVA - pageSize
    /// The page below the trampoline in each process: its saved registers.
    public static let trapFrame: UInt64 = trampoline - pageSize
    public static let processSlots = 64
    /// Kernel stack of process slot `p`, one page, with an unmapped guard page below it.
    public static func kernelStack(_ p: Int) -> UInt64 { trampoline - UInt64(p + 1) * 2 * pageSize }

    // The kernel image's guarded stacks (Kernel/Arch/riscv64/stacks.S, which
    // the boot checks against these): from `KernelImage.guardedStacks`, one
    // boot stack per hart (hart 0's is the scheduler's stack afterwards), the
    // scratch stack, one fault stack per hart; each above an unmapped guard page.
    public static let maxHarts = 8
    public static let bootStackBytes: UInt64 = 32 * 1024
    public static let scratchStackBytes: UInt64 = 16 * 1024
    public static let faultStackBytes: UInt64 = 16 * 1024
    /// Bytes of each region, guards included.
    public static let bootStacksBytes = UInt64(maxHarts) * (pageSize + bootStackBytes)
    public static let faultStacksBytes = UInt64(maxHarts) * (pageSize + faultStackBytes)
    public static let guardedStacksBytes = bootStacksBytes + pageSize + scratchStackBytes + faultStacksBytes

    // Physical memory of the `virt` machine.
    public static let bootROM: UInt64 = 0x1000
    public static let clint: UInt64 = 0x0200_0000
    public static let clintSize: UInt64 = 0x1_0000
    public static let plic: UInt64 = 0x0C00_0000
    /// The part of the PLIC the kernel maps: priorities, pending bits and the
    /// enable, threshold and claim registers of the first harts' contexts.
    public static let plicSize: UInt64 = 0x40_0000
    public static let uart0: UInt64 = 0x1000_0000
    public static let uart0IRQ: UInt32 = 10
    public static let virtio0: UInt64 = 0x1000_1000
    public static let virtio0IRQ: UInt32 = 1
    /// Where RAM starts and the boot ROM jumps; the kernel is loaded here.
    public static let kernelBase: UInt64 = 0x8000_0000
    /// End of the RAM the kernel uses: 128 MiB after KERNBASE.
    public static let physicalTop: UInt64 = kernelBase + 128 * 1024 * 1024

    // PLIC registers for supervisor contexts.
    public static let plicPending: UInt64 = plic + 0x1000
    public static func plicSupervisorEnable(hart: Int) -> UInt64 { plic + 0x2080 + UInt64(hart) * 0x100 }
    public static func plicSupervisorPriority(hart: Int) -> UInt64 { plic + 0x20_1000 + UInt64(hart) * 0x2000 }
    public static func plicSupervisorClaim(hart: Int) -> UInt64 { plic + 0x20_1004 + UInt64(hart) * 0x2000 }

    /// The kernel's address space: devices and RAM mapped at their physical
    /// addresses, kernel stacks with guards, the trampoline at the top.
    public static func kernelSpace(_ image: KernelImage) -> LayoutTable {
        var table = LayoutTable(name: "riscv64 kernel (Sv39, xv6 layout)")
        table.add(LayoutRegion("PLIC", span(plic, size: plicSize), .direct(PhysicalAddress(plic)), .readWrite, owner: .kernel))
        table.add(LayoutRegion("UART0", span(uart0, size: pageSize), .direct(PhysicalAddress(uart0)), .readWrite, owner: .kernel))
        table.add(LayoutRegion("VIRTIO0", span(virtio0, size: pageSize), .direct(PhysicalAddress(virtio0)), .readWrite, owner: .kernel))
        table.add(LayoutRegion("kernel text", span(kernelBase, to: image.textEnd.raw), .direct(PhysicalAddress(kernelBase)), .readExecute, owner: .kernel))
        let dataEnd = image.guardedStacks?.raw ?? image.end.raw
        table.add(LayoutRegion("kernel data", span(image.textEnd.raw, to: dataEnd), .direct(PhysicalAddress(image.textEnd.raw)), .readWrite, owner: .kernel))
        if let stacks = image.guardedStacks?.raw { addGuardedStacks(at: stacks, to: &table) }
        table.add(LayoutRegion("free RAM", span(image.end.raw, to: physicalTop), .direct(PhysicalAddress(image.end.raw)), .readWrite, owner: .kernel))
        let stacksStart = kernelStack(processSlots - 1) - pageSize
        table.add(
            LayoutRegion(
                "kernel stacks", span(stacksStart, to: trapFrame), .frames, .readWrite, owner: .kernel,
                slots: GuardedSlots(count: processSlots, guardBytes: pageSize)))
        table.add(LayoutRegion("trampoline", span(trampoline, size: pageSize), .direct(image.trampoline), .readExecute, owner: .kernel))
        return table
    }

    /// The image's guarded stacks, in stacks.S's order, mapped at their
    /// physical addresses like the rest of the image but for the guards.
    static func addGuardedStacks(at start: UInt64, to table: inout LayoutTable) {
        let guarded = GuardedSlots(count: maxHarts, guardBytes: pageSize)
        let scratchGuard = start + bootStacksBytes
        let scratch = scratchGuard + pageSize
        let faultStacks = scratch + scratchStackBytes
        table.add(
            LayoutRegion("boot stacks", span(start, size: bootStacksBytes), .direct(PhysicalAddress(start)), .readWrite, owner: .kernel, slots: guarded))
        table.add(LayoutRegion("scratch stack guard", span(scratchGuard, size: pageSize), .guardPage, owner: .kernel))
        table.add(LayoutRegion("scratch stack", span(scratch, size: scratchStackBytes), .direct(PhysicalAddress(scratch)), .readWrite, owner: .kernel))
        table.add(
            LayoutRegion(
                "fault stacks", span(faultStacks, size: faultStacksBytes), .direct(PhysicalAddress(faultStacks)), .readWrite, owner: .kernel,
                slots: guarded))
    }

    /// Every process's address space: xv6's user order from zero (text,
    /// data, guard page, stack, heap), then the trap frame and the trampoline.
    public static func userSpace(_ image: KernelImage) -> LayoutTable {
        var table = LayoutTable(name: "riscv64 process (Sv39, xv6 layout)")
        table.add(LayoutRegion("user (text, data, guard, stack, heap)", span(0, to: trapFrame), .window, .read | .write | .execute | .user, owner: .user))
        table.add(LayoutRegion("trap frame", span(trapFrame, size: pageSize), .frames, .readWrite, owner: .process))
        table.add(LayoutRegion("trampoline", span(trampoline, size: pageSize), .direct(image.trampoline), .readExecute, owner: .kernel))
        return table
    }
}
