import PropertyBased
import Testing

@testable import MemoryCore

/// The used-group bits of table pages (`PageTable.usedGroups`): every entry
/// that is not empty has its group marked, whatever mapped, unmapped,
/// protected or cloned it, and the walks look only at marked groups.

private func vrange(_ start: UInt64, _ size: UInt64) -> VirtualRange { VirtualRange(start: VirtualAddress(start), size: size)! }

private func window<S: PagingScheme>(_: S.Type) -> UserWindow {
    if S.levels == 3 { return UserWindow(vrange(0, (1 << 38) - 2 * 0x1000)) }
    return UserWindow(
        vrange(0, 0x8000_0000_0000),
        VirtualRange(start: VirtualAddress(0xFFFF_8000_0000_0000), end: VirtualAddress(0xFFFF_FF80_0000_0000))!)
}

/// Every table page this table owns, checked: each non-empty entry's group
/// bit is set in the table page's word. Returns the table pages seen.
private func checkGroups<S: PagingScheme, M: PhysicalMemory>(_ table: borrowing PageTable<S, M>) -> Int {
    var pages = 0
    func check(_ address: PhysicalAddress, level: Int) {
        pages += 1
        let word = table.frames.pointee.tableWord(address.frame)
        #expect(word != nil)
        let groups = word?.pointee ?? 0
        for index in 0..<S.entriesPerTable {
            let raw = table.memory.load64(PhysicalAddress(address.raw + UInt64(index) * 8))
            guard raw != 0 else { continue }
            #expect(groups & (1 << UInt64(index >> 3)) != 0, "entry \(index) of a level-\(level) table is not marked")
            let entry = S.decode(raw, level: level)
            if entry.kind == .table && level > 0 && !entry.isShared { check(entry.address, level: level - 1) }
        }
    }
    check(table.rootAddress, level: S.levels - 1)
    return pages
}

@Suite struct UsedGroupTests {
    typealias Table = PageTable<Sv39, DirectMappedMemory>

    /// The indices `Table.forEachUsedEntry` gives for `entries` with `groups` in `low..<high`.
    func used(_ entries: UnsafePointer<UInt64>, _ groups: UInt64, _ low: Int = 0, _ high: Int = 512) -> [Int] {
        var indices: [Int] = []
        Table.forEachUsedEntry(in: entries, groups: groups, from: low, below: high) { index in
            indices.append(index)
            return true
        }
        return indices
    }

    @Test func forEachUsedEntryLooksOnlyAtMarkedGroups() {
        let entries = UnsafeMutablePointer<UInt64>.allocate(capacity: 512)
        defer { entries.deallocate() }
        entries.initialize(repeating: 0, count: 512)
        entries[3] = 1
        entries[70] = 1
        entries[500] = 1
        let marked = Table.groupBit(3) | Table.groupBit(500)
        // Entry 70's group is not marked: the walk never sees it.
        #expect(used(entries, marked) == [3, 500])
        #expect(used(entries, marked, 4) == [500])
        #expect(used(entries, marked, 501) == [])
        #expect(used(entries, marked, 4, 400) == [])
        // All groups marked (a table page outside the allocator's span): every entry.
        #expect(used(entries, .max, 4) == [70, 500])
        // A stale bit (an entry cleared since) costs a look and finds nothing.
        entries[3] = 0
        #expect(used(entries, marked) == [500])
    }

