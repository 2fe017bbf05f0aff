/// Mapping, unmapping and protecting pages. Every change is planned first
/// (arguments, conflicts, how many table pages it needs, whether the
/// allocator has them) and only then carried out, so a refused request
/// leaves the tables and the free-frame count exactly as they were.
extension PageTable {
    /// Maps one page of `size` at `va` to the frame run at `pa`.
    /// `owned` sets the software bit that tells an address space it owns the frame.
    public mutating func map(
        _ va: VirtualAddress, to pa: PhysicalAddress, size: PageSize = .size4K,
        permissions: PagePermissions, owned: Bool = false
    ) throws(MapError) {
        guard Scheme.allowsLeaf(atLevel: size.level) else { throw .unsupportedPageSize }
        guard va.isAligned(to: size), pa.isAligned(to: size) else { throw .misaligned }
        guard let range = VirtualRange(start: va, size: size.bytes) else { throw .nonCanonical }
        guard size == .size4K else {
            try mapChunks(range, to: pa, permissions: permissions, largestPage: size, owned: owned)
            return
        }
        // One 4 KiB page: the same checks as `mapChunks`, in the same order, without its plan.
        guard Scheme.isCanonical(range) else { throw .nonCanonical }
        guard Scheme.canHold(pa, size: range.size) else { throw .physicalOutOfRange }
        guard Scheme.canEncode(permissions) else { throw .invalidPermissions }
        let slot = try emptyLeafSlot(for: va, user: permissions.contains(.user), framesBeyondTables: 0)
        storeEntry(Scheme.leafEntry(frame: pa, permissions: permissions, size: .size4K, owned: owned), at: slot)
    }

    /// Maps a fresh frame, owned, at the 4 KiB page `va` (nothing mapped
    /// there yet) and returns it: `mapFreshFrames` for one page, without
    /// its plan (the checks are the same, in the same order, and a refusal
    /// changes nothing), and with the frame's address, which a caller would
    /// otherwise walk the table again for. The frame is zeroed unless
    /// `zeroed` is false: then the caller writes every byte of it before
    /// anything else may read it (`AddressSpace.loadImage`, a trap frame).
    mutating func mapFreshFrame(at va: VirtualAddress, permissions: PagePermissions, zeroed: Bool) throws(MapError) -> PhysicalAddress {
        guard Scheme.canEncode(permissions) else { throw .invalidPermissions }
        guard va.isAligned(to: .size4K) else { throw .misaligned }
        guard let range = VirtualRange(start: va, size: pageBytes), Scheme.isCanonical(range) else { throw .nonCanonical }
        let slot = try emptyLeafSlot(for: va, user: permissions.contains(.user), framesBeyondTables: 1)
        let frame: FrameNumber
        do throws(FrameError) {
            frame = zeroed ? try frames.pointee.allocateZeroed(memory) : try frames.pointee.allocate()
        } catch {
            throw .outOfMemory  // unreachable after the count; tables made on the way stay, empty
        }
        storeEntry(Scheme.leafEntry(frame: frame.address, permissions: permissions, size: .size4K, owned: true), at: slot)
        return frame.address
    }

    /// The empty entry for a new 4 KiB leaf at `va` (canonical, aligned),
    /// with the tables above it made when missing (`user` opens them to
    /// user mappings). When the leaf table is the one the last mapping
    /// used, one look at the entry; otherwise a plan of the one page, then
    /// the walk. Throws, changing nothing, for a leaf or large page already
    /// there, a shared table on the way, or fewer free frames than the
    /// missing tables and `framesBeyondTables` more.
    mutating func emptyLeafSlot(for va: VirtualAddress, user: Bool, framesBeyondTables: UInt64) throws(MapError) -> PhysicalAddress {
        let table: PhysicalAddress
        if let known = leafTableHint.table(for: va, user: user) {
            guard Scheme.decode(memory.load64(entryAddress(in: known, index: Scheme.index(of: va, level: 0))), level: 0).kind == .invalid
            else { throw .alreadyMapped }
            guard frames.pointee.hasFreeFrames(framesBeyondTables) else { throw .outOfMemory }
            table = known
        } else {
            var counted = InlineArray<8, UInt64>(repeating: .max)
            let (missing, entry, _) = try countMissingTables(for: va, downTo: 0, counted: &counted)
            if let entry {
                switch entry.kind {
                case .invalid: break
                case .leaf: throw .alreadyMapped
                case .table: throw .largePageConflict
                }
            }
            guard frames.pointee.hasFreeFrames(missing + framesBeyondTables) else { throw .outOfMemory }
            table = try leafTable(for: va, user: user)
        }
        return entryAddress(in: table, index: Scheme.index(of: va, level: 0))
    }

