/// One hardware page table, generic over the paging scheme and over how
/// physical memory is reached. It owns its table pages (taken from `frames`
/// and all returned by `deinit`) but never the frames its leaves map: whoever
/// maps a frame keeps owning it. (An owner that marks its frames `owned` in
/// the leaves may ask `deinit` to free them too, in the same walk: see
/// `freesOwnedLeaves`.) Subtables linked from another page table are
/// marked shared and are neither changed nor freed through this one.
///
/// Unmap and protect drop the changed page from this CPU's TLB through
/// `TranslationCache`; other CPUs' TLBs are the caller's business.
public struct PageTable<Scheme: PagingScheme, Memory: PhysicalMemory>: ~Copyable {
    /// The root table's frame (satp's PPN on RISC-V, CR3's address on x86-64).
    public let rootFrame: FrameNumber
    public let memory: Memory
    /// Where table pages come from and go back to. Must outlive the table.
    public let frames: UnsafeMutablePointer<FrameAllocator>
    /// Keeps `deinit` running when another module destroys the table (see `DeinitAnchor`).
    private let anchor = DeinitAnchor()
    /// Set by an address space, which marks the frames it owns in their
    /// leaves: `deinit` then returns those frames to `frames` while it walks
    /// the tables to free them, instead of the owner walking them first.
    var freesOwnedLeaves = false
    /// The last table of 4 KiB leaves a mapping went through: the next page
    /// in the same 2 MiB skips the walk (the kernel maps runs of pages one
    /// page at a time). It stays right because a table entry, once made, is
    /// never changed or removed before `deinit`; only leaves change.
    var leafTableHint = LeafTableHint()

    /// The table of 4 KiB leaves for one 2 MiB-aligned stretch of addresses.
    struct LeafTableHint {
        /// `va >> 21` of the stretch (512 entries of 4 KiB in both schemes),
        /// shifted left once, with bit 0 set when the walk opened the entries
        /// above the table to user mappings; .max: none. (One word rather
        /// than a word and a Bool keeps an optional address space's tag a
        /// plain load on the system-call path.)
        var key = UInt64.max
        var table = PhysicalAddress(0)

        init() {}

        init(_ va: VirtualAddress, table: PhysicalAddress, opensUser: Bool) {
            key = Self.key(va, opensUser: opensUser)
            self.table = table
        }

        /// Which 2 MiB `va` lies in.
        static func stretch(_ va: VirtualAddress) -> UInt64 { va.raw >> 21 }

        static func key(_ va: VirtualAddress, opensUser: Bool) -> UInt64 { stretch(va) << 1 | (opensUser ? 1 : 0) }

        @inline(__always)
        func table(for va: VirtualAddress, user: Bool) -> PhysicalAddress? {
            guard key == Self.key(va, opensUser: true) || (!user && key == Self.key(va, opensUser: false)) else { return nil }
            return table
        }
    }

    /// An empty page table: a zeroed root.
    public init(memory: Memory, frames: UnsafeMutablePointer<FrameAllocator>) throws(MapError) {
        self.memory = memory
        self.frames = frames
        rootFrame = try Self.allocateTable(memory: memory, frames: frames)
    }

    /// Frees every table page and (with `freesOwnedLeaves`) the owned
    /// frames, in one walk under one taking of the
    /// allocator's lock.
    deinit {
        frames.pointee.acquireLock()
        freeTable(rootAddress, level: Scheme.levels - 1, base: 0)
        frames.pointee.releaseLock()
    }

    public var rootAddress: PhysicalAddress { rootFrame.address }