    /// Every used entry of every marked group, in order, across group
    /// boundaries and with several in one group; none of an unmarked group;
    /// bounds that cut a group in the middle; a walk that clears the entry
    /// it was given (teardown) still gets the rest.
    @Test func forEachUsedEntryVisitsExactlyTheUsedEntriesInOrder() {
        let entries = UnsafeMutablePointer<UInt64>.allocate(capacity: 512)
        defer { entries.deallocate() }
        entries.initialize(repeating: 0, count: 512)
        let set = [0, 7, 8, 9, 15, 16, 63, 64, 200, 201, 204, 505, 511]
        for index in set { entries[index] = UInt64(index) << 12 | 1 }
        entries[100] = 1  // group 12, left unmarked below
        var groups: UInt64 = 0
        for index in set { groups |= Table.groupBit(index) }
        #expect(used(entries, groups) == set)
        #expect(used(entries, groups | Table.groupBit(100)) == [0, 7, 8, 9, 15, 16, 63, 64, 100, 200, 201, 204, 505, 511])
        #expect(used(entries, groups, 9, 202) == [9, 15, 16, 63, 64, 200, 201])
        #expect(used(entries, groups, 202, 505) == [204])
        #expect(used(entries, groups, 511, 512) == [511])
        #expect(used(entries, 0) == [])
        // Stopping: nothing after the entry where `body` returned false.
        var seen: [Int] = []
        Table.forEachUsedEntry(in: entries, groups: groups) { index in
            seen.append(index)
            return index < 16
        }
        #expect(seen == [0, 7, 8, 9, 15, 16])
        var cleared: [Int] = []
        Table.forEachUsedEntry(in: entries, groups: groups) { index in
            cleared.append(index)
            entries[index] = 0
            return true
        }
        #expect(cleared == set)
        #expect(used(entries, groups) == [])
        #expect(used(entries, .max) == [100])
    }

    @Test func anEmptyTableHasNoGroupMarked() throws {
        let ram = SimulatedRAM()
        // A frame that was a full table page before comes back with no group marked.
        let frame = try ram.frames.pointee.allocate()
        ram.frames.pointee.tableWord(frame)!.pointee = .max
        try ram.frames.pointee.free(frame)
        let table = try PageTable<Sv39, DirectMappedMemory>(memory: ram.memory, frames: ram.frames)
        #expect(ram.frames.pointee.tableWord(table.rootFrame)!.pointee == 0)
        #expect(ram.frames.pointee.tableWord(FrameNumber(0)) == nil)
    }

    /// Random user pages mapped, made lazy-faulted, protected, unmapped and
    /// cloned (twice, so a clone's clone too): every table page of every
    /// space keeps its non-empty entries marked, and the walks (clone,
    /// teardown) find every page: the frames all come back.
    @Test func everyUsedEntryIsMarkedAfterMapsUnmapsAndClones() async {
        let pages = Gen.int(in: 0...4095).array(of: 1...24)
        await propertyCheck(count: 60, input: pages, Gen.int(in: 0...23)) { picks, unmapCount in
            scenario(Sv39.self, picks, unmapCount)
            scenario(X86_64FourLevel.self, picks, unmapCount)
        }
    }

    func scenario<S: PagingScheme>(_: S.Type, _ picks: [Int], _ unmapCount: Int) {
        let ram = SimulatedRAM(megabytes: 8)
        let before = ram.freeFrames
        do {
            var space = try AddressSpace<S, DirectMappedMemory>(memory: ram.memory, frames: ram.frames, userWindow: window(S.self))
            // Pages spread over several leaf tables and upper-level entries.
            var mapped: [UInt64] = []
            for pick in picks {
                let va = UInt64(pick % 64) * 0x1000 + UInt64(pick / 64) * 0x20_0000 + UInt64(pick % 3) * 0x4000_0000
                guard !mapped.contains(va) else { continue }
                try space.mapUserPages(vrange(va, pageBytes), permissions: .readWrite)
                mapped.append(va)
            }
            try space.protectUserPages(vrange(mapped[0], pageBytes), permissions: .read)
            for va in mapped.prefix(unmapCount % mapped.count) {
                try space.unmapUserPages(vrange(va, pageBytes))
            }
            let kept = Array(mapped.dropFirst(unmapCount % mapped.count))
            _ = checkGroups(space.pageTable)
            var child = try space.clone()
            _ = checkGroups(child.pageTable)
            var grandchild = try child.clone()
            _ = checkGroups(grandchild.pageTable)
            var seen = 0
            grandchild.forEachUserMapping { _, _ in
                seen += 1
                return true
            }
            #expect(seen == kept.count)
            // A write fault in the child gives it a private frame: still marked.
            if let first = kept.first {
                _ = try child.resolveFault(at: VirtualAddress(first), write: true)
                _ = checkGroups(child.pageTable)
            }
            _ = consume grandchild
            _ = consume child
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(ram.freeFrames == before)
    }
}
