import MemoryCore
import PropertyBased
import Testing

private let twoMiB = PageSize.size2M.bytes

@Suite struct AlignedRangeAllocationTests {
    @Test func alignedAllocationKeepsTheSkippedHeadFree() throws {
        // A window that starts one page past a 2 MiB boundary.
        let window = testWindow(pages: 3 * 512, base: 0x4000_0000 + pageBytes)
        var ranges = try VirtualRangeAllocator(window: window)
        let taken = try ranges.allocate(pages: 600, alignment: .size2M)
        #expect(taken.start.isAligned(to: .size2M) && taken.size == 600 * pageBytes)
        #expect(taken.start == VirtualAddress(0x4000_0000 + twoMiB))
        // The head below the boundary and the tail above the range stay free.
        #expect(
            ranges.freeRanges == [
                VirtualRange(start: window.start, end: taken.start)!,
                VirtualRange(start: taken.end, end: window.end)!,
            ])
        let check1 = ranges.freeListIsSound && ranges.freeBytes == window.size - taken.size
        #expect(check1)
        try ranges.free(taken)
        let check2 = ranges.freeRanges == [window] && ranges.freeListIsSound
        #expect(check2)
    }

    @Test func offsetLinesTheStartUpWithAFrame() throws {
        var ranges = try VirtualRangeAllocator(window: testWindow(pages: 2048))
        _ = try ranges.allocate(pages: 1)
        let taken = try ranges.allocate(pages: 10, alignment: .size2M, offset: 5 * pageBytes)
        #expect(taken.start.offset(in: .size2M) == 5 * pageBytes && taken.start.raw > 0x4000_0000)
        #expect(taken.start == VirtualAddress(0x4000_0000 + 5 * pageBytes))
        let check3 = ranges.freeListIsSound && ranges.freeRangeCount == 2
        #expect(check3)
        #expect(throws: VirtualRangeError.invalidRange) { try ranges.allocate(pages: 1, alignment: .size2M, offset: twoMiB) }
        #expect(throws: VirtualRangeError.invalidRange) { try ranges.allocate(pages: 1, alignment: .size2M, offset: 0x800) }
        // Too long once aligned, though the free bytes would suffice.
        var tight = try VirtualRangeAllocator(window: testWindow(pages: 512, base: 0x4000_0000 + pageBytes))
        #expect(throws: VirtualRangeError.outOfSpace) { try tight.allocate(pages: 2, alignment: .size2M) }
        let check4 = tight.freeRanges == [tight.window]
        #expect(check4)
    }

    @Test func randomAlignedAllocationsKeepTheListSound() async {
        await propertyCheck(count: 100, input: zip(Gen.bool(), Gen.int(in: 1...700)).array(of: 1...12)) { script in
            let window = testWindow(pages: 8 * 512, base: 0x4000_0000 + 3 * pageBytes)
            var ranges = try! VirtualRangeAllocator(window: window)
            var taken: [VirtualRange] = []
            for (large, size) in script {
                guard let range = try? ranges.allocate(pages: UInt64(size), alignment: large ? .size2M : .size4K) else { continue }
                #expect(!large || range.start.isAligned(to: .size2M))
                #expect(range.size == UInt64(size) * pageBytes && window.contains(range))
                for other in taken { #expect(other.end <= range.start || range.end <= other.start) }
                taken.append(range)
                let check5 = ranges.freeListIsSound
                #expect(check5)
            }
            for range in taken.reversed() { try! ranges.free(range) }
            let check6 = ranges.freeRanges == [window]
            #expect(check6)
        }
    }
}

@Suite struct LargePageRegionTests {
    @Test func ramGetsLargePagesWithUnalignedHeadAndTail() throws {
        try withVirtualSpace(window: kernelExtra) { space in
            // A device page first, so the window's bottom is in use.
            let device = try space.map(physical: PhysicalAddress(0xFEE0_0000), size: pageBytes, permissions: .readWrite)
            // Three pages below a 2 MiB boundary, three 2 MiB pages, and 5 pages more.
            let start = PhysicalAddress(0x800_0000 - 3 * pageBytes)
            let size = 3 * pageBytes + 3 * twoMiB + 5 * pageBytes
            let ram = try space.map(physical: start, size: size, permissions: .readWrite, largestPage: .size2M)
            #expect(ram.pages.start.offset(in: .size2M) == start.offset(in: .size2M))
            #expect(ram.pageCount(.size2M) == 3 && ram.pageCount(.size4K) == 8)
            #expect(space.pointee.pages.count(.size2M) == 3 && space.pointee.pages.count(.size4K) == 9)
            for offset in [0, pageBytes, 3 * pageBytes, 3 * pageBytes + 0x1234, 3 * pageBytes + twoMiB + 8, size - 1] {
                #expect(space.pointee.pages.translate(VirtualAddress(ram.address.raw + offset)) == PhysicalAddress(start.raw + offset))
            }
            // The device mapping still asks for (and gets) 4 KiB only.
            #expect(device.pageCount(.size4K) == 1 && device.pageCount(.size2M) == 0)
            _ = consume ram
            #expect(space.pointee.pages.entries.count == 1 && space.pointee.liveRegions == 1)
            _ = consume device
            #expect(space.isPristine)
        }
    }

    @Test func failureAtALargePageRollsBack() throws {
        var pages = FakePageMapper()
        // Two head pages map, the first 2 MiB page maps, the second fails.
        pages.mapsBeforeFailure = 3
        try withVirtualSpace(window: kernelExtra, pages: pages) { space in
            let start = PhysicalAddress(0x800_0000 - 2 * pageBytes)
            #expect(throws: VirtualSpaceError.self) {
                try space.map(physical: start, size: 2 * pageBytes + 2 * twoMiB, permissions: .readWrite, largestPage: .size2M)
            }
            #expect(space.isPristine)
            space.pointee.pages.mapsBeforeFailure = nil
            let fine = try space.map(physical: start, size: 2 * pageBytes + 2 * twoMiB, permissions: .readWrite, largestPage: .size2M)
            #expect(fine.pageCount(.size2M) == 2)
        }
    }

    @Test func realTableUsesLargePagesAndGetsThemBack() throws {
        let ram = SimulatedRAM()
        try withRealTableSpace(ram, window: kernelExtra) { table, space in
            let start = PhysicalAddress(0x800_0000)
            let size = 4 * twoMiB + 7 * pageBytes
            let framesBefore = ram.freeFrames
            var base = kernelExtra.start
            do {
                let region = try space.map(physical: start, size: size, permissions: .readWrite, largestPage: .size2M)
                // A page directory, a page-table page for the tail, and the levels above.
                #expect(framesBefore - ram.freeFrames <= 4)
                base = region.pages.start
                for offset in [0, 0x1000, twoMiB + 0x345, 3 * twoMiB + 0x1F_FFF8, 4 * twoMiB, size - 1] {
                    let va = VirtualAddress(region.address.raw + offset)
                    let translation = table.pointee.translate(va)
                    #expect(translation?.physicalAddress == PhysicalAddress(start.raw + offset))
                    #expect(translation?.pageSize == (offset < 4 * twoMiB ? .size2M : .size4K))
                }
                _ = consume region
            }
            for offset in [0, twoMiB, 4 * twoMiB, size - 1] {
                #expect(table.pointee.translate(VirtualAddress(base.raw + offset)) == nil)
            }
            #expect(space.pointee.ranges.freeRangeCount == 1 && space.pointee.ranges.freeBytes == kernelExtra.size)
            #expect(space.pointee.liveRegions == 0)
        }
        #expect(ram.freeFrames == ram.totalFrames)
    }
}
