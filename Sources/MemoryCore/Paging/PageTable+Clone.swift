/// fork's half of the page table: one walk of this table's entries in a
/// range gives another table the same pages, table by table, leaf by leaf.
extension PageTable {
    /// Makes `child` map every page this table maps in `range` (page
    /// aligned; in practice a user window part, where every leaf is an
    /// owned user page), in one walk of this table's tables there:
    /// - a 4 KiB owned leaf is shared: `child` gets the same frame, which
    ///   gains a user; a writable one becomes copy-on-write in both tables;
    /// - any other leaf (a large page, a frame not owned, a frame at its
    ///   user limit) is copied into a fresh frame `child` owns.
    /// `child` must map nothing in `range` yet; it gets the tables it needs.
    /// On failure (`.outOfMemory`) `child` keeps what it got, all of it
    /// counted and owned, for its teardown to return; leaves this table
    /// marked copy-on-write stay so, which is harmless (a write takes the
    /// frame back when it has no other user). The caller flushes this
    /// table's TLB entries: its writable pages lost write access.
    ///
    /// The walk holds the allocator's lock throughout (one taking for the
    /// child's tables and every leaf table), giving it back only to clear
    /// a table page that is not known zero or to copy a large page.
    public func shareLeaves(in range: VirtualRange, with child: inout PageTable<Scheme, Memory>) throws(MapError) {
        guard range.start.isAligned(to: .size4K), range.end.isAligned(to: .size4K) else { throw .misaligned }
        guard Scheme.isCanonical(range) else { throw .nonCanonical }
        guard !range.isEmpty else { return }
        let first = range.start.raw, last = range.end.raw - 1
        // Both tables reach the same memory and allocator: the walk needs
        // only the child's root (passing the child itself down made every
        // level copy it onto the stack).
        frames.pointee.acquireLock()
        defer { frames.pointee.releaseLock() }
        try shareTable(rootAddress, into: child.rootAddress, level: Scheme.levels - 1, base: 0, first: first, last: last)
    }

    /// The walk of `shareLeaves` for one table (at `level`, reached at
    /// `base`, an address before sign extension) and the child's table in
    /// the same place (made with this table's allocator, the child's too).
    private func shareTable(
        _ table: PhysicalAddress, into childTable: PhysicalAddress, level: Int, base: UInt64, first: UInt64, last: UInt64
    ) throws(MapError) {
        let entries = mutableTableEntries(table)
        let childEntries = mutableTableEntries(childTable)
        let span = Scheme.entrySpan(atLevel: level)
        let (low, high) = Self.indexBounds(base: base, level: level, first: first, last: last)
        guard low < high else { return }
        let groups = usedGroups(of: table)
        if level == 0 {
            try shareLeafRun(
                entries, groups: groups, into: childEntries, childGroups: usedGroupWord(childTable),
                from: low, below: high, base: base)
            return
        }
        let childGroups = usedGroupWord(childTable)
        try Self.forEachUsedEntry(in: entries, groups: groups, from: low, below: high) { index throws(MapError) in
            let raw = entries[index]
            let entry = Scheme.decode(raw, level: level)
            let unextended = base &+ UInt64(truncatingIfNeeded: index) &* span
            switch entry.kind {
            case .invalid:
                break
            case .table:
                // A table shared from another page table has no place in a range that is shared.
                guard !entry.isShared else { throw .sharedTable }
                var childEntry = Scheme.decode(childEntries[index], level: level)
                if childEntry.kind == .invalid {
                    let next = try allocateTableHoldingLock().address
                    childGroups?.pointee |= Self.groupBit(index)
                    childEntries[index] = Scheme.tableEntry(
                        pointingTo: next, userBeneath: Scheme.allowingUserBeneath(raw) == raw)
                    childEntry = Scheme.decode(childEntries[index], level: level)
                }
                guard childEntry.kind == .table, !childEntry.isShared else { throw .alreadyMapped }
                try shareTable(
                    entry.address, into: childEntry.address, level: level - 1, base: unextended, first: first, last: last)
            case .leaf:
                // A large page: only whole pages inside the range are given, as copies.
                let start = Scheme.canonical(unextended)
                guard start >= first, start &+ (span - 1) <= last, let size = PageSize(level: level) else {
                    throw .largePageConflict
                }
                guard childEntries[index] == 0 else { throw .alreadyMapped }
                let copied = try copiedLeafOutsideLock(entry, size: size)
                childGroups?.pointee |= Self.groupBit(index)
                childEntries[index] = copied
            }
            return true
        }
    }