    /// Maps `range` to the physical run starting at `pa`, with the largest
    /// pages (up to `largestPage`) that the alignment of both addresses allows.
    public mutating func mapRange(
        _ range: VirtualRange, to pa: PhysicalAddress, permissions: PagePermissions,
        largestPage: PageSize = .size4K, owned: Bool = false
    ) throws(MapError) {
        guard range.start.isAligned(to: .size4K), range.end.isAligned(to: .size4K), pa.isAligned(to: .size4K) else {
            throw .misaligned
        }
        try mapChunks(range, to: pa, permissions: permissions, largestPage: largestPage, owned: owned)
    }

    /// Table pages that mapping `range` with 4 KiB pages would allocate.
    /// Throws what `mapRange` would throw for a conflict (not for memory).
    public func tablePagesNeeded(toMap range: VirtualRange) throws(MapError) -> UInt64 {
        guard range.start.isAligned(to: .size4K), range.end.isAligned(to: .size4K) else { throw .misaligned }
        guard Scheme.isCanonical(range) else { throw .nonCanonical }
        return try plan(range, to: PhysicalAddress(0), largestPage: .size4K)
    }

    /// Maps a fresh frame, owned (see `freesOwnedLeaves`), at every 4 KiB
    /// page of `range` (page aligned, nothing mapped there yet), zeroed
    /// unless `zeroed` is false (memory only the kernel reads, after writing
    /// it: a kernel stack, a trap frame). All or nothing: every frame and
    /// table page needed is counted before the first is taken. Each leaf
    /// table is found once, and frames that need no clearing are taken
    /// under one taking of the allocator's lock per leaf table.
    public mutating func mapFreshFrames(_ range: VirtualRange, permissions: PagePermissions, zeroed: Bool = true) throws(MapError) {
        guard Scheme.canEncode(permissions) else { throw .invalidPermissions }
        guard !range.isEmpty else { return }
        if range.size == pageBytes, range.start.isAligned(to: .size4K) {
            _ = try mapFreshFrame(at: range.start, permissions: permissions, zeroed: zeroed)
            return
        }
        let pages = range.size / pageBytes
        let tables = try tablePagesNeeded(toMap: range)
        guard frames.pointee.hasFreeFrames(pages + tables) else { throw .outOfMemory }
        let user = permissions.contains(.user)
        var va = range.start
        do throws(MapError) {
            while va < range.end {
                let table = try leafTable(for: va, user: user)
                let entries = mutableTableEntries(table)
                let groups = usedGroupWord(table)
                let stretchEnd = (va.raw | (Scheme.entrySpan(atLevel: 1) - 1)) &+ 1
                let end = stretchEnd == 0 ? range.end.raw : min(range.end.raw, stretchEnd)
                var index = Scheme.index(of: va, level: 0)
                if !zeroed { frames.pointee.acquireLock() }
                defer { if !zeroed { frames.pointee.releaseLock() } }
                while va.raw < end {
                    let frame: FrameNumber
                    do {
                        if zeroed {
                            frame = try frames.pointee.allocateZeroed(memory)
                        } else if let pooled = try? frames.pointee.allocateHoldingLock() {
                            frame = pooled
                        } else {
                            // The pool is empty: a frame from this CPU's cache, outside the lock.
                            frames.pointee.releaseLock()
                            defer { frames.pointee.acquireLock() }
                            frame = try frames.pointee.allocate()
                        }
                    } catch {
                        throw MapError.outOfMemory
                    }
                    groups?.pointee |= Self.groupBit(index)
                    entries[index] = Scheme.leafEntry(frame: frame.address, permissions: permissions, size: .size4K, owned: true)
                    index += 1
                    va = VirtualAddress(va.raw + pageBytes)
                }
            }
        } catch {
            // Unreachable after the count above; undo the pages mapped so far all the same.
            var undo = range.start
            while undo < va {
                if let removed = try? unmap(undo), removed.isOwned {
                    Self.releaseOwned(removed.pageStart, size: .size4K, frames: frames)
                }
                undo = VirtualAddress(undo.raw + pageBytes)
            }
            throw error
        }
    }

