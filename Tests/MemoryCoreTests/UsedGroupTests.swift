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
    @Test func usedEntryLooksOnlyAtMarkedGroups() {
        let entries = UnsafeMutablePointer<UInt64>.allocate(capacity: 512)
        defer { entries.deallocate() }
        entries.initialize(repeating: 0, count: 512)
        entries[3] = 1
        entries[70] = 1
        entries[500] = 1
        typealias Table = PageTable<Sv39, DirectMappedMemory>
        let marked = Table.groupBit(3) | Table.groupBit(500)
        // Entry 70's group is not marked: the walk never sees it.
        #expect(Table.usedEntry(in: entries, groups: marked, from: 0, below: 512) == 3)
        #expect(Table.usedEntry(in: entries, groups: marked, from: 4, below: 512) == 500)
        #expect(Table.usedEntry(in: entries, groups: marked, from: 501, below: 512) == 512)
        #expect(Table.usedEntry(in: entries, groups: marked, from: 4, below: 400) == 400)
        // All groups marked (a table page outside the allocator's span): every entry.
        #expect(Table.usedEntry(in: entries, groups: .max, from: 4, below: 512) == 70)
        #expect(Table.usedEntry(in: entries, groups: .max, from: 71, below: 512) == 500)
        // A stale bit (an entry cleared since) costs a look and finds nothing.
        entries[3] = 0
        #expect(Table.usedEntry(in: entries, groups: marked, from: 0, below: 512) == 500)
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
