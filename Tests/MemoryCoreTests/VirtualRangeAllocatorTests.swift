import MemoryCore
import PropertyBased
import Testing

/// A window of `pages` pages at an arbitrary page-aligned base.
func testWindow(pages: UInt64, base: UInt64 = 0x4000_0000) -> VirtualRange {
    VirtualRange(start: VirtualAddress(base), size: pages * pageBytes)!
}

extension VirtualRangeAllocator {
    var freeRanges: [VirtualRange] { (0..<freeRangeCount).map { freeRange(at: $0) } }

    /// Sorted, inside the window, not overlapping, not touching (fully
    /// coalesced), and `freeBytes` adds up.
    var freeListIsSound: Bool {
        let ranges = freeRanges
        for range in ranges where range.isEmpty || !window.contains(range) { return false }
        for (a, b) in zip(ranges, ranges.dropFirst()) where a.end >= b.start { return false }
        return ranges.reduce(0) { $0 + $1.size } == freeBytes
    }
}

@Suite struct VirtualRangeAllocatorTests {
    @Test func refusesBadWindows() {
        #expect(throws: VirtualRangeError.invalidRange) { _ = try VirtualRangeAllocator(window: testWindow(pages: 0)) }
        let unaligned = VirtualRange(start: VirtualAddress(0x1800), size: 0x2000)!
        #expect(throws: VirtualRangeError.invalidRange) { _ = try VirtualRangeAllocator(window: unaligned) }
    }

    @Test func allocatesFirstFitWithinTheWindow() throws {
        let window = testWindow(pages: 10)
        var ranges = try VirtualRangeAllocator(window: window)
        let a = try ranges.allocate(pages: 3)
        let b = try ranges.allocate(pages: 7)
        #expect(a == VirtualRange(start: window.start, size: 3 * pageBytes))
        #expect(b == VirtualRange(start: a.end, end: window.end))
        #expect(ranges.freeRangeCount == 0 && ranges.freeBytes == 0)
        #expect(throws: VirtualRangeError.outOfSpace) { try ranges.allocate(pages: 1) }
        try ranges.free(a)
        #expect(throws: VirtualRangeError.outOfSpace) { try ranges.allocate(pages: 4) }
        #expect(throws: VirtualRangeError.invalidRange) { try ranges.allocate(pages: 0) }
        #expect(throws: VirtualRangeError.outOfSpace) { try ranges.allocate(pages: UInt64.max) }
        #expect(throws: VirtualRangeError.outOfSpace) { try ranges.allocate(pages: 1 << 52) }
        let again = try ranges.allocate(pages: 2)
        #expect(again.start == window.start)
    }

    @Test func freeingTheMiddleLeavesOneRange() throws {
        // Window exactly A+B+C, then with free space above C as well.
        for extra: UInt64 in [0, 5] {
            let window = testWindow(pages: 6 + extra)
            var ranges = try VirtualRangeAllocator(window: window)
            let a = try ranges.allocate(pages: 1)
            let b = try ranges.allocate(pages: 2)
            let c = try ranges.allocate(pages: 3)
            try ranges.free(a)
            try ranges.free(c)
            #expect(ranges.freeRanges == [a, VirtualRange(start: c.start, end: window.end)!])
            try ranges.free(b)
            #expect(ranges.freeRanges == [window])
            #expect(ranges.freeBytes == window.size)
            let sound = ranges.freeListIsSound
            #expect(sound)
        }
    }