    /// Removes the page that starts at `va` and says what it mapped; the
    /// caller owns (and may free) that frame. Table pages stay until teardown.
    /// This CPU's TLB entry for `va` is dropped (`TranslationCache`).
    public mutating func unmap(_ va: VirtualAddress) throws(MapError) -> Translation {
        let leaf = try findLeaf(va)
        guard let size = PageSize(level: leaf.level) else { throw .unsupportedPageSize }
        guard va.isAligned(to: size) else { throw .misaligned }
        memory.store64(leaf.slot, 0)
        TranslationCache.pageChanged(va)
        return Translation(
            physicalAddress: leaf.entry.address, permissions: leaf.entry.permissions,
            pageSize: size, isOwned: leaf.entry.isOwned, isCopyOnWrite: leaf.entry.isCopyOnWrite)
    }

    /// Changes the permissions of the page that starts at `va`. Only its leaf
    /// entry changes (on x86-64 the tables above may gain U/S, never lose a bit).
    /// `copyOnWrite` sets or clears the copy-on-write mark; nil keeps it (a
    /// copy-on-write page stays without hardware write access). This CPU's
    /// TLB entry for `va` is dropped (`TranslationCache`).
    public mutating func protect(_ va: VirtualAddress, permissions: PagePermissions, copyOnWrite: Bool? = nil) throws(MapError) {
        guard Scheme.canEncode(permissions) else { throw .invalidPermissions }
        let leaf = try findLeaf(va)
        guard let size = PageSize(level: leaf.level) else { throw .unsupportedPageSize }
        guard va.isAligned(to: size) else { throw .misaligned }
        if permissions.contains(.user) {
            _ = try table(for: va, level: leaf.level, creating: false, userBeneath: true)
        }
        storeEntry(
            Scheme.leafEntry(
                frame: leaf.entry.address, permissions: permissions,
                size: size, owned: leaf.entry.isOwned, copyOnWrite: copyOnWrite ?? leaf.entry.isCopyOnWrite),
            at: leaf.slot)
        TranslationCache.pageChanged(va)
    }

    /// Points the 4 KiB leaf at `va` at `frame`, owned, with `permissions`
    /// and no copy-on-write mark, in one walk and one store: the frame of
    /// its own a copy-on-write page gets at a write. The caller owns the
    /// frame the leaf mapped before. This CPU's TLB entry for `va` is
    /// dropped (`TranslationCache`).
    public mutating func replaceLeaf(_ va: VirtualAddress, with frame: PhysicalAddress, permissions: PagePermissions) throws(MapError) {
        guard Scheme.canEncode(permissions) else { throw .invalidPermissions }
        guard frame.isAligned(to: .size4K) else { throw .misaligned }
        let leaf = try findLeaf(va)
        guard leaf.level == 0 else { throw .unsupportedPageSize }
        guard va.isAligned(to: .size4K) else { throw .misaligned }
        storeEntry(Scheme.leafEntry(frame: frame, permissions: permissions, size: .size4K, owned: true), at: leaf.slot)
        TranslationCache.pageChanged(va)
    }

    // MARK: Planning and carrying out

