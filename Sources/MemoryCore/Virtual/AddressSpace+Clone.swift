/// fork: a child address space that shares the parent's user frames.
///
/// A user page is in one of these states (the page-table entry and the
/// frame allocator's reference count say which):
/// - lazy: inside the heap but never touched, so not mapped at all; the
///   first access maps a zeroed frame (`resolveFault`);
/// - private: mapped, its frame used by this address space alone;
/// - shared: mapped, its frame used by other address spaces too (a
///   reference count above one). A writable page is shared copy-on-write:
///   its leaf carries the copy-on-write mark and no hardware write access,
///   and the first write gives it a frame of its own (or takes the frame
///   back when every other user has gone). A read-only page (program text)
///   is simply shared.
extension AddressSpace {
    /// A new address space with the same user window, heap bounds and user
    /// pages at the same addresses: every 4 KiB user page is shared with
    /// this space (writable ones copy-on-write, in both), larger pages are
    /// copied (`PageTable.shareLeaves`: one walk of this space's user tables,
    /// building the child's table by table). Kernel-only pages and shared
    /// links are not copied: the caller gives the child its trampoline, trap
    /// frame and kernel stack as for a new process. On failure everything
    /// taken for the child is returned (pages this space marked
    /// copy-on-write stay so, which is harmless: a write takes the frame back
    /// when it has no other user). Each page that loses write access here
    /// is dropped from this CPU's TLB as it does (`TranslationCache`).
    public mutating func clone() throws(MapError) -> AddressSpace<Scheme, Memory> {
        var child = try AddressSpace(memory: memory, frames: frames, userWindow: userWindow)
        try shareUserPages(with: &child)
        return child
    }

    /// `clone` into `child`, a new space (nothing mapped in its user window,
    /// which is this space's) that the caller keeps where it will stay:
    /// fork builds the child's space in its process slot, where a space
    /// returned by value was copied whole on the way (twice per fork).
    /// On failure `child` keeps what was built so far; dropping it returns
    /// everything. Not inlined: its locals would otherwise sit in fork's
    /// frame, on the kernel stack's deepest path (fork, a failed fork's
    /// reaping, teardown).
    @inline(never)
    public mutating func shareUserPages(with child: inout AddressSpace<Scheme, Memory>) throws(MapError) {
        child.heapStart = heapStart
        child.heapBreak = heapBreak
        child.stackReserve = stackReserve
        try pageTable.shareLeaves(in: userWindow.low, with: &child.pageTable)
        if let high = userWindow.high { try pageTable.shareLeaves(in: high, with: &child.pageTable) }
    }

    /// What a mapping allows once it has a frame of its own: a
    /// copy-on-write page gets its write access back.
    static func writablePermissions(_ translation: Translation) -> PagePermissions {
        translation.isCopyOnWrite ? translation.permissions | .write : translation.permissions
    }
}
