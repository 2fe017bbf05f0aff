import MemoryCore
import Testing

/// Kernel image bounds like the ones the linker produces, for building tables.
let sampleX86Image = KernelImage(
    start: VirtualAddress(0xFFFF_FFFF_8010_0000), textEnd: VirtualAddress(0xFFFF_FFFF_8013_0000),
    rodataEnd: VirtualAddress(0xFFFF_FFFF_8013_8000), end: VirtualAddress(0xFFFF_FFFF_8015_0000))
let sampleRiscImage = KernelImage(
    start: VirtualAddress(0x8000_0000), textEnd: VirtualAddress(0x8002_0000),
    rodataEnd: VirtualAddress(0x8002_0000), end: VirtualAddress(0x8004_0000 + RiscV64Layout.guardedStacksBytes),
    trampoline: PhysicalAddress(0x8001_F000), guardedStacks: VirtualAddress(0x8004_0000))

/// Looks a region up by name, failing the test if it is missing.
func region(_ table: LayoutTable, _ name: StaticString) throws -> LayoutRegion {
    try #require(table.region(named: name), "no region \(name)")
}

func expectRange(_ region: LayoutRegion, _ start: UInt64, _ end: UInt64, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(region.range.start.raw == start, "start of \(region.name)", sourceLocation: sourceLocation)
    #expect(region.range.end.raw == end, "end of \(region.name)", sourceLocation: sourceLocation)
}

@Suite struct X86_64LayoutTests {
    let table = X86_64Layout.table(sampleX86Image)

    @Test func tableIsWellFormed() throws {
        try validate(table, rule: .canonical48)
    }

    @Test func threeSpacesAsSpecified() {
        #expect(X86_64Layout.userFirst == 0)
        #expect(X86_64Layout.userLast == 0xFFFF_FF7F_FFFF_FFFF)
        #expect(X86_64Layout.processKernelFirst == 0xFFFF_FF80_0000_0000)
        #expect(X86_64Layout.processKernelLast == 0xFFFF_FFFF_7FFF_FFFF)
        // 510 GiB of process-specific kernel space, 2 GiB of kernel.
        #expect(X86_64Layout.processKernelLast - X86_64Layout.processKernelFirst + 1 == 510 << 30)
        #expect(X86_64Layout.kernelLast - X86_64Layout.kernelFirst + 1 == 2 << 30)
        for index in 0..<table.count {
            let r = table[index]
            let last = r.range.end.raw - 1
            switch r.owner {
            case .user: #expect(last <= X86_64Layout.userLast, "\(r.name)")
            case .process:
                #expect(
                    r.range.start.raw >= X86_64Layout.processKernelFirst && last <= X86_64Layout.processKernelLast || "\(r.name)" == "process metadata",
                    "\(r.name)")
            case .kernel: #expect(r.range.start.raw >= X86_64Layout.kernelFirst, "\(r.name)")
            }
        }
    }

    @Test func kernelRegionsAsSpecified() throws {
        expectRange(try region(table, "low memory"), 0xFFFF_FFFF_8000_0000, 0xFFFF_FFFF_8010_0000)
        let text = try region(table, "kernel text")
        #expect(text.range.start.raw == 0xFFFF_FFFF_8010_0000)
        #expect(text.backing == .direct(PhysicalAddress(0x10_0000)))
        #expect(text.permissions == .readExecute)
        #expect(try region(table, "kernel rodata").permissions == .readOnly)
        #expect(try region(table, "kernel data").permissions == .readWrite)
        let allocator = try region(table, "physical allocator")
        #expect(allocator.range.start == sampleX86Image.end)
        #expect(allocator.range.end.raw == 0xFFFF_FFFF_8800_0000)
        // The direct map ends exactly at the 128 MiB mark.
        #expect(allocator.backing == .direct(PhysicalAddress(sampleX86Image.end.raw - 0xFFFF_FFFF_8000_0000)))
        #expect(allocator.range.end.raw - 0xFFFF_FFFF_8000_0000 == 128 << 20)
        let heap = try region(table, "kernel heap")
        expectRange(heap, 0xFFFF_FFFF_8800_0000, 0xFFFF_FFFF_8900_0000)
        #expect(heap.range.size == 16 << 20)
        expectRange(try region(table, "kernel extra (virtual space)"), 0xFFFF_FFFF_890E_7000, 0xFFFF_FFFF_FFFF_F000)
        for index in 0..<table.count where table[index].owner == .kernel && table[index].isMapped {
            #expect(!table[index].permissions.contains(.user), "\(table[index].name) must not be user-accessible")
        }
    }

    @Test func sevenInterruptStacksAboveGuards() throws {
        let stacks = try region(table, "interrupt stacks")
        expectRange(stacks, 0xFFFF_FFFF_8900_0000, 0xFFFF_FFFF_890E_7000)
        #expect(stacks.slots?.count == 7)
        for i in 0..<7 {
            let guardRange = stacks.slotGuard(i)
            let stack = stacks.slot(i)
            #expect(guardRange.size == 4 * 1024)
            #expect(stack.size == 128 * 1024)
            #expect(guardRange.end == stack.start)
            #expect(stacks.isGuard(guardRange.start) && !stacks.isGuard(stack.start))
        }
        expectRange(VirtualRangeRegion(stacks.slotGuard(0)), 0xFFFF_FFFF_8900_0000, 0xFFFF_FFFF_8900_1000)
        #expect(stacks.slot(0).start.raw == 0xFFFF_FFFF_8900_1000 && stacks.slot(0).end.raw == 0xFFFF_FFFF_8902_1000)
    }

    @Test func processKernelStackAndUserTop() throws {
        expectRange(try region(table, "process kernel stack guard"), 0xFFFF_FF80_0000_0000, 0xFFFF_FF80_0000_1000)
        #expect(try region(table, "process kernel stack guard").backing == .guardPage)
        let stack = try region(table, "process kernel stack")
        expectRange(stack, 0xFFFF_FF80_0000_1000, 0xFFFF_FF80_0004_1000)
        #expect(stack.range.size == 256 * 1024)
        #expect(try region(table, "user stack").range.end.raw == 0xFFFF_FF7F_FFFF_D000)
        let guardRegion = try region(table, "user stack guard")
        expectRange(guardRegion, 0xFFFF_FF7F_FFFF_D000, 0xFFFF_FF7F_FFFF_E000)
        #expect(!guardRegion.isMapped)
        let metadata = try region(table, "process metadata")
        expectRange(metadata, 0xFFFF_FF7F_FFFF_E000, 0xFFFF_FF7F_FFFF_F000)
        #expect(metadata.permissions == .read | .user)
        #expect(X86_64Layout.processTopLevelEntry == 511)
        #expect(X86_64Layout.sharedKernelPDPTEntries == 510...511)
    }

    @Test func regionLookupNamesTheGuard() {
        #expect(table.region(containing: VirtualAddress(0xFFFF_FF7F_FFFF_D010)).map { "\($0.name)" } == "user stack guard")
        let stacks = table.region(containing: VirtualAddress(0xFFFF_FFFF_8902_1008))
        #expect(stacks.map { "\($0.name)" } == "interrupt stacks")
        #expect(stacks?.isGuard(VirtualAddress(0xFFFF_FFFF_8902_1008)) == true)
        #expect(table.region(containing: VirtualAddress(0x0000_9000_0000_0000)) == nil)
    }
}