    mutating func mapChunks(
        _ range: VirtualRange, to pa: PhysicalAddress, permissions: PagePermissions,
        largestPage: PageSize, owned: Bool
    ) throws(MapError) {
        guard Scheme.isCanonical(range) else { throw .nonCanonical }
        guard Scheme.canHold(pa, size: range.size) else { throw .physicalOutOfRange }
        guard Scheme.canEncode(permissions) else { throw .invalidPermissions }
        let needed = try plan(range, to: pa, largestPage: largestPage)
        guard frames.pointee.hasFreeFrames(needed) else { throw .outOfMemory }

        var va = range.start
        var frame = pa
        while va < range.end {
            let size = Self.chunkSize(va, frame, remaining: range.end.raw - va.raw, largestPage: largestPage)
            do throws(MapError) {
                let user = permissions.contains(.user)
                let table: PhysicalAddress
                if size == .size4K {
                    table = try leafTable(for: va, user: user)
                } else {
                    guard let found = try self.table(for: va, level: size.level, creating: true, userBeneath: user) else {
                        throw .notMapped
                    }
                    table = found
                }
                let slot = entryAddress(in: table, index: Scheme.index(of: va, level: size.level))
                storeEntry(Scheme.leafEntry(frame: frame, permissions: permissions, size: size, owned: owned), at: slot)
            } catch {
                // Unreachable after planning; undo the pages mapped so far all the same.
                clearLeaves(VirtualRange(start: range.start, end: va)!)
                throw error
            }
            // No wrap: a chunk never reaches past `range.end`.
            va = VirtualAddress(va.raw + size.bytes)
            frame = PhysicalAddress(frame.raw + size.bytes)
        }
    }

    /// The table of 4 KiB leaves for `va`, made (with the tables above it)
    /// when missing; `user` opens the way to it to user mappings. Remembered
    /// for the next page of the same 2 MiB.
    mutating func leafTable(for va: VirtualAddress, user: Bool) throws(MapError) -> PhysicalAddress {
        if let known = leafTableHint.table(for: va, user: user) { return known }
        guard let found = try table(for: va, level: 0, creating: true, userBeneath: user) else { throw .notMapped }
        leafTableHint = LeafTableHint(va, table: found, opensUser: user)
        return found
    }

    /// Checks every chunk of `range` for conflicts and counts the distinct
    /// table pages its walks would have to create.
    func plan(_ range: VirtualRange, to pa: PhysicalAddress, largestPage: PageSize) throws(MapError) -> UInt64 {
        var counted = InlineArray<8, UInt64>(repeating: .max)
        var needed: UInt64 = 0
        var va = range.start
        var frame = pa
        // 4 KiB pages of one 2 MiB share a table: walk for the first only.
        var hint = leafTableHint
        var missingStretch = UInt64.max
        while va < range.end {
            let size = Self.chunkSize(va, frame, remaining: range.end.raw - va.raw, largestPage: largestPage)
            let (missing, slot): (UInt64, DecodedEntry?)
            if size == .size4K, let known = hint.table(for: va, user: false) {
                (missing, slot) = (0, decodedEntry(in: known, for: va, level: 0))
            } else if size == .size4K, missingStretch == LeafTableHint.stretch(va) {
                (missing, slot) = (0, nil)  // its table is missing, and counted already
            } else {
                let (count, entry, table) = try countMissingTables(for: va, downTo: size.level, counted: &counted)
                (missing, slot) = (count, entry)
                if size == .size4K {
                    if let table { hint = LeafTableHint(va, table: table, opensUser: false) } else { missingStretch = LeafTableHint.stretch(va) }
                }
            }
            needed += missing
            if let slot {
                switch slot.kind {
                case .invalid: break
                case .leaf: throw .alreadyMapped
                case .table: throw .largePageConflict
                }
            }
            va = VirtualAddress(va.raw + size.bytes)
            frame = PhysicalAddress(frame.raw &+ size.bytes)
        }
        return needed
    }