    /// What `va` maps to, walking shared subtables too; nil when unmapped.
    public func translate(_ va: VirtualAddress) -> Translation? {
        guard Scheme.isCanonical(va) else { return nil }
        var table = rootAddress
        var level = Scheme.levels - 1
        while true {
            let entry = decodedEntry(in: table, for: va, level: level)
            switch entry.kind {
            case .invalid:
                return nil
            case .table:
                guard level > 0 else { return nil }
                table = entry.address
                level -= 1
            case .leaf:
                guard let size = PageSize(level: level) else { return nil }
                return Translation(
                    physicalAddress: PhysicalAddress(entry.address.raw | va.offset(in: size)),
                    permissions: entry.permissions, pageSize: size, isOwned: entry.isOwned, isCopyOnWrite: entry.isCopyOnWrite)
            }
        }
    }

    /// The raw entry at `level` on the walk for `va`, or nil when the walk
    /// stops above that level. For audits and tests.
    public func rawEntry(for va: VirtualAddress, level: Int) -> UInt64? {
        guard Scheme.isCanonical(va), level >= 0, level < Scheme.levels else { return nil }
        var table = rootAddress
        var current = Scheme.levels - 1
        while current > level {
            let entry = decodedEntry(in: table, for: va, level: current)
            guard entry.kind == .table else { return nil }
            table = entry.address
            current -= 1
        }
        return memory.load64(entryAddress(in: table, index: Scheme.index(of: va, level: level)))
    }

    // MARK: Table pages

    /// A zeroed table page: one the allocator knows to be zero (a table page
    /// an earlier teardown emptied entry by entry) when it has one. No
    /// group of it is used yet.
    static func allocateTable(memory: Memory, frames: UnsafeMutablePointer<FrameAllocator>) throws(MapError) -> FrameNumber {
        let frame: FrameNumber
        do {
            frame = try frames.pointee.allocateZeroed(memory)
        } catch {
            throw .outOfMemory
        }
        frames.pointee.tableWord(frame)?.pointee = 0
        return frame
    }

    /// `allocateTable` for a caller holding the allocator's lock (fork's
    /// walk): a known-zero frame of the pool without a second taking of the
    /// lock. A frame to clear is cleared outside the lock, and with the pool
    /// empty the lock is given back while `allocateTable` finds one (from
    /// this CPU's cache, whose lock comes before the allocator's).
    func allocateTableHoldingLock() throws(MapError) -> FrameNumber {
        let taken: (FrameNumber, Bool)
        do {
            taken = try frames.pointee.allocateZeroedHoldingLock()
        } catch {
            frames.pointee.releaseLock()
            defer { frames.pointee.acquireLock() }
            return try Self.allocateTable(memory: memory, frames: frames)
        }
        if !taken.1 {
            frames.pointee.releaseLock()
            memory.zeroFrame(taken.0)
            frames.pointee.acquireLock()
        }
        frames.pointee.tableWord(taken.0)?.pointee = 0
        return taken.0
    }

    static func allocateFrame(zeroed: Bool, memory: Memory, frames: UnsafeMutablePointer<FrameAllocator>) throws(MapError) -> FrameNumber {
        let frame: FrameNumber
        do {
            frame = try frames.pointee.allocate()
        } catch {
            throw .outOfMemory
        }
        if zeroed { memory.zeroFrame(frame) }
        return frame
    }

    /// Drops this mapping's hold on the frames of an owned page of `size` at
    /// `start`: a 4 KiB frame other address spaces still map (copy-on-write)
    /// only loses a user, any other goes back to `frames`. An owned frame is
    /// released once per mapping; a second release is a kernel bug.
    static func releaseOwned(_ start: PhysicalAddress, size: PageSize, frames: UnsafeMutablePointer<FrameAllocator>) {
        do {
            if size == .size4K {
                try frames.pointee.release(start.frame)
            } else {
                try frames.pointee.freeContiguous(start.frame, count: size.bytes / pageBytes)
            }
        } catch {
            CoreInvariant.violated("page table: an owned frame was already free")
        }
    }