@Suite struct RiscV64LayoutTests {
    let kernel = RiscV64Layout.kernelSpace(sampleRiscImage)
    let user = RiscV64Layout.userSpace(sampleRiscImage)

    @Test func tablesAreWellFormed() throws {
        try validate(kernel, rule: .below(RiscV64Layout.maxVA))
        try validate(user, rule: .below(RiscV64Layout.maxVA))
    }

    @Test func constantsAsSpecified() {
        #expect(RiscV64Layout.maxVA == 1 << 38)
        #expect(RiscV64Layout.trampoline == 0x3F_FFFF_F000)
        #expect(RiscV64Layout.trapFrame == 0x3F_FFFF_E000)
        #expect(RiscV64Layout.kernelBase == 0x8000_0000)
        #expect(RiscV64Layout.physicalTop == 0x8800_0000)
        #expect(RiscV64Layout.uart0 == 0x1000_0000 && RiscV64Layout.uart0IRQ == 10)
        #expect(RiscV64Layout.virtio0 == 0x1000_1000 && RiscV64Layout.virtio0IRQ == 1)
        #expect(RiscV64Layout.plic == 0x0C00_0000)
        #expect(RiscV64Layout.clint == 0x0200_0000)
        #expect(RiscV64Layout.bootROM == 0x1000)
        #expect(RiscV64Layout.plicPending == 0x0C00_1000)
        #expect(RiscV64Layout.plicSupervisorEnable(hart: 1) == 0x0C00_2180)
        #expect(RiscV64Layout.plicSupervisorPriority(hart: 1) == 0x0C20_3000)
        #expect(RiscV64Layout.plicSupervisorClaim(hart: 1) == 0x0C20_3004)
    }

    @Test func devicesAndRAMAreDirectMapped() throws {
        for name: StaticString in ["PLIC", "UART0", "VIRTIO0", "kernel text", "kernel data", "free RAM"] {
            let r = try region(kernel, name)
            #expect(r.backing == .direct(PhysicalAddress(r.range.start.raw)), "\(name) is mapped at its physical address")
            #expect(!r.permissions.contains(.user))
        }
        #expect(try region(kernel, "kernel text").permissions == .readExecute)
        #expect(try region(kernel, "kernel text").range.start.raw == 0x8000_0000)
        #expect(try region(kernel, "free RAM").range.end.raw == 0x8800_0000)
        for name: StaticString in ["kernel data", "free RAM", "UART0"] {
            #expect(!(try region(kernel, name)).permissions.contains(.execute), "\(name) is never executable")
        }
    }

