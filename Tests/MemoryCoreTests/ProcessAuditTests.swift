import MemoryCore
import Testing

/// `PageTable.auditProcess` on an Sv39 process built the way exec builds
/// one (xv6 layout): clean as built, and each kind of wrong mapping found.
@Suite struct ProcessAuditTests {
    typealias Space = AddressSpace<Sv39, DirectMappedMemory>

    let plan = try! MemoryCoreTests.plan(
        ElfBuilder.standard(.riscv64, base: riscvBase).build(), .riscv64, UserImageLayout.xv6Rules())
    let layout = RiscV64Layout.userSpace(sampleRiscImage)

    /// A process as exec leaves it: every mapped region of the image, the
    /// trap frame (owned) and the trampoline (the kernel's page), and
    /// `heapPages` of heap.
    func makeProcess(_ ram: SimulatedRAM, _ image: UserImageLayout, heapPages: UInt64) throws -> Space {
        let window = UserWindow(VirtualRange(start: VirtualAddress(0), end: image.trapFrame!.start)!)
        var space = try Space(memory: ram.memory, frames: ram.frames, userWindow: window)
        for index in 0..<image.regionCount {
            let region = image.region(at: index)
            guard region.kind == .mapped else { continue }
            if region.range != image.trapFrame && region.range != image.trampoline {
                try space.mapUserPages(region.range, permissions: region.permissions)
            }
        }
        try mapKernelPages(&space, image)
        try space.setHeapStart(image.heapStart)
        if heapPages > 0 { _ = try space.growHeap(by: heapPages * pageBytes) }
        return space
    }

    /// The trap frame (owned) and the trampoline (the kernel's page), as
    /// exec and fork map them into every process.
    func mapKernelPages(_ space: inout Space, _ image: UserImageLayout) throws {
        try space.mapOwnedKernelPage(image.trapFrame!.start, permissions: .readWrite)
        try space.mapKernelPage(image.trampoline!.start, to: sampleRiscImage.trampoline, permissions: .readExecute)
    }

    func audit(_ space: borrowing Space, _ image: UserImageLayout) -> LayoutAuditReport {
        space.pageTable.auditProcess(image: image, heapBreak: space.heapBreak, layout: layout)
    }

    func problems(_ report: LayoutAuditReport) -> [LayoutMismatch.Problem] {
        (0..<min(report.mismatchCount, LayoutAuditReport.capacity)).compactMap { report.mismatch($0)?.problem }
    }

    @Test func aProcessAsExecBuiltItIsClean() throws {
        let ram = SimulatedRAM()
        let image = try UserImageLayout.xv6(plan: plan)
        var space = try makeProcess(ram, image, heapPages: 3)
        // Touch two heap pages: the third stays lazy (absent).
        try space.copyOut(to: image.heapStart, from: UnsafeRawBufferPointer(start: [UInt8(1)], count: 1))
        let report = audit(space, image)
        #expect(report.isClean)
        // The image's mapped regions (the heap is not one) and the layout's trap frame.
        #expect(report.matched == image.regionCount - 2 + 1)
        // After fork both share their writable pages copy-on-write: still clean.
        var forked = try space.clone()
        try mapKernelPages(&forked, image)
        #expect(audit(forked, image).isClean)
        #expect(audit(space, image).isClean)
    }

    @Test func aMappedGuardPageIsFound() throws {
        let ram = SimulatedRAM()
        let image = try UserImageLayout.xv6(plan: plan)
        var space = try makeProcess(ram, image, heapPages: 0)
        try space.mapUserPages(image.stackGuard, permissions: .readWrite)
        let report = audit(space, image)
        #expect(problems(report).contains(.mappedButMustNotBe))
        #expect(report.mismatch(0)?.address == image.stackGuard.start)
    }

    @Test func aMissingStackPageIsFound() throws {
        let ram = SimulatedRAM()
        let image = try UserImageLayout.xv6(plan: plan)
        var space = try makeProcess(ram, image, heapPages: 0)
        try space.unmapUserPages(image.stack)
        #expect(problems(audit(space, image)) == [.notMapped])
    }

    @Test func wrongPermissionsAreFound() throws {
        let ram = SimulatedRAM()
        let image = try UserImageLayout.xv6(plan: plan)
        var space = try makeProcess(ram, image, heapPages: 0)
        let text = image.region(at: 0)
        try space.protectUserPages(text.range, permissions: .readWrite | .execute)
        let found = problems(audit(space, image))
        #expect(!found.isEmpty && found.allSatisfy { $0 == .wrongPermissions })
    }

    @Test func aPageAboveTheBreakOrOutsideEveryRegionIsStray() throws {
        let ram = SimulatedRAM()
        let image = try UserImageLayout.xv6(plan: plan)
        var space = try makeProcess(ram, image, heapPages: 1)
        // Above the break, in the heap's range.
        let above = VirtualRange(start: VirtualAddress(image.heapStart.raw + 4 * pageBytes), size: pageBytes)!
        try space.mapUserPages(above, permissions: .readWrite)
        var found = problems(audit(space, image))
        #expect(found.contains(.strayMapping))
        try space.unmapUserPages(above)
        #expect(audit(space, image).isClean)
        // In the gap between the image's segments, which no region covers.
        let gap = VirtualRange(start: VirtualAddress(0x4000), size: pageBytes)!
        #expect(image.region(containing: gap.start) == nil)
        try space.mapUserPages(gap, permissions: .read)
        found = problems(audit(space, image))
        #expect(found == [.strayMapping])
    }
}
