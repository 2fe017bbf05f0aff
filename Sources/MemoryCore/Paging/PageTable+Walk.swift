/// Reading the whole table: the boot audit, vmmap and teardown of the pages
/// an address space owns all walk it here.
extension PageTable {
    /// Calls `body` for every page that overlaps `range` (the whole address
    /// space when nil), in ascending address order, with the page's first
    /// virtual address and its translation (`physicalAddress` is the page's
    /// start). A large page that begins before `range` is reported with its
    /// own start. Stops early when `body` returns false. Subtables shared
    /// from another table are walked unless `includeShared` is false.
    public func forEachMapping(
        in range: VirtualRange? = nil, includeShared: Bool = true,
        _ body: (VirtualAddress, Translation) -> Bool
    ) {
        var first: UInt64 = 0
        var last: UInt64 = .max
        if let range {
            guard !range.isEmpty else { return }
            first = range.start.raw
            last = range.end.raw - 1
        }
        _ = visit(
            rootAddress, level: Scheme.levels - 1, base: 0, first: first, last: last,
            includeShared: includeShared, body)
    }

    /// The first page that overlaps `[va, end)` (up to the top of the address
    /// space when `end` is nil): its start, which may lie below `va`, and its translation.
    public func firstMapping(from va: VirtualAddress, before end: VirtualAddress? = nil) -> (VirtualAddress, Translation)? {
        var found: (VirtualAddress, Translation)? = nil
        let last = end.map { $0.raw &- 1 } ?? .max
        if let end, end <= va { return nil }
        _ = visit(rootAddress, level: Scheme.levels - 1, base: 0, first: va.raw, last: last, includeShared: true) { start, translation in
            found = (start, translation)
            return false
        }
        return found
    }

    /// Table pages this table owns (the root included, shared subtables not).
    public func ownedTablePages() -> UInt64 {
        countTables(rootAddress, level: Scheme.levels - 1, base: 0)
    }

    /// `base` is the walk's address before sign extension, so that the
    /// entries of one table are consecutive; `first`/`last` are canonical.
    private func visit(
        _ table: PhysicalAddress, level: Int, base: UInt64, first: UInt64, last: UInt64,
        includeShared: Bool, _ body: (VirtualAddress, Translation) -> Bool
    ) -> Bool {
        let span = Scheme.entrySpan(atLevel: level)
        let entries = tableEntries(table)
        // Only entries that may overlap the range are looked at, and most
        // of those are empty: only used ones get address arithmetic.
        let (low, high) = Self.indexBounds(base: base, level: level, first: first, last: last)
        var finished = true
        Self.forEachUsedEntry(in: entries, groups: usedGroups(of: table), from: low, below: high) { index in
            let unextended = base &+ UInt64(truncatingIfNeeded: index) &* span
            let start = Scheme.canonical(unextended)
            // Canonical addresses rise with the index, even across the hole.
            if start &+ (span - 1) < first { return true }
            if start > last { return false }
            let entry = Scheme.decode(entries[index], level: level)
            switch entry.kind {
            case .invalid:
                return true
            case .table:
                if level == 0 || (entry.isShared && !includeShared) { return true }
                finished = visit(
                    entry.address, level: level - 1, base: unextended, first: first, last: last,
                    includeShared: includeShared, body)
            case .leaf:
                guard let size = PageSize(level: level) else { return true }
                let translation = Translation(
                    physicalAddress: entry.address, permissions: entry.permissions,
                    pageSize: size, isOwned: entry.isOwned, isCopyOnWrite: entry.isCopyOnWrite)
                finished = body(VirtualAddress(start), translation)
            }
            return finished
        }
        return finished
    }

    private func countTables(_ table: PhysicalAddress, level: Int, base: UInt64) -> UInt64 {
        var count: UInt64 = 1
        guard level > 0 else { return count }
        let entries = tableEntries(table)
        let span = Scheme.entrySpan(atLevel: level)
        Self.forEachUsedEntry(in: entries, groups: usedGroups(of: table)) { index in
            let entry = Scheme.decode(entries[index], level: level)
            if entry.kind == .table && !entry.isShared {
                count += countTables(entry.address, level: level - 1, base: base &+ UInt64(truncatingIfNeeded: index) &* span)
            }
            return true
        }
        return count
    }
}
