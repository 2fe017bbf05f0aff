import MemoryCore
import PropertyBased
import Testing

/// The x86-64 "kernel extra" window, the mapper's home in the kernel.
let kernelExtra = VirtualRange(
    start: VirtualAddress(X86_64Layout.kernelExtraStart), end: VirtualAddress(X86_64Layout.kernelExtraEnd))!

extension UnsafeMutablePointer where Pointee == VirtualSpaceMapper<FakePageMapper> {
    /// True when nothing is mapped and the window is one free range again.
    var isPristine: Bool {
        pointee.pages.entries.isEmpty && pointee.liveRegions == 0 && pointee.lostBytes == 0
            && pointee.ranges.freeRangeCount == 1 && pointee.ranges.freeRange(at: 0) == pointee.ranges.window
    }

    func frame(of page: VirtualAddress) -> PhysicalAddress? { pointee.pages.entries[page]?.frame }
}

@Suite struct VirtualSpaceMapperTests {
    @Test func unalignedObjectKeepsItsOffset() throws {
        try withVirtualSpace(window: kernelExtra) { space in
            // An ACPI table: 0x45 bytes at an address that is not page aligned.
            let table = try space.map(physical: PhysicalAddress(0x7FE_1234), size: 0x45, permissions: .readOnly)
            #expect(table.address == VirtualAddress(kernelExtra.start.raw + 0x234))
            #expect(table.size == 0x45 && table.physical == PhysicalAddress(0x7FE_1234))
            #expect(table.pages == VirtualRange(start: kernelExtra.start, size: pageBytes))
            #expect(space.frame(of: kernelExtra.start) == PhysicalAddress(0x7FE_1000))
            #expect(space.pointee.pages.entries[kernelExtra.start]?.permissions == .readOnly)
            #expect(table.pointer == UnsafeMutableRawPointer(bitPattern: UInt(kernelExtra.start.raw + 0x234)))
            #expect(space.pointee.liveRegions == 1)
        }
    }

    @Test func objectCrossingPagesGetsEveryPage() throws {
        try withVirtualSpace(window: kernelExtra) { space in
            let object = try space.map(physical: PhysicalAddress(0x1_0FFE), size: 0x2004, permissions: .readWrite)
            // 0x1_0FFE ..< 0x1_3002 touches frames 0x10, 0x11, 0x12 and 0x13.
            #expect(object.pages.size == 4 * pageBytes)
            #expect(object.address.offset() == 0xFFE)
            for i in 0..<UInt64(4) {
                #expect(space.frame(of: VirtualAddress(object.pages.start.raw + i * pageBytes)) == PhysicalAddress(0x1_0000 + i * pageBytes))
            }
            #expect(space.pointee.pages.entries.count == 4)
            let mmio = try space.map(physical: PhysicalAddress(0xFEE0_0000), size: pageBytes, permissions: .readWrite)
            #expect(mmio.address == object.pages.end && mmio.pages.size == pageBytes)
        }
    }

    @Test func regionsNeverOverlapAndDropMakesRoomForTheNext() throws {
        try withVirtualSpace(window: kernelExtra) { space in
            let first = try space.map(physical: PhysicalAddress(0x5000), size: 3 * pageBytes, permissions: .readWrite)
            let firstAddress = first.address
            do {
                let second = try space.map(physical: PhysicalAddress(0x5000), size: 10, permissions: .readOnly)
                #expect(!second.pages.overlaps(first.pages))
                _ = consume second
            }
            _ = consume first
            #expect(space.isPristine)
            // The same request lands on the same, now free, addresses.
            let again = try space.map(physical: PhysicalAddress(0x9000), size: 3 * pageBytes, permissions: .readWrite)
            #expect(again.address == firstAddress)
            #expect(space.frame(of: firstAddress) == PhysicalAddress(0x9000))
        }
    }

