/// The kernel's own stacks, each above an unmapped guard page (stacks.S;
/// the layout draws them in `RiscV64Layout.addGuardedStacks`): where they
/// are, the boot check that the assembly sits where the layout says, the
/// name a fault report gives a guard, and the self-check that every guard
/// page of the kernel's layout faults.
enum GuardedStacks {
    /// Top of hart `hart`'s fault stack.
    static func faultStackTop(hart: Int) -> UInt64 {
        faultStacksStart() + UInt64(hart + 1) * (RiscV64Layout.pageSize + RiscV64Layout.faultStackBytes)
    }

    /// The scratch stack (`ScratchStack`), above its guard page.
    static var scratch: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(
            start: UnsafeMutableRawPointer(bitPattern: UInt(scratchStackStart())), count: Int(RiscV64Layout.scratchStackBytes))
    }

    /// Boot check: stacks.S's symbols are where `layout` puts the regions,
    /// and the image ends with them; a difference stops the boot, naming it.
    static func verify(_ layout: LayoutTable) {
        expect(layout.region(named: "boot stacks")?.range.start.raw, bootStacksStart(), "boot stacks")
        expect(layout.region(named: "scratch stack")?.range.start.raw, scratchStackStart(), "scratch stack")
        expect(layout.region(named: "fault stacks")?.range.start.raw, faultStacksStart(), "fault stacks")
        expect(layout.region(named: "fault stacks")?.range.end.raw, guardedStacksEndAddress(), "end of the fault stacks")
        expect(kernelImageEnd(), guardedStacksEndAddress(), "end of the kernel image")
    }

    private static func expect(_ layout: UInt64?, _ assembled: UInt64, _ what: StaticString) {
        guard layout != assembled else { return }
        Console.write(what)
        Console.write(": stacks.S puts it at ")
        Console.write(hex: assembled)
        Console.newline()
        kernelPanic("the guarded stacks differ from the layout table")
    }

    /// The kernel layout's region whose guard page holds `address`, and
    /// the slot it is below (0 for a region without slots).
    static func guardHolding(_ address: VirtualAddress) -> (region: LayoutRegion, slot: Int)? {
        guard let region = Layouts.kernel.region(containing: address), region.isGuard(address) else { return nil }
        return (region, Int((address.raw - region.range.start.raw) / region.slotBytes))
    }

    /// The fault report's line for a fault in a guard page.
    static func reportGuard(_ address: VirtualAddress) -> Bool {
        guard let found = guardHolding(address) else { return false }
        Console.write("(the fault address is in a guard page: ")
        Console.write(found.region.name)
        if found.region.slots != nil {
            Console.write(", slot ")
            Console.write(decimal: UInt64(found.slot))
        }
        Console.line(")")
        return true
    }

    /// Self-check: every guard page of the kernel's layout (below each
    /// kernel, boot, scratch and fault stack) is absent from the kernel
    /// page table, a read of it takes a load page fault at its address, and
    /// the fault report would name its region.
    static func everyGuardFaults() -> Bool {
        var probed = 0
        for index in 0..<Layouts.kernel.count {
            let region = Layouts.kernel[index]
            let slotCount = region.backing == .guardPage ? 1 : region.slots?.count ?? 0
            for slot in 0..<slotCount {
                let guardRange = region.backing == .guardPage ? region.range : region.slotGuard(slot)
                var page = guardRange.start
                while page < guardRange.end {
                    guard KernelPaging.translate(page) == nil,
                        let fault = FaultProbe.expectFault({ _ = probeReadInstruction(page.raw) }),
                        fault.cause == ExceptionCode.loadPageFault, fault.address == page.raw,
                        let named = guardHolding(page), equalNames(named.region.name, region.name), named.slot == slot
                    else { return false }
                    probed += 1
                    page = VirtualAddress(page.raw + RiscV64Layout.pageSize)
                }
            }
        }
        // 64 kernel stacks, 8 boot stacks, the scratch stack, 8 fault stacks.
        return probed == RiscV64Layout.processSlots + 2 * RiscV64Layout.maxHarts + 1
    }
}

@_extern(c, "swiftlet_guarded_stacks_start") func guardedStacksStart() -> UInt64
@_extern(c, "swiftlet_boot_stacks_address") func bootStacksStart() -> UInt64
@_extern(c, "swiftlet_scratch_stack_address") func scratchStackStart() -> UInt64
@_extern(c, "swiftlet_guarded_stacks_end_address") func guardedStacksEndAddress() -> UInt64