    /// Frees `table` (at `level`, reached at `base`, an address before sign
    /// extension) and every owned table below it, and with
    /// `freesOwnedLeaves` the owned frames their leaves map. The caller holds
    /// the allocator's lock. Each entry looked at is cleared, so the table
    /// page goes back known zero, ready to be a table again.
    func freeTable(_ table: PhysicalAddress, level: Int, base: UInt64) {
        if level == 0 && !freesOwnedLeaves {
            // Leaves whose frames are someone else's: nothing to look at.
            do {
                try frames.pointee.freeHoldingLock(table.frame)
            } catch {
                CoreInvariant.violated("page table: a table page was already free")
            }
            return
        }
        let entries = mutableTableEntries(table)
        let span = Scheme.entrySpan(atLevel: level)
        Self.forEachUsedEntry(in: entries, groups: usedGroups(of: table)) { index in
            let entry = Scheme.decode(entries[index], level: level)
            if entry.kind == .table && level > 0 && !entry.isShared {
                freeTable(entry.address, level: level - 1, base: base &+ UInt64(truncatingIfNeeded: index) &* span)
            } else if entry.kind == .leaf && entry.isOwned && freesOwnedLeaves, let size = PageSize(level: level) {
                releaseOwnedHoldingLock(entry.address, size: size)
            }
            entries[index] = 0
            return true
        }
        do {
            try frames.pointee.freeZeroedHoldingLock(table.frame)
        } catch {
            CoreInvariant.violated("page table: a table page was already free")
        }
    }

    /// `releaseOwned` for a caller that holds the allocator's lock.
    func releaseOwnedHoldingLock(_ start: PhysicalAddress, size: PageSize) {
        do {
            if size == .size4K {
                _ = try frames.pointee.releaseHoldingLock(start.frame)
            } else {
                for i in 0..<(size.bytes / pageBytes) {
                    try frames.pointee.freeHoldingLock(FrameNumber(start.frame.value + i))
                }
            }
        } catch {
            CoreInvariant.violated("page table: an owned frame was already free")
        }
    }

    /// The indices `low..<high` of the entries of a table at `base` (an
    /// address before sign extension) and `level` whose span can overlap
    /// `[first, last]`. Only a bound for skipping: a walk still checks
    /// every entry it looks at.
    static func indexBounds(base: UInt64, level: Int, first: UInt64, last: UInt64) -> (Int, Int) {
        let count = UInt64(Scheme.entriesPerTable)
        guard Scheme.canonical(first) == first, Scheme.canonical(last) == last else { return (0, Int(count)) }
        let shift = Scheme.entryShift(atLevel: level)
        // Dropping the sign extension keeps the order of canonical addresses.
        let mask: UInt64 = (1 << UInt64(Scheme.virtualAddressBits)) - 1
        let unextendedFirst = first & mask, unextendedLast = last & mask
        // (The differences are below 2^48 and the shift below 64: no checks needed.)
        let low = unextendedFirst <= base ? 0 : min(count, (unextendedFirst &- base) &>> shift)
        let high = unextendedLast < base ? 0 : min(count, ((unextendedLast &- base) &>> shift) &+ 1)
        return (Int(truncatingIfNeeded: low), Int(truncatingIfNeeded: high))
    }

    @inline(__always)
    func entryAddress(in table: PhysicalAddress, index: Int) -> PhysicalAddress {
        PhysicalAddress(table.raw + UInt64(index) * 8)
    }

    /// The entries of the table page at `table`, for loops over a whole
    /// table: one reachability check for the page instead of one per entry.
    @inline(__always)
    func tableEntries(_ table: PhysicalAddress) -> UnsafePointer<UInt64> {
        UnsafePointer(mutableTableEntries(table))
    }

    @inline(__always)
    func mutableTableEntries(_ table: PhysicalAddress) -> UnsafeMutablePointer<UInt64> {
        memory.pointer(to: table, count: pageBytes)!.assumingMemoryBound(to: UInt64.self)
    }

    // MARK: Used groups

