import MemoryCore
import Testing

/// The kernel page tables are built from the layout tables and audited
/// against them; these tests do both on simulated RAM and then break the
/// live tables on purpose to see the audit notice.
@Suite struct LayoutPagingTests {
    let kernel = RegionOwnerSet(kernel: true)

    @Test func riscvKernelTableMatchesItsLayout() throws {
        let ram = SimulatedRAM(megabytes: 2)
        let layout = RiscV64Layout.kernelSpace(sampleRiscImage)
        var table = try PageTable<Sv39, DirectMappedMemory>(memory: ram.memory, frames: ram.frames)
        try table.mapLayout(layout, owners: kernel, largestPage: .size2M)
        let report = table.audit(against: layout, owners: kernel)
        #expect(report.isClean)
        #expect(report.matched == layout.count)
        // Every kernel stack is mapped, every guard below one is not.
        let stacks = try #require(layout.region(named: "kernel stacks"))
        for slot in 0..<64 {
            #expect(table.translate(stacks.slot(slot).start) != nil)
            #expect(table.translate(stacks.slotGuard(slot).start) == nil)
        }
        #expect(table.translate(VirtualAddress(RiscV64Layout.trampoline))?.physicalAddress == sampleRiscImage.trampoline)
        // The image's own stacks: each mapped at its physical address, no guard below one.
        for name: StaticString in ["boot stacks", "fault stacks"] {
            let guarded = try #require(layout.region(named: name))
            for slot in 0..<RiscV64Layout.maxHarts {
                #expect(table.translate(guarded.slot(slot).start)?.physicalAddress.raw == guarded.slot(slot).start.raw)
                #expect(table.translate(VirtualAddress(guarded.slot(slot).end.raw - 4096)) != nil)
                #expect(table.translate(guarded.slotGuard(slot).start) == nil, "guard of \(name) slot \(slot)")
            }
        }
        #expect(table.translate(try #require(layout.region(named: "scratch stack guard")).range.start) == nil)
        #expect(table.translate(try #require(layout.region(named: "scratch stack")).range.start) != nil)
    }

    /// A guard page mapped on purpose, below a process's kernel stack or
    /// hart 0's boot stack (mapped where the direct map would put it, so
    /// only the guard rule can object): the audit names the region.
    @Test(arguments: [("kernel stacks" as StaticString, 5, 10), ("boot stacks", 0, 5)])
    func auditFindsAMappedGuardPage(name: StaticString, slot: Int, regionIndex: Int) throws {
        let ram = SimulatedRAM(megabytes: 2)
        let layout = RiscV64Layout.kernelSpace(sampleRiscImage)
        var table = try PageTable<Sv39, DirectMappedMemory>(memory: ram.memory, frames: ram.frames)
        try table.mapLayout(layout, owners: kernel, largestPage: .size2M)
        let stacks = try #require(layout.region(named: name))
        #expect(equalNames(layout[regionIndex].name, name))
        let guardPage = stacks.slotGuard(slot).start
        try table.map(guardPage, to: PhysicalAddress(guardPage.raw), permissions: .readWrite)
        let report = table.audit(against: layout, owners: kernel)
        // Once as the stacks region's mismatch, once as a stray mapping.
        #expect(report.mismatchCount == 2)
        #expect(report.mismatch(0) == LayoutMismatch(region: regionIndex, problem: .mappedButMustNotBe, address: guardPage))
        #expect(report.mismatch(1) == LayoutMismatch(region: -1, problem: .strayMapping, address: guardPage))
        #expect(report.matched == layout.count - 1)
    }

    @Test func auditFindsWrongPermissionsMissingPagesAndStrays() throws {
        let ram = SimulatedRAM(megabytes: 2)
        let layout = RiscV64Layout.kernelSpace(sampleRiscImage)
        var table = try PageTable<Sv39, DirectMappedMemory>(memory: ram.memory, frames: ram.frames)
        try table.mapLayout(layout, owners: kernel, largestPage: .size4K)
        let text = VirtualAddress(0x8000_1000)
        try table.protect(text, permissions: .readWrite | .execute)
        let uart = VirtualAddress(RiscV64Layout.uart0)
        _ = try table.unmap(uart)
        let stray = VirtualAddress(0x2000_0000)
        try table.map(stray, to: PhysicalAddress(0x8000_0000), permissions: .readOnly)
        let report = table.audit(against: layout, owners: kernel)
        let found = (0..<report.mismatchCount).compactMap { report.mismatch($0) }
        #expect(found.contains(LayoutMismatch(region: 1, problem: .notMapped, address: uart)))
        #expect(found.contains(LayoutMismatch(region: 3, problem: .wrongPermissions, address: text)))
        #expect(found.contains(LayoutMismatch(region: -1, problem: .strayMapping, address: stray)))
        #expect(report.matched == layout.count - 2)
    }

    @Test func x86KernelTableMatchesItsLayout() throws {
        let ram = SimulatedRAM(base: 0x100_0000, megabytes: 20)
        let layout = X86_64Layout.table(sampleX86Image)
        var table = try PageTable<X86_64FourLevel, DirectMappedMemory>(memory: ram.memory, frames: ram.frames)
        let before = ram.freeFrames
        try table.mapLayout(layout, owners: kernel, largestPage: .size2M)
        #expect(table.audit(against: layout, owners: kernel).isClean)
        // The heap (16 MiB) and seven 128 KiB interrupt stacks took frames.
        #expect(before - ram.freeFrames >= 4096 + 7 * 32)
        let stacks = try #require(layout.region(named: "interrupt stacks"))
        for slot in 0..<7 {
            #expect(table.translate(stacks.slotGuard(slot).start) == nil)
            #expect(table.translate(stacks.slot(slot).start)?.permissions.contains(.execute) == false)
        }
        // Text executes, nothing else in the kernel does.
        #expect(table.translate(VirtualAddress(0xFFFF_FFFF_8010_0000))?.permissions.contains(.execute) == true)
        #expect(table.translate(VirtualAddress(0xFFFF_FFFF_8000_0000))?.permissions.contains(.execute) == false)
        #expect(table.translate(VirtualAddress(0xFFFF_FFFF_8800_0000))?.permissions.contains(.execute) == false)
    }
}
