/// Page faults the address space resolves itself: a write to a
/// copy-on-write page and the first touch of a lazy page (see
/// AddressSpace+Clone.swift for the states of a page). The kernel's fault
/// handlers and the copy routines both come here, so a write from the
/// kernel on a process's behalf does exactly what the process's own write
/// would have done.
extension AddressSpace {
    /// Makes the access that faulted at `va` possible when the page is lazy
    /// or (for a write) copy-on-write, and returns true; returns false when
    /// the fault is the program's own (unmapped, or not allowed), for the
    /// caller to report. Throws `.outOfMemory` when the page needs a frame
    /// (or a table page) and none is left; nothing has changed then.
    /// A page whose leaf changes is dropped from this CPU's TLB as it does.
    public mutating func resolveFault(at va: VirtualAddress, write: Bool) throws(MapError) -> Bool {
        let page = va.alignedDown()
        guard let range = VirtualRange(start: page, size: pageBytes), userWindow.contains(range) else { return false }
        if let translation = translate(page) {
            guard write, translation.isCopyOnWrite, translation.isOwned, translation.pageSize == .size4K else { return false }
            try makePrivate(page, translation)
            return true
        }
        guard isLazy(page) else { return false }
        try mapFreshPages(range, permissions: .readWrite | .user)
        return true
    }

    /// True when `page` (aligned) is unmapped but reserved for the process,
    /// so that touching it maps a zeroed frame: inside the heap, or inside
    /// the stack's reserve.
    public func isLazy(_ page: VirtualAddress) -> Bool {
        if page >= heapStart, let top = heapBreak.alignedUp(), page < top { return translate(page) == nil }
        if let reserve = stackReserve, reserve.contains(page) { return translate(page) == nil }
        return false
    }

    /// Gives the 4 KiB owned page at `page` a frame this space alone uses,
    /// with write access back if it was copy-on-write: the same frame when
    /// no other space maps it any more, a copy otherwise.
    mutating func makePrivate(_ page: VirtualAddress, _ translation: Translation) throws(MapError) {
        let shared = translation.pageStart
        let permissions = Self.writablePermissions(translation)
        if frames.pointee.users(of: shared.frame) <= 1 {
            try pageTable.protect(page, permissions: permissions, copyOnWrite: false)
            return
        }
        let fresh = try PageTable<Scheme, Memory>.allocateFrame(zeroed: false, memory: memory, frames: frames)
        guard let source = memory.pointer(to: shared, count: pageBytes),
            let target = memory.pointer(to: fresh.address, count: pageBytes)
        else {
            PageTable<Scheme, Memory>.releaseOwned(fresh.address, size: .size4K, frames: frames)
            throw .notMapped
        }
        target.copyMemory(from: source, byteCount: Int(pageBytes))
        do throws(MapError) {
            try pageTable.replaceLeaf(page, with: fresh.address, permissions: permissions)
        } catch {
            // Unreachable (the leaf was just found); the shared page stays.
            PageTable<Scheme, Memory>.releaseOwned(fresh.address, size: .size4K, frames: frames)
            throw error
        }
        PageTable<Scheme, Memory>.releaseOwned(shared, size: .size4K, frames: frames)
    }
}