    /// Which entries of a table page may be in use, a bit per group of 8
    /// (bit g: entries 8g ..< 8g + 8), kept in the allocator's word for the
    /// table page's frame (`FrameAllocator.tableWord`), outside this value
    /// (a larger `PageTable` is copied onto the kernel stack more). Every
    /// store of a non-zero entry sets its group's bit first; clearing an
    /// entry leaves the bit (a stale bit only costs a walk one group of
    /// loads); a new table page starts with none (`allocateTable`). Walks
    /// look only at the groups whose bit is set, so a table with a handful
    /// of entries costs a handful of loads, not 512.
    ///
    /// Who touches a table page's word: whoever may write that table page's
    /// entries, under the same guard (an address space's tables: its
    /// process, or fork's parent for the child it builds; the kernel's
    /// tables: boot, and on x86-64 the virtual-space mapper's lock for its
    /// window).
    @inline(__always)
    func usedGroups(of table: PhysicalAddress) -> UInt64 {
        frames.pointee.tableWord(table.frame)?.pointee ?? .max
    }

    /// The bit of entry `index`'s group in a table page's used-group word.
    @inline(__always)
    static func groupBit(_ index: Int) -> UInt64 { 1 &<< UInt64(truncatingIfNeeded: index &>> 3) }

    /// Stores `value` into the entry at `slot`, marking its group used
    /// first when the entry is not empty.
    @inline(__always)
    func storeEntry(_ value: UInt64, at slot: PhysicalAddress) {
        if value != 0, let word = frames.pointee.tableWord(slot.frame) {
            word.pointee |= Self.groupBit(Int((slot.raw & (pageBytes - 1)) >> 3))
        }
        memory.store64(slot, value)
    }

    /// The used-group word of `table`, for a loop that stores many of its
    /// entries (nil outside the allocator's span: nothing to keep).
    @inline(__always)
    func usedGroupWord(_ table: PhysicalAddress) -> UnsafeMutablePointer<UInt64>? {
        frames.pointee.tableWord(table.frame)
    }

    /// Calls `body` with the index of every entry in `low..<high` of a
    /// table page that is not all zeros, in ascending order, looking only at
    /// the groups `groups` (the page's `usedGroups`) marks: the one loop
    /// over a table page's used entries that every walk (teardown,
    /// counting, fork's sharing, `forEachMapping`) runs. Stops when `body`
    /// returns false. `body` may store into the entry it was given (the
    /// search goes on above it). An all-zero entry is empty in every scheme
    /// (Sv39's V and x86-64's P are 0).
    ///
    /// A marked group is found once (the lowest bit left of `groups`) and
    /// its entries are then a plain loop of loads, so a full group costs
    /// one look at the bits, not one per entry.
    ///
    /// Always inlined, with its closure: each walk compiles to the loop it
    /// had written out, with no closure context on the stack (fork's leaf
    /// loop and teardown are hot, and teardown is on the deepest stack path).
    @inline(__always)
    static func forEachUsedEntry<Failure: Error>(
        in entries: UnsafePointer<UInt64>, groups: UInt64, from low: Int = 0,
        below high: Int = Scheme.entriesPerTable, _ body: (Int) throws(Failure) -> Bool
    ) throws(Failure) {
        guard low >= 0, low < high else { return }
        // The marked groups from `low`'s on (low < 512: a shift below 64).
        var remaining = groups & (UInt64.max &<< UInt64(truncatingIfNeeded: low >> 3))
        while remaining != 0 {
            let groupStart = remaining.trailingZeroBitCount &<< 3
            guard groupStart < high else { return }
            remaining &= remaining &- 1
            // A pointer walks the group: an empty entry costs a load, a
            // test and a step.
            var entry = entries + max(low, groupStart)
            let end = entries + min(high, groupStart &+ 8)
            while entry < end {
                if entry.pointee != 0 {
                    guard try body(entry - entries) else { return }
                }
                entry += 1
            }
        }
    }

    func decodedEntry(in table: PhysicalAddress, for va: VirtualAddress, level: Int) -> DecodedEntry {
        Scheme.decode(memory.load64(entryAddress(in: table, index: Scheme.index(of: va, level: level))), level: level)
    }
}