    @Test func sixtyFourKernelStacksWithGuards() throws {
        let stacks = try region(kernel, "kernel stacks")
        #expect(stacks.slots?.count == 64)
        for p in 0..<64 {
            // Slot 63 is lowest; KSTACK(p) counts down from the trampoline.
            let slot = stacks.slot(63 - p)
            #expect(slot.start.raw == RiscV64Layout.trampoline - UInt64(p + 1) * 2 * 4096)
            #expect(slot.size == 4096)
            #expect(stacks.slotGuard(63 - p).end == slot.start)
            #expect(stacks.isGuard(VirtualAddress(slot.start.raw - 1)))
        }
        #expect(stacks.range.end.raw == RiscV64Layout.trapFrame)
    }

    @Test func imageStacksAboveGuardPages() throws {
        let start = try #require(sampleRiscImage.guardedStacks).raw
        #expect(try region(kernel, "kernel data").range.end.raw == start)
        let boot = try region(kernel, "boot stacks")
        expectRange(boot, start, start + 8 * (4096 + 32768))
        #expect(boot.slots == GuardedSlots(count: 8, guardBytes: 4096))
        #expect(boot.backing == .direct(PhysicalAddress(start)))
        #expect(boot.slot(0).size == 32768 && boot.isGuard(VirtualAddress(start)) && !boot.isGuard(VirtualAddress(start + 4096)))
        let scratchGuard = try region(kernel, "scratch stack guard")
        expectRange(scratchGuard, boot.range.end.raw, boot.range.end.raw + 4096)
        #expect(scratchGuard.backing == .guardPage)
        let scratch = try region(kernel, "scratch stack")
        expectRange(scratch, scratchGuard.range.end.raw, scratchGuard.range.end.raw + 16384)
        let fault = try region(kernel, "fault stacks")
        expectRange(fault, scratch.range.end.raw, sampleRiscImage.end.raw)
        #expect(fault.slots == GuardedSlots(count: 8, guardBytes: 4096) && fault.slot(7).size == 16384)
        for name: StaticString in ["boot stacks", "scratch stack", "fault stacks"] {
            #expect(try region(kernel, name).permissions == .readWrite, "\(name) is read-write, never executable")
        }
    }

    @Test func trampolineAndTrapFrameInEveryProcess() throws {
        let trampoline = try region(user, "trampoline")
        expectRange(trampoline, 0x3F_FFFF_F000, 0x40_0000_0000)
        #expect(trampoline.permissions == .readExecute)
        #expect(trampoline.backing == .direct(sampleRiscImage.trampoline))
        #expect(try region(kernel, "trampoline").backing == trampoline.backing)
        let frame = try region(user, "trap frame")
        expectRange(frame, 0x3F_FFFF_E000, 0x3F_FFFF_F000)
        #expect(frame.permissions == .readWrite)
        #expect(try region(user, "user (text, data, guard, stack, heap)").range.end.raw == 0x3F_FFFF_E000)
    }
}

@Suite struct LayoutValidatorTests {
    func table(_ regions: [LayoutRegion]) -> LayoutTable {
        var t = LayoutTable(name: "test")
        for r in regions { t.add(r) }
        return t
    }
    func r(_ start: UInt64, _ end: UInt64, _ backing: RegionBacking = .frames, _ p: PagePermissions = .readWrite) -> LayoutRegion {
        LayoutRegion("r", VirtualRange(start: VirtualAddress(start), end: VirtualAddress(end))!, backing, p, owner: .kernel)
    }

    @Test func rejectsEachKindOfMistake() {
        #expect(throws: LayoutError.overlaps(index: 1)) { try validate(table([r(0x1000, 0x3000), r(0x2000, 0x4000)]), rule: .below(1 << 38)) }
        #expect(throws: LayoutError.notSorted(index: 1)) { try validate(table([r(0x3000, 0x4000), r(0x1000, 0x2000)]), rule: .below(1 << 38)) }
        #expect(throws: LayoutError.notPageAligned(index: 0)) { try validate(table([r(0x1001, 0x2000)]), rule: .below(1 << 38)) }
        #expect(throws: LayoutError.empty(index: 0)) { try validate(table([r(0x1000, 0x1000)]), rule: .below(1 << 38)) }
        #expect(throws: LayoutError.notExpressible(index: 0)) { try validate(table([r(0x3F_FFFF_F000, 0x40_0000_1000)]), rule: .below(1 << 38)) }
        #expect(throws: LayoutError.notExpressible(index: 0)) { try validate(table([r(0x0000_8000_0000_0000, 0x0000_8000_0000_1000)]), rule: .canonical48) }
        #expect(throws: LayoutError.notExpressible(index: 0)) { try validate(table([r(0x0000_7FFF_FFFF_F000, 0xFFFF_8000_0000_1000)]), rule: .canonical48) }
        #expect(throws: LayoutError.guardMapped(index: 0)) { try validate(table([r(0x1000, 0x2000, .guardPage, .readWrite)]), rule: .below(1 << 38)) }
    }
}

/// Lets `expectRange` check a bare range by wrapping it in a region.
func VirtualRangeRegion(_ range: VirtualRange) -> LayoutRegion {
    LayoutRegion("range", range, .guardPage, owner: .kernel)
}