    /// Shares (or copies) the used leaves of `entries[low..<high]` (a leaf
    /// table reached at `base`, its used groups `groups`) into
    /// `childEntries` (whose used-group word is `childGroups`); the caller
    /// holds the allocator's lock. A leaf that loses write access is
    /// dropped from this CPU's TLB (`TranslationCache`).
    private func shareLeafRun(
        _ entries: UnsafeMutablePointer<UInt64>, groups: UInt64,
        into childEntries: UnsafeMutablePointer<UInt64>, childGroups: UnsafeMutablePointer<UInt64>?,
        from low: Int, below high: Int, base: UInt64
    ) throws(MapError) {
        try Self.forEachUsedEntry(in: entries, groups: groups, from: low, below: high) { index throws(MapError) in
            let raw = entries[index]
            let entry = Scheme.decode(raw, level: 0)
            if entry.kind == .leaf {
                guard childEntries[index] == 0 else { throw .alreadyMapped }
                if entry.isOwned, (try? frames.pointee.retainHoldingLock(entry.address.frame)) != nil {
                    let shared = Scheme.copyOnWrite(raw)
                    if shared != raw {
                        entries[index] = shared
                        TranslationCache.pageChanged(VirtualAddress(Scheme.canonical(base &+ UInt64(truncatingIfNeeded: index) &* pageBytes)))
                    }
                    childGroups?.pointee |= Self.groupBit(index)
                    childEntries[index] = shared
                } else {
                    let copied = try copiedLeafHoldingLock(entry)
                    childGroups?.pointee |= Self.groupBit(index)
                    childEntries[index] = copied
                }
            }
            return true
        }
    }

    /// A leaf mapping a fresh copy of the page of `size` `entry` maps,
    /// owned, writable again if `entry` was copy-on-write.
    private func copiedLeaf(_ entry: DecodedEntry, size: PageSize) throws(MapError) -> UInt64 {
        let count = size.bytes / pageBytes
        let frame: FrameNumber
        do {
            frame = try frames.pointee.allocateContiguous(count: count, alignment: count)
        } catch {
            throw .outOfMemory
        }
        guard copyFrames(from: entry.address, to: frame.address, bytes: size.bytes) else {
            try? frames.pointee.freeContiguous(frame, count: count)
            throw .notMapped
        }
        return Self.privateLeaf(entry, frame: frame.address, size: size)
    }

    /// `copiedLeaf` for a caller holding the allocator's lock, which is
    /// given back meanwhile (the copy takes it to find a run of frames).
    private func copiedLeafOutsideLock(_ entry: DecodedEntry, size: PageSize) throws(MapError) -> UInt64 {
        frames.pointee.releaseLock()
        defer { frames.pointee.acquireLock() }
        return try copiedLeaf(entry, size: size)
    }

    /// `copiedLeaf` of a 4 KiB page, for a caller holding the allocator's lock.
    private func copiedLeafHoldingLock(_ entry: DecodedEntry) throws(MapError) -> UInt64 {
        let frame: FrameNumber
        do {
            frame = try frames.pointee.allocateHoldingLock()
        } catch {
            throw .outOfMemory
        }
        guard copyFrames(from: entry.address, to: frame.address, bytes: pageBytes) else {
            try? frames.pointee.freeHoldingLock(frame)
            throw .notMapped
        }
        return Self.privateLeaf(entry, frame: frame.address, size: .size4K)
    }

    /// False when either side is out of `memory`'s reach.
    private func copyFrames(from source: PhysicalAddress, to target: PhysicalAddress, bytes: UInt64) -> Bool {
        guard let from = memory.pointer(to: source, count: bytes), let to = memory.pointer(to: target, count: bytes) else {
            return false
        }
        to.copyMemory(from: from, byteCount: Int(bytes))
        return true
    }

    private static func privateLeaf(_ entry: DecodedEntry, frame: PhysicalAddress, size: PageSize) -> UInt64 {
        let permissions = entry.isCopyOnWrite ? entry.permissions | .write : entry.permissions
        return Scheme.leafEntry(frame: frame, permissions: permissions, size: size, owned: true)
    }
}
