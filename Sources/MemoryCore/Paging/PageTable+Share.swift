/// Sharing subtables between page tables: the x86-64 kernel keeps its top
/// 2 GiB in two page directories that every process's PDPT points at, so a
/// kernel mapping made once is seen by all. The borrowing table marks those
/// entries shared and never frees or changes what is beneath them; the
/// lending table must outlive every borrower.
extension PageTable {
    /// Makes every entry at `level` whose span meets `range` point at a
    /// table, creating empty ones as needed, so that other tables can link
    /// them before anything is mapped there. `level` is 1 ... levels - 1.
    public mutating func ensureTables(covering range: VirtualRange, atLevel level: Int) throws(MapError) {
        guard level >= 1, level < Scheme.levels else { throw .unsupportedPageSize }
        guard Scheme.isCanonical(range) else { throw .nonCanonical }
        guard !range.isEmpty else { return }
        let span = Scheme.entrySpan(atLevel: level)

        var counted = InlineArray<8, UInt64>(repeating: .max)
        var needed: UInt64 = 0
        var va = VirtualAddress(range.start.raw & ~(span - 1))
        while va < range.end {
            let (missing, slot, _) = try countMissingTables(for: va, downTo: level, counted: &counted)
            needed += missing
            switch slot?.kind {
            case nil, .invalid: needed += 1
            case .leaf: throw .largePageConflict
            case .table: break
            }
            guard let next = va.adding(span) else { break }
            va = next
        }
        guard frames.pointee.hasFreeFrames(needed) else { throw .outOfMemory }

        va = VirtualAddress(range.start.raw & ~(span - 1))
        while va < range.end {
            guard let table = try table(for: va, level: level, creating: true, userBeneath: false) else { throw .notMapped }
            let slot = entryAddress(in: table, index: Scheme.index(of: va, level: level))
            if Scheme.decode(memory.load64(slot), level: level).kind == .invalid {
                let next = try Self.allocateTable(memory: memory, frames: frames).address
                storeEntry(Scheme.tableEntry(pointingTo: next, userBeneath: false), at: slot)
            }
            guard let next = va.adding(span) else { break }
            va = next
        }
    }

    /// Points this table's entries at `level` whose span meets `range` at the
    /// subtables `other` has there, marked shared. `range.start` must be
    /// aligned to one entry's span at `level` (1 GiB at level 2); its end is
    /// rounded up, so that a range ending one page below 2^64 still covers
    /// the last entry. `other` must have a table (not a page) in each of
    /// those entries (see `ensureTables`). Linking the same entry twice is
    /// allowed; any other entry in the way is not.
    public mutating func linkShared(
        _ range: VirtualRange, atLevel level: Int,
        from other: borrowing PageTable<Scheme, Memory>
    ) throws(MapError) {
        guard level >= 1, level < Scheme.levels else { throw .unsupportedPageSize }
        let span = Scheme.entrySpan(atLevel: level)
        guard range.start.isAligned(toBytes: span) else { throw .misaligned }
        guard Scheme.isCanonical(range) else { throw .nonCanonical }

        var counted = InlineArray<8, UInt64>(repeating: .max)
        var needed: UInt64 = 0
        var va = range.start
        while va < range.end {
            guard let lent = other.rawEntry(for: va, level: level) else { throw .notMapped }
            switch Scheme.decode(lent, level: level).kind {
            case .invalid: throw .notMapped
            case .leaf: throw .largePageConflict
            case .table: break
            }
            let (missing, slot, _) = try countMissingTables(for: va, downTo: level, counted: &counted)
            needed += missing
            if let slot, slot.kind != .invalid, rawEntry(for: va, level: level) != Scheme.markedShared(lent) {
                throw .alreadyMapped
            }
            guard let next = va.adding(span) else { break }
            va = next
        }
        guard frames.pointee.hasFreeFrames(needed) else { throw .outOfMemory }

        va = range.start
        while va < range.end {
            guard let lent = other.rawEntry(for: va, level: level),
                let table = try table(for: va, level: level, creating: true, userBeneath: false)
            else { throw .notMapped }
            storeEntry(Scheme.markedShared(lent), at: entryAddress(in: table, index: Scheme.index(of: va, level: level)))
            guard let next = va.adding(span) else { break }
            va = next
        }
    }
}