    @Test func mergesWithOneNeighbourOrNone() throws {
        let window = testWindow(pages: 8)
        var ranges = try VirtualRangeAllocator(window: window)
        var parts: [VirtualRange] = []
        for _ in 0..<8 { parts.append(try ranges.allocate(pages: 1)) }
        try ranges.free(parts[1])  // alone
        try ranges.free(parts[2])  // joins the one below
        try ranges.free(parts[5])  // alone
        try ranges.free(parts[4])  // joins the one above
        try ranges.free(parts[7])  // alone, at the window's end
        #expect(
            ranges.freeRanges == [
                VirtualRange(start: parts[1].start, end: parts[2].end)!,
                VirtualRange(start: parts[4].start, end: parts[5].end)!,
                parts[7],
            ])
        try ranges.free(parts[3])  // bridges two
        try ranges.free(parts[6])  // bridges two
        try ranges.free(parts[0])  // joins the one above, at the window's start
        #expect(ranges.freeRanges == [window])
    }

    @Test func refusesDoubleFreeAndForeignRanges() throws {
        let window = testWindow(pages: 16)
        var ranges = try VirtualRangeAllocator(window: window)
        let a = try ranges.allocate(pages: 4)
        let b = try ranges.allocate(pages: 4)
        try ranges.free(a)
        #expect(throws: VirtualRangeError.notAllocated) { try ranges.free(a) }
        // Never handed out: the free space above b.
        #expect(throws: VirtualRangeError.notAllocated) { try ranges.free(VirtualRange(start: b.end, size: pageBytes)!) }
        // Straddles b and free space on either side.
        #expect(throws: VirtualRangeError.notAllocated) { try ranges.free(VirtualRange(start: a.end.subtracting(pageBytes)!, size: 2 * pageBytes)!) }
        #expect(throws: VirtualRangeError.notAllocated) { try ranges.free(VirtualRange(start: b.start, size: 5 * pageBytes)!) }
        #expect(throws: VirtualRangeError.invalidRange) { try ranges.free(VirtualRange(start: window.end, size: pageBytes)!) }
        #expect(throws: VirtualRangeError.invalidRange) { try ranges.free(VirtualRange(start: b.start, size: 0x800)!) }
        #expect(throws: VirtualRangeError.invalidRange) { try ranges.free(VirtualRange(start: b.start, size: 0)!) }
        let sound = ranges.freeListIsSound
        #expect(ranges.freeBytes == 12 * pageBytes && sound)
        try ranges.free(b)
        #expect(ranges.freeRanges == [window])
    }

    @Test func fullFreeListRefusesWithoutLosingSpace() throws {
        let window = testWindow(pages: 200)
        var ranges = try VirtualRangeAllocator(window: window)
        var pages: [VirtualRange] = []
        for _ in 0..<200 { pages.append(try ranges.allocate(pages: 1)) }
        // Every other page free: each one is a separate entry.
        for i in 0..<VirtualRangeAllocator.capacity { try ranges.free(pages[2 * i]) }
        #expect(ranges.freeRangeCount == VirtualRangeAllocator.capacity)
        let before = ranges.freeRanges
        #expect(throws: VirtualRangeError.freeListFull) { try ranges.free(pages[2 * VirtualRangeAllocator.capacity]) }
        #expect(ranges.freeRanges == before)
        #expect(ranges.freeBytes == UInt64(VirtualRangeAllocator.capacity) * pageBytes)
        // A page between two free ones merges and makes room again.
        try ranges.free(pages[1])
        #expect(ranges.freeRangeCount == VirtualRangeAllocator.capacity - 1)
        try ranges.free(pages[2 * VirtualRangeAllocator.capacity])
        for (i, page) in pages.enumerated() where !(i % 2 == 0 && i <= 2 * VirtualRangeAllocator.capacity) && i != 1 {
            try ranges.free(page)
        }
        #expect(ranges.freeRanges == [window])
    }

    @Test func randomSequencesKeepTheListSortedDisjointAndCoalesced() async {
        let step = zip(Gen.bool(0.7), Gen.int(in: 1...6), Gen.int(in: 0...1000))
        // Half the runs start from a window cut into single pages, so that
        // frees fragment it enough to fill the free list.
        await propertyCheck(count: 200, input: Gen.bool(), step.array(of: 1...250)) { cutIntoPages, script in
            let window = testWindow(pages: 400)
            var ranges = try! VirtualRangeAllocator(window: window)
            var held: [VirtualRange] = []
            if cutIntoPages {
                for _ in 0..<400 { held.append(try! ranges.allocate(pages: 1)) }
            }
            for (isFree, pages, pick) in script {
                if isFree, !held.isEmpty {
                    let index = pick % held.count
                    do throws(VirtualRangeError) {
                        try ranges.free(held[index])
                        held.remove(at: index)
                    } catch {
                        // Only a full list may refuse a range that is really allocated.
                        #expect(error == .freeListFull)
                        #expect(ranges.freeRangeCount == VirtualRangeAllocator.capacity)
                    }
                } else {
                    do throws(VirtualRangeError) {
                        let range = try ranges.allocate(pages: UInt64(pages))
                        #expect(range.size == UInt64(pages) * pageBytes && window.contains(range))
                        #expect(!held.contains { $0.overlaps(range) })
                        #expect(!ranges.freeRanges.contains { $0.overlaps(range) })
                        held.append(range)
                    } catch {
                        #expect(error == .outOfSpace)
                        #expect(!ranges.freeRanges.contains { $0.size >= UInt64(pages) * pageBytes })
                    }
                }
                let sound = ranges.freeListIsSound
                #expect(sound)
                #expect(ranges.freeBytes + held.reduce(0) { $0 + $1.size } == window.size)
            }
            // Held and free ranges tile the window, so some held range always
            // touches free space and can be returned even when the list is full.
            while !held.isEmpty {
                let before = held.count
                held.removeAll { (try? ranges.free($0)) != nil }
                #expect(held.count < before)
                if held.count == before { break }
            }
            #expect(ranges.freeRanges == [window])
        }
    }
}