    /// Walks for `va` down to the table whose entries are at `level`. Returns
    /// how many table pages are missing on the way that `counted` (the last
    /// missing table counted per level) does not already hold, and the entry
    /// at `level` and its table when the walk gets there.
    @inline(__always)  // called from mutating walks: a call would copy the table value first
    func countMissingTables(
        for va: VirtualAddress, downTo level: Int,
        counted: inout InlineArray<8, UInt64>
    ) throws(MapError) -> (UInt64, DecodedEntry?, PhysicalAddress?) {
        var table = rootAddress
        var current = Scheme.levels - 1
        while current > level {
            let entry = decodedEntry(in: table, for: va, level: current)
            switch entry.kind {
            case .invalid:
                var missing: UInt64 = 0
                for below in level..<current {
                    let id = va.raw >> (12 + 9 * UInt64(below + 1))
                    if counted[below] != id {
                        counted[below] = id
                        missing += 1
                    }
                }
                return (missing, nil, nil)
            case .leaf:
                throw .largePageConflict
            case .table:
                guard !entry.isShared else { throw .sharedTable }
                table = entry.address
                current -= 1
            }
        }
        return (0, decodedEntry(in: table, for: va, level: level), table)
    }

    /// The table whose entries are at `level` on the walk for `va`, creating
    /// missing tables when `creating`; nil when one is missing otherwise.
    /// `userBeneath` opens the table entries on the way to user mappings.
    func table(for va: VirtualAddress, level: Int, creating: Bool, userBeneath: Bool) throws(MapError) -> PhysicalAddress? {
        var table = rootAddress
        var current = Scheme.levels - 1
        while current > level {
            let slot = entryAddress(in: table, index: Scheme.index(of: va, level: current))
            let raw = memory.load64(slot)
            let entry = Scheme.decode(raw, level: current)
            switch entry.kind {
            case .invalid:
                guard creating else { return nil }
                let next = try Self.allocateTable(memory: memory, frames: frames).address
                storeEntry(Scheme.tableEntry(pointingTo: next, userBeneath: userBeneath), at: slot)
                table = next
            case .leaf:
                throw .largePageConflict
            case .table:
                guard !entry.isShared else { throw .sharedTable }
                if userBeneath {
                    let opened = Scheme.allowingUserBeneath(raw)
                    if opened != raw { storeEntry(opened, at: slot) }
                }
                table = entry.address
            }
            current -= 1
        }
        return table
    }

    /// The leaf that maps `va`: where its entry is, its level and contents.
    func findLeaf(_ va: VirtualAddress) throws(MapError) -> (slot: PhysicalAddress, level: Int, entry: DecodedEntry) {
        guard Scheme.isCanonical(va) else { throw .nonCanonical }
        var table = rootAddress
        var level = Scheme.levels - 1
        while true {
            let slot = entryAddress(in: table, index: Scheme.index(of: va, level: level))
            let entry = Scheme.decode(memory.load64(slot), level: level)
            switch entry.kind {
            case .invalid:
                throw .notMapped
            case .leaf:
                return (slot, level, entry)
            case .table:
                guard !entry.isShared else { throw .sharedTable }
                guard level > 0 else { throw .notMapped }
                table = entry.address
                level -= 1
            }
        }
    }

    /// Clears every leaf that starts inside `range` (used to undo a mapping).
    func clearLeaves(_ range: VirtualRange) {
        var va = range.start
        while va < range.end {
            guard let leaf = try? findLeaf(va), let size = PageSize(level: leaf.level) else {
                va = VirtualAddress(va.raw &+ pageBytes)
                if va.raw == 0 { return }
                continue
            }
            memory.store64(leaf.slot, 0)
            va = VirtualAddress(va.alignedDown(to: size).raw &+ size.bytes)
            if va.raw == 0 { return }
        }
    }

    /// The largest page the scheme allows, not above `largestPage`, that fits at `va`/`pa` within `remaining` bytes.
    static func chunkSize(_ va: VirtualAddress, _ pa: PhysicalAddress, remaining: UInt64, largestPage: PageSize) -> PageSize {
        PageSize.largest(at: va, to: pa, remaining: remaining, upTo: largestPage) { Scheme.allowsLeaf(atLevel: $0.level) }
    }
}
