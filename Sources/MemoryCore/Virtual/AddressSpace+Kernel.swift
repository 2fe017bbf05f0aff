/// Kernel-only pages in a process's address space. They must lie outside
/// the user window and carry no `.user`, so that everything in the window is
/// a user page the space owns and everything outside is the kernel's.
extension AddressSpace {
    /// Maps a page the space does not own (the trampoline, a shared kernel
    /// page): teardown unmaps it with the tables but never frees its frame.
    public mutating func mapKernelPage(
        _ va: VirtualAddress, to pa: PhysicalAddress,
        permissions: PagePermissions, size: PageSize = .size4K
    ) throws(MapError) {
        guard let range = VirtualRange(start: va, size: size.bytes) else { throw .nonCanonical }
        try checkKernelOnly(range, permissions: permissions)
        try pageTable.map(va, to: pa, size: size, permissions: permissions)
    }

    /// Maps a fresh frame at `va` that the space owns (a trap frame),
    /// zeroed unless `zeroed` is false, and returns its physical address.
    @discardableResult
    public mutating func mapOwnedKernelPage(
        _ va: VirtualAddress, permissions: PagePermissions, zeroed: Bool = true
    ) throws(MapError) -> PhysicalAddress {
        guard let range = VirtualRange(start: va, size: pageBytes) else { throw .nonCanonical }
        guard va.isAligned(to: .size4K) else { throw .misaligned }
        try checkKernelOnly(range, permissions: permissions)
        return try pageTable.mapFreshFrame(at: va, permissions: permissions, zeroed: zeroed)
    }

    /// Maps fresh frames over `range` that the space owns (a per-process
    /// kernel stack); all or nothing. `zeroed: false` skips clearing them,
    /// for memory only the kernel reads and always writes first (a stack):
    /// user space never sees these frames, and clearing 256 KiB costs a fork
    /// about 65,000 instructions.
    public mutating func mapOwnedKernelPages(
        _ range: VirtualRange, permissions: PagePermissions, zeroed: Bool = true
    ) throws(MapError) {
        guard range.start.isAligned(to: .size4K), range.end.isAligned(to: .size4K) else { throw .misaligned }
        try checkKernelOnly(range, permissions: permissions)
        try mapFreshPages(range, permissions: permissions, zeroed: zeroed)
    }

    /// Unmaps the kernel-only pages that start in `range`, freeing the owned ones.
    public mutating func unmapKernelPages(_ range: VirtualRange) throws(MapError) {
        guard !userWindow.overlaps(range) else { throw .insideUserWindow }
        unmapOwned(range)
    }

    /// Links subtables of another page table (the kernel's) into this space;
    /// see `PageTable.linkShared`. The range must lie outside the user window.
    public mutating func linkShared(
        _ range: VirtualRange, atLevel level: Int,
        from other: borrowing PageTable<Scheme, Memory>
    ) throws(MapError) {
        guard !userWindow.overlaps(range) else { throw .insideUserWindow }
        try pageTable.linkShared(range, atLevel: level, from: other)
    }

    /// Inlined: called from mutating methods, a call would copy the whole space first.
    @inline(__always)
    func checkKernelOnly(_ range: VirtualRange, permissions: PagePermissions) throws(MapError) {
        guard !permissions.contains(.user) else { throw .invalidPermissions }
        guard !userWindow.overlaps(range) else { throw .insideUserWindow }
    }
}
