/// The user heap: `[heapStart, heapBreak)`, whole read-write user pages up
/// to the break rounded up. Growing only moves the break: the new pages are
/// lazy, and each gets a zeroed frame at its first touch (`resolveFault`).
/// Shrinking frees the pages wholly above the new break that were touched.
/// A refused change leaves the break, the mappings and the free-frame count
/// as they were.
extension AddressSpace {
    /// Places the heap (page aligned, inside the user window). Only while it is empty.
    public mutating func setHeapStart(_ start: VirtualAddress) throws(MapError) {
        guard start.isAligned(to: .size4K) else { throw .misaligned }
        guard heapBreak == heapStart else { throw .invalidHeapBreak }
        guard let empty = VirtualRange(start: start, size: 0), userWindow.contains(empty) else { throw .outsideUserWindow }
        heapStart = start
        heapBreak = start
    }

    /// Moves the break to `newBreak`, freeing touched pages when it falls.
    public mutating func setHeapBreak(_ newBreak: VirtualAddress) throws(MapError) {
        guard newBreak >= heapStart else { throw .invalidHeapBreak }
        guard let newTop = newBreak.alignedUp(), let oldTop = heapBreak.alignedUp(),
            let heap = VirtualRange(start: heapStart, end: newTop), userWindow.contains(heap)
        else { throw .outsideUserWindow }
        if newTop > oldTop {
            let added = VirtualRange(start: oldTop, end: newTop)!
            // Growth whose pages (and their tables) could not all be touched
            // with the frames free now is refused at once.
            guard frames.pointee.hasFreeFrames(added.size / pageBytes) else { throw .outOfMemory }
            guard pageTable.firstMapping(from: added.start, before: added.end) == nil else { throw .alreadyMapped }
            let tables = try pageTable.tablePagesNeeded(toMap: added)
            guard frames.pointee.hasFreeFrames(added.size / pageBytes + tables) else { throw .outOfMemory }
        } else if newTop < oldTop {
            try unmapUserPages(VirtualRange(start: newTop, end: oldTop)!)
        }
        heapBreak = newBreak
    }

    /// Grows the heap by `bytes` and returns the old break (sbrk with n >= 0).
    @discardableResult
    public mutating func growHeap(by bytes: UInt64) throws(MapError) -> VirtualAddress {
        let old = heapBreak
        guard let newBreak = old.adding(bytes) else { throw .outsideUserWindow }
        try setHeapBreak(newBreak)
        return old
    }

    /// Shrinks the heap by `bytes` and returns the old break (sbrk with n < 0).
    @discardableResult
    public mutating func shrinkHeap(by bytes: UInt64) throws(MapError) -> VirtualAddress {
        let old = heapBreak
        guard let newBreak = old.subtracting(bytes) else { throw .invalidHeapBreak }
        try setHeapBreak(newBreak)
        return old
    }

    /// Grows the heap so that it ends at `newBreak` (not below the current break).
    public mutating func growHeap(to newBreak: VirtualAddress) throws(MapError) {
        guard newBreak >= heapBreak else { throw .invalidHeapBreak }
        try setHeapBreak(newBreak)
    }

    /// Shrinks the heap so that it ends at `newBreak` (not above the current break).
    public mutating func shrinkHeap(to newBreak: VirtualAddress) throws(MapError) {
        guard newBreak <= heapBreak else { throw .invalidHeapBreak }
        try setHeapBreak(newBreak)
    }
}
