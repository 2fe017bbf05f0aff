/// A process's address space: a page table plus ownership of the frames
/// mapped in it. Pages inside the user window are always user pages the
/// space allocated and owns. Outside it sit kernel-only pages: borrowed ones
/// (`mapKernelPage`: the trampoline, shared kernel pages) and owned ones
/// (`mapOwnedKernelPage`: trap frame, per-process kernel stack). An owned
/// frame is marked by a software bit in its leaf entry, so teardown finds
/// exactly the frames to free without any other bookkeeping.
///
/// Teardown frees every owned frame and every table page in one walk: the
/// space has its page table free the owned leaves with the tables.
public struct AddressSpace<Scheme: PagingScheme, Memory: PhysicalMemory>: ~Copyable {
    public internal(set) var pageTable: PageTable<Scheme, Memory>
    public let userWindow: UserWindow
    /// First address of the heap (page aligned); `heapBreak` is its end.
    public internal(set) var heapStart: VirtualAddress
    public internal(set) var heapBreak: VirtualAddress
    /// Where the stack may grow: pages here that are not mapped yet are
    /// lazy, mapped zeroed at their first touch (nil: the stack never grows).
    public var stackReserve: VirtualRange? = nil

    public init(memory: Memory, frames: UnsafeMutablePointer<FrameAllocator>, userWindow: UserWindow) throws(MapError) {
        pageTable = try PageTable(memory: memory, frames: frames)
        pageTable.freesOwnedLeaves = true
        self.userWindow = userWindow
        heapStart = userWindow.low.start
        heapBreak = userWindow.low.start
    }

    public var memory: Memory { pageTable.memory }
    public var frames: UnsafeMutablePointer<FrameAllocator> { pageTable.frames }
    /// The root table's physical address, for satp or CR3.
    public var rootAddress: PhysicalAddress { pageTable.rootAddress }

    public func translate(_ va: VirtualAddress) -> Translation? { pageTable.translate(va) }

    // MARK: User pages

    /// Maps fresh zeroed frames over `range` (page aligned, inside the user
    /// window, nothing mapped there yet). `.user` is added to `permissions`.
    /// Either every page is mapped or, on any error, nothing is and no frame is spent.
    public mutating func mapUserPages(_ range: VirtualRange, permissions: PagePermissions) throws(MapError) {
        guard range.start.isAligned(to: .size4K), range.end.isAligned(to: .size4K) else { throw .misaligned }
        guard userWindow.contains(range) else { throw .outsideUserWindow }
        try mapFreshPages(range, permissions: permissions | .user)
    }

    /// Unmaps and frees every user page in `range` (page aligned, inside the
    /// user window); holes are skipped.
    public mutating func unmapUserPages(_ range: VirtualRange) throws(MapError) {
        guard range.start.isAligned(to: .size4K), range.end.isAligned(to: .size4K) else { throw .misaligned }
        guard userWindow.contains(range) else { throw .outsideUserWindow }
        unmapOwned(range)
    }

    /// Changes the permissions of every page of `range`, all of which must be
    /// mapped user pages. `.user` is added to `permissions`.
    public mutating func protectUserPages(_ range: VirtualRange, permissions: PagePermissions) throws(MapError) {
        guard range.start.isAligned(to: .size4K), range.end.isAligned(to: .size4K) else { throw .misaligned }
        guard userWindow.contains(range) else { throw .outsideUserWindow }
        let permissions = permissions | .user
        guard Scheme.canEncode(permissions) else { throw .invalidPermissions }
        var va = range.start
        while va < range.end {
            guard translate(va) != nil else { throw .notMapped }
            va = VirtualAddress(va.raw + pageBytes)
        }
        va = range.start
        while va < range.end {
            try pageTable.protect(va, permissions: permissions)
            va = VirtualAddress(va.raw + pageBytes)
        }
    }

    /// Calls `body` for each user page (page start, translation) in address
    /// order, both parts of the window, from the page at `from` on; stops
    /// when `body` returns false.
    public func forEachUserMapping(from: VirtualAddress = VirtualAddress(0), _ body: (VirtualAddress, Translation) -> Bool) {
        var going = true
        for part in 0..<2 {
            guard going, let window = part == 0 ? userWindow.low : userWindow.high else { continue }
            guard window.end > from else { continue }
            let range = from > window.start ? VirtualRange(start: from, end: window.end)! : window
            pageTable.forEachMapping(in: range, includeShared: false) { va, translation in
                going = body(va, translation)
                return going
            }
        }
    }

    /// Bytes of user memory mapped (for sbrk accounting and vmmap).
    public func userBytes() -> UInt64 {
        var total: UInt64 = 0
        forEachUserMapping { _, translation in
            total += translation.pageSize.bytes
            return true
        }
        return total
    }

    // MARK: Helpers

    /// Maps owned frames over `range` (page aligned), zeroed unless told
    /// otherwise, all or nothing (`PageTable.mapFreshFrames`).
    mutating func mapFreshPages(_ range: VirtualRange, permissions: PagePermissions, zeroed: Bool = true) throws(MapError) {
        try pageTable.mapFreshFrames(range, permissions: permissions, zeroed: zeroed)
    }

    /// Unmaps every page that starts inside `range`, freeing owned frames.
    mutating func unmapOwned(_ range: VirtualRange) {
        var cursor = range.start
        while cursor < range.end, let (va, _) = pageTable.firstMapping(from: cursor, before: range.end) {
            guard va >= range.start else {
                // A large page that begins below the range is not ours to remove.
                guard let translation = translate(va), let next = va.adding(translation.pageSize.bytes) else { return }
                cursor = next
                continue
            }
            guard let removed = try? pageTable.unmap(va) else { return }
            if removed.isOwned {
                PageTable<Scheme, Memory>.releaseOwned(removed.pageStart, size: removed.pageSize, frames: frames)
            }
            guard let next = va.adding(removed.pageSize.bytes) else { return }
            cursor = next
        }
    }
}
