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
    /// copied. Kernel-only pages and shared links are not copied: the caller
    /// gives the child its trampoline, trap frame and kernel stack as for a
    /// new process. On failure everything taken for the child is returned
    /// (pages this space marked copy-on-write stay so, which is harmless: a
    /// write takes the frame back when it has no other user). Each page that
    /// loses write access here is dropped from this CPU's TLB as it does
    /// (`PageTable.protect`).
    public mutating func clone() throws(MapError) -> AddressSpace<Scheme, Memory> {
        var child = try AddressSpace(memory: memory, frames: frames, userWindow: userWindow)
        child.heapStart = heapStart
        child.heapBreak = heapBreak
        child.stackReserve = stackReserve
        var failure: MapError? = nil
        var pages = InlineArray<64, VirtualAddress>(repeating: VirtualAddress(0))
        var cursor: VirtualAddress? = VirtualAddress(0)
        // The walk cannot change the table it walks: collect a batch of
        // pages, then share them, until the window is done.
        while let from = cursor, failure == nil {
            var count = 0
            cursor = nil
            forEachUserMapping(from: from) { va, _ in
                guard count < pages.count else {
                    cursor = va
                    return false
                }
                pages[count] = va
                count += 1
                return true
            }
            for i in 0..<count {
                do throws(MapError) {
                    try share(pages[i], with: &child)
                } catch {
                    failure = error
                    break
                }
            }
        }
        if let failure { throw failure }
        return child
    }

    /// Maps the page at `va` in `child` too: the same frame for a 4 KiB
    /// owned page (copy-on-write in both when writable), a copy otherwise.
    private mutating func share(_ va: VirtualAddress, with child: inout AddressSpace<Scheme, Memory>) throws(MapError) {
        guard let translation = translate(va) else { return }
        guard translation.pageSize == .size4K, translation.isOwned,
            (try? frames.pointee.retain(translation.pageStart.frame)) != nil
        else {
            try child.mapCopy(of: translation, at: va)
            return
        }
        let copyOnWrite = translation.isCopyOnWrite || translation.permissions.contains(.write)
        do throws(MapError) {
            try child.pageTable.map(
                va, to: translation.pageStart, permissions: translation.permissions, owned: true)
            if copyOnWrite {
                try child.pageTable.protect(va, permissions: translation.permissions, copyOnWrite: true)
                try pageTable.protect(va, permissions: translation.permissions, copyOnWrite: true)
            }
        } catch {
            _ = try? child.pageTable.unmap(va)
            PageTable<Scheme, Memory>.releaseOwned(translation.pageStart, size: .size4K, frames: frames)
            throw error
        }
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
            try pageTable.map(
                va, to: frame.address, size: size,
                permissions: Self.writablePermissions(translation), owned: true)
        } catch {
            PageTable<Scheme, Memory>.releaseOwned(frame.address, size: size, frames: frames)
            throw error
        }
    }

    /// What a mapping allows once it has a frame of its own: a
    /// copy-on-write page gets its write access back.
    static func writablePermissions(_ translation: Translation) -> PagePermissions {
        translation.isCopyOnWrite ? translation.permissions | .write : translation.permissions
    }
}
