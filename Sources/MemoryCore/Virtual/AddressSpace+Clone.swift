/// fork: a child address space with its own copy of every user page.
extension AddressSpace {
    /// A new address space with the same user window, heap bounds and user
    /// pages (same addresses and permissions, fresh frames, same contents).
    /// Kernel-only pages and shared links are not copied: the caller gives the
    /// child its trampoline, trap frame and kernel stack as for a new process.
    /// On failure everything taken for the child is returned.
    public func clone() throws(MapError) -> AddressSpace<Scheme, Memory> {
        var child = try AddressSpace(memory: memory, frames: frames, userWindow: userWindow)
        child.heapStart = heapStart
        child.heapBreak = heapBreak
        var failure: MapError? = nil
        forEachUserMapping { va, translation in
            do throws(MapError) {
                try child.mapCopy(of: translation, at: va)
                return true
            } catch {
                failure = error
                return false
            }
        }
        if let failure { throw failure }
        return child
    }

    /// Maps at `va` a fresh owned copy of the page `translation` describes.
    mutating func mapCopy(of translation: Translation, at va: VirtualAddress) throws(MapError) {
        let size = translation.pageSize
        let count = size.bytes / pageBytes
        let frame: FrameNumber
        do {
            frame = try frames.pointee.allocateContiguous(count: count, alignment: count)
        } catch {
            throw .outOfMemory
        }
        guard let source = memory.pointer(to: translation.pageStart, count: size.bytes),
            let target = memory.pointer(to: frame.address, count: size.bytes)
        else {
            PageTable<Scheme, Memory>.releaseOwned(frame.address, size: size, frames: frames)
            throw .notMapped
        }
        target.copyMemory(from: source, byteCount: Int(size.bytes))
        do throws(MapError) {
            try pageTable.map(va, to: frame.address, size: size, permissions: translation.permissions, owned: true)
        } catch {
            PageTable<Scheme, Memory>.releaseOwned(frame.address, size: size, frames: frames)
            throw error
        }
    }
}