    @Test func guardedRegionLeavesThePageBelowUnmappedAndGivesItBack() throws {
        try withVirtualSpace(window: kernelExtra) { space in
            // A 4-page stack above its guard: the window's first page stays empty.
            let stack = try space.mapAboveGuardPage(physical: PhysicalAddress(0x20_0000), size: 4 * pageBytes, permissions: .readWrite)
            #expect(stack.pages == VirtualRange(start: VirtualAddress(kernelExtra.start.raw + pageBytes), size: 4 * pageBytes))
            #expect(stack.guardBytes == pageBytes)
            #expect(space.frame(of: kernelExtra.start) == nil)
            #expect(space.frame(of: stack.pages.start) == PhysicalAddress(0x20_0000))
            #expect(space.pointee.pages.entries.count == 4)
            // The next region starts above the stack, not in its guard.
            let next = try space.map(physical: PhysicalAddress(0x5000), size: 1, permissions: .readOnly)
            #expect(next.pages.start == stack.pages.end)
            _ = consume next
            _ = consume stack
            // Dropping it returns the guard page's address too.
            #expect(space.isPristine)
            #expect(throws: VirtualSpaceError.rangeWraps) {
                try space.mapAboveGuardPage(physical: PhysicalAddress(0x20_0800), size: pageBytes, permissions: .readWrite)
            }
            #expect(space.isPristine)
        }
    }

    @Test func keptRegionStaysMapped() throws {
        try withVirtualSpace(window: kernelExtra) { space in
            let stack = try space.mapAboveGuardPage(physical: PhysicalAddress(0x20_0000), size: 2 * pageBytes, permissions: .readWrite)
            let pages = stack.keepForever()
            #expect(space.frame(of: pages.start) == PhysicalAddress(0x20_0000))
            #expect(space.pointee.liveRegions == 1 && space.pointee.pages.entries.count == 2)
        }
    }

    @Test func badSizesFailCleanly() throws {
        try withVirtualSpace(window: kernelExtra) { space in
            #expect(throws: VirtualSpaceError.emptyRange) { try space.map(physical: PhysicalAddress(0x1000), size: 0, permissions: .readOnly) }
            #expect(throws: VirtualSpaceError.rangeWraps) { try space.map(physical: PhysicalAddress(0x1000), size: UInt64.max, permissions: .readOnly) }
            #expect(throws: VirtualSpaceError.rangeWraps) {
                try space.map(physical: PhysicalAddress(UInt64.max - 0xF), size: 8, permissions: .readOnly)
            }
            #expect(throws: VirtualSpaceError.rangeWraps) {
                try space.map(physical: PhysicalAddress(0xFFFF_FFFF_FFFF_F000), size: 0x1000, permissions: .readOnly)
            }
            // Larger than the whole window.
            #expect(throws: VirtualSpaceError.outOfVirtualSpace) {
                try space.map(physical: PhysicalAddress(0), size: kernelExtra.size + 1, permissions: .readOnly)
            }
            #expect(space.isPristine)
        }
    }

    @Test func smallWindowRunsOutThenRecovers() throws {
        try withVirtualSpace(window: testWindow(pages: 4)) { space in
            let whole = try space.map(physical: PhysicalAddress(0x20_0800), size: 3 * pageBytes, permissions: .readOnly)
            #expect(whole.pages.size == 4 * pageBytes)
            #expect(throws: VirtualSpaceError.outOfVirtualSpace) { try space.map(physical: PhysicalAddress(0), size: 1, permissions: .readOnly) }
            _ = consume whole
            let small = try space.map(physical: PhysicalAddress(0), size: 1, permissions: .readOnly)
            #expect(small.address == testWindow(pages: 4).start)
        }
    }

    @Test func failureHalfwayUndoesEverything() throws {
        var pages = FakePageMapper()
        pages.mapsBeforeFailure = 3
        try withVirtualSpace(window: kernelExtra, pages: pages) { space in
            let third = VirtualAddress(kernelExtra.start.raw + 3 * pageBytes)
            #expect(throws: VirtualSpaceError.mappingFailed(.outOfFrames, at: third)) {
                try space.map(physical: PhysicalAddress(0x10_0000), size: 8 * pageBytes, permissions: .readWrite)
            }
            #expect(space.isPristine)
            space.pointee.pages.mapsBeforeFailure = nil
            let fine = try space.map(physical: PhysicalAddress(0x10_0000), size: 8 * pageBytes, permissions: .readWrite)
            #expect(fine.address == kernelExtra.start)
        }
    }

    @Test func pageMappedByOthersIsLeftAlone() throws {
        try withVirtualSpace(window: kernelExtra) { space in
            let taken = VirtualAddress(kernelExtra.start.raw + 2 * pageBytes)
            try space.pointee.pages.map(taken, to: PhysicalAddress(0xABC000), permissions: .readOnly)
            #expect(throws: VirtualSpaceError.mappingFailed(.alreadyMapped, at: taken)) {
                try space.map(physical: PhysicalAddress(0x4000), size: 4 * pageBytes, permissions: .readWrite)
            }
            // Only the foreign mapping is left, and the window is whole.
            #expect(space.pointee.pages.entries.count == 1 && space.frame(of: taken) == PhysicalAddress(0xABC000))
            #expect(space.pointee.ranges.freeRangeCount == 1 && space.pointee.ranges.freeBytes == kernelExtra.size)
            space.pointee.pages.unmap(taken)
        }
    }

    @Test func randomMapAndDropCyclesLeaveTheWindowWhole() async {
        let step = zip(Gen.int(in: 0..<12), Gen.int(in: 0...0xFFFF_FFFF), Gen.int(in: 1...0x6000))
        await propertyCheck(count: 20, input: step.array(of: 1000...1000)) { script in
            let window = testWindow(pages: 40)
            try! withVirtualSpace(window: window) { space in
                // The owners, and beside them (copyable, for checking) their page ranges.
                var slots = InlineArray<12, MappedRegion<FakePageMapper>?> { _ in nil }
                var live: [VirtualRange?] = Array(repeating: nil, count: 12)
                for (slot, physicalRaw, size) in script {
                    if let pages = live[slot] {
                        let mappedBefore = space.pointee.pages.entries.count
                        slots[slot] = nil
                        live[slot] = nil
                        #expect(space.pointee.pages.entries.count == mappedBefore - Int(pages.size / pageBytes))
                        continue
                    }
                    let physical = PhysicalAddress(UInt64(physicalRaw))
                    do throws(VirtualSpaceError) {
                        let region = try space.map(physical: physical, size: UInt64(size), permissions: .readWrite)
                        let pages = region.pages
                        #expect(region.address.offset() == physical.offset() && window.contains(pages))
                        #expect(pages.contains(VirtualRange(start: region.address, size: region.size)!))
                        #expect(space.frame(of: pages.start) == physical.alignedDown())
                        #expect(!live.contains { $0?.overlaps(pages) == true })
                        slots[slot] = consume region
                        live[slot] = pages
                    } catch {
                        #expect(error == .outOfVirtualSpace)
                    }
                }
                for slot in 0..<12 { slots[slot] = nil }
                #expect(space.isPristine)
            }
        }
    }
}
