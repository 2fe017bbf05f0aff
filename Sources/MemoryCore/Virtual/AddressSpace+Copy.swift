/// Why a copy between kernel and user memory was refused. Nothing of the
/// user's memory has been written when one is thrown.
public enum CopyError: Error, Equatable, Sendable {
    /// Some byte lies outside the user window: a kernel address, a
    /// non-canonical one, or a length that wraps past the top of memory.
    case outsideUserSpace
    /// The page at this address is not mapped.
    case notMapped(VirtualAddress)
    /// The page at this address is mapped for the kernel only.
    case notUserAccessible(VirtualAddress)
    /// The page at this address may not be read.
    case notReadable(VirtualAddress)
    /// The page at this address may not be written.
    case notWritable(VirtualAddress)
    /// No NUL within the length limit.
    case unterminatedString
}

/// Copies between kernel buffers and user memory. Every user range is
/// checked page by page (inside the window, mapped, user, and readable or
/// writable) before the first byte moves, so a bad pointer changes nothing.
extension AddressSpace {
    /// Copies `source` to user memory at `va`; the pages must be writable.
    public func copyOut(to va: VirtualAddress, from source: UnsafeRawBufferPointer) throws(CopyError) {
        try store(source, at: va, needs: .write)
    }

    /// Copies user memory at `va` into `destination`.
    public func copyIn(from va: VirtualAddress, into destination: UnsafeMutableRawBufferPointer) throws(CopyError) {
        guard let base = destination.baseAddress, destination.count > 0 else { return }
        try withCheckedUserRange(va, count: UInt64(destination.count), needs: .read) { user, done, count in
            (base + done).copyMemory(from: user, byteCount: count)
        }
    }

    /// Copies a NUL-terminated string from `va` into `buffer`, terminator
    /// included, reading at most `min(maxLength, buffer.count)` bytes; returns
    /// its length without the NUL. Each page is checked before it is read.
    /// On error the buffer's contents are unspecified.
    public func copyInString(
        from va: VirtualAddress, into buffer: UnsafeMutableRawBufferPointer,
        maxLength: Int
    ) throws(CopyError) -> Int {
        let limit = max(0, min(maxLength, buffer.count))
        var done = 0
        var cursor = va
        while done < limit {
            let count = min(Int(pageBytes - cursor.offset()), limit - done)
            var length: Int? = nil
            try withCheckedUserRange(cursor, count: UInt64(count), needs: .read) { user, offset, chunk in
                guard length == nil else { return }
                for i in 0..<chunk {
                    let byte = user.load(fromByteOffset: i, as: UInt8.self)
                    buffer[done + offset + i] = byte
                    if byte == 0 {
                        length = done + offset + i
                        return  // the rest of the page is not the string's
                    }
                }
            }
            if let length { return length }
            done += count
            cursor = VirtualAddress(cursor.raw + UInt64(count))
        }
        throw .unterminatedString
    }

    /// Writes `source` into user pages at `va` whatever their write
    /// permission (the program loader fills read-only text this way).
    public func storeUserBytes(at va: VirtualAddress, from source: UnsafeRawBufferPointer) throws(CopyError) {
        try store(source, at: va, needs: .none)
    }

    /// Zeroes `count` bytes of user pages at `va` whatever their write permission.
    public func zeroUserBytes(at va: VirtualAddress, count: UInt64) throws(CopyError) {
        guard count > 0 else { return }
        try withCheckedUserRange(va, count: count, needs: .none) { user, _, chunk in
            user.initializeMemory(as: UInt8.self, repeating: 0, count: chunk)
        }
    }

    /// Throws unless every byte of `[va, va + count)` is in the user window
    /// on a mapped user page that allows `needs` (and reading, for `.none`
    /// too is enough: x86-64 pages are always readable).
    public func checkUserRange(_ va: VirtualAddress, count: UInt64, needs: PagePermissions) throws(CopyError) {
        guard let range = VirtualRange(start: va, size: count), userWindow.contains(range) else {
            throw .outsideUserSpace
        }
        var page = va.alignedDown()
        while page < range.end {
            _ = try checkedUserPage(page, needs: needs)
            guard let next = page.adding(pageBytes) else { break }
            page = next
        }
    }

    /// The 4 KiB page at `page` (aligned) where the kernel reaches it, if it is
    /// a mapped user page that allows `needs`; otherwise the error for it.
    private func checkedUserPage(_ page: VirtualAddress, needs: PagePermissions) throws(CopyError) -> UnsafeMutableRawPointer {
        guard let translation = translate(page),
            let pointer = memory.pointer(to: translation.physicalAddress, count: pageBytes)
        else { throw .notMapped(page) }
        let allowed = translation.permissions
        guard allowed.contains(.user) else { throw .notUserAccessible(page) }
        if needs.contains(.read) && !allowed.contains(.read) { throw .notReadable(page) }
        if needs.contains(.write) && !allowed.contains(.write) { throw .notWritable(page) }
        return pointer
    }

    /// `checkUserRange`, then `body` for each piece of the range as
    /// `forEachChunk` gives them. A range inside one page (what most system
    /// calls pass) takes one page-table walk for both, with the same checks.
    private func withCheckedUserRange(
        _ va: VirtualAddress, count: UInt64, needs: PagePermissions,
        _ body: (UnsafeMutableRawPointer, Int, Int) -> Void
    ) throws(CopyError) {
        if count > 0 && count <= pageBytes - va.offset() {
            guard let range = VirtualRange(start: va, size: count), userWindow.contains(range) else {
                throw .outsideUserSpace
            }
            let page = try checkedUserPage(va.alignedDown(), needs: needs)
            body(page + Int(va.offset()), 0, Int(count))
            return
        }
        try checkUserRange(va, count: count, needs: needs)
        try forEachChunk(va, count: count, body)
    }

    private func store(_ source: UnsafeRawBufferPointer, at va: VirtualAddress, needs: PagePermissions) throws(CopyError) {
        guard let base = source.baseAddress, source.count > 0 else { return }
        try withCheckedUserRange(va, count: UInt64(source.count), needs: needs) { user, done, count in
            user.copyMemory(from: base + done, byteCount: count)
        }
    }

    /// Calls `body` with a pointer to each piece of `[va, va + count)` that
    /// lies in one page, the bytes done before it, and its length. The range
    /// must have passed `checkUserRange`.
    private func forEachChunk(
        _ va: VirtualAddress, count: UInt64,
        _ body: (UnsafeMutableRawPointer, Int, Int) -> Void
    ) throws(CopyError) {
        var done: UInt64 = 0
        var cursor = va
        while done < count {
            let chunk = min(pageBytes - cursor.offset(), count - done)
            guard let translation = translate(cursor),
                let user = memory.pointer(to: translation.physicalAddress, count: chunk)
            else { throw .notMapped(cursor.alignedDown()) }
            body(user, Int(done), Int(chunk))
            done += chunk
            cursor = VirtualAddress(cursor.raw &+ chunk)
        }
    }
}
