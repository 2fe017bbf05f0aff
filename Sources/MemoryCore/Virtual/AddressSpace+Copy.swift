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
    /// Writing the page at this address needs a frame (it was lazy or
    /// copy-on-write) and none is left: what kills a process that writes
    /// there itself.
    case outOfMemory(VirtualAddress)
}

/// Copies between kernel buffers and user memory. Every user range is
/// checked page by page (inside the window, mapped or lazy, user, and
/// readable or writable) before the first byte moves, so a bad pointer
/// changes nothing. Reading a lazy page reads zeros without mapping it;
/// writing a lazy or copy-on-write page first does what the process's own
/// write fault would do (`resolveFault`).
extension AddressSpace {
    /// Copies `source` to user memory at `va`; the pages must be writable.
    public mutating func copyOut(to va: VirtualAddress, from source: UnsafeRawBufferPointer) throws(CopyError) {
        try store(source, at: va, needs: .write)
    }

    /// Copies user memory at `va` into `destination`.
    public func copyIn(from va: VirtualAddress, into destination: UnsafeMutableRawBufferPointer) throws(CopyError) {
        guard let base = destination.baseAddress, destination.count > 0 else { return }
        try withCheckedUserRange(va, count: UInt64(destination.count), needs: .read) { user, done, count in
            if let user {
                (base + done).copyMemory(from: user, byteCount: count)
            } else {
                (base + done).initializeMemory(as: UInt8.self, repeating: 0, count: count)
            }
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
                    let byte = user?.load(fromByteOffset: i, as: UInt8.self) ?? 0
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
    public mutating func storeUserBytes(at va: VirtualAddress, from source: UnsafeRawBufferPointer) throws(CopyError) {
        try store(source, at: va, needs: .none)
    }

    /// Zeroes `count` bytes of user pages at `va` whatever their write permission.
    public mutating func zeroUserBytes(at va: VirtualAddress, count: UInt64) throws(CopyError) {
        guard count > 0 else { return }
        try withWritableUserRange(va, count: count, needs: .none) { user, _, chunk in
            user.initializeMemory(as: UInt8.self, repeating: 0, count: chunk)
        }
    }

    /// Throws unless every byte of `[va, va + count)` is in the user window
    /// on a mapped (or lazy) user page that allows `needs` (and reading, for
    /// `.none` too is enough: x86-64 pages are always readable). A
    /// copy-on-write page allows writing.
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

    /// What a copy finds at a user page that passed the checks.
    enum CheckedPage {
        /// The page's bytes, where the kernel reaches them.
        case mapped(UnsafeMutableRawPointer)
        /// A lazy page: it reads as zeros and has no frame yet.
        case untouched
        /// A page that needs a frame of its own before it may be written
        /// (copy-on-write, or shared when the loader writes it).
        case shared
    }

    /// The 4 KiB page at `page` (aligned) if it is a user page that allows
    /// `needs` (mapped, or lazy); otherwise the error for it. Inlined:
    /// called from the mutating `withWritableUserRange`, a call would copy
    /// the whole space first.
    @inline(__always)
    func checkedUserPage(_ page: VirtualAddress, needs: PagePermissions) throws(CopyError) -> CheckedPage {
        guard let translation = translate(page) else {
            guard isLazy(page) else { throw .notMapped(page) }
            return .untouched
        }
        guard let pointer = memory.pointer(to: translation.physicalAddress, count: pageBytes) else {
            throw .notMapped(page)
        }
        let allowed = Self.writablePermissions(translation)
        guard allowed.contains(.user) else { throw .notUserAccessible(page) }
        if needs.contains(.read) && !allowed.contains(.read) { throw .notReadable(page) }
        if needs.contains(.write) && !allowed.contains(.write) { throw .notWritable(page) }
        if needs.contains(.write) && translation.isCopyOnWrite { return .shared }
        if needs == .none && translation.isOwned && translation.pageSize == .size4K
            && frames.pointee.users(of: translation.pageStart.frame) > 1
        {
            return .shared
        }
        return .mapped(pointer)
    }

    /// `checkUserRange`, then `body` for each piece of the range as
    /// `forEachChunk` gives them (nil for a lazy page). A range inside one
    /// page (what most system calls pass) takes one page-table walk for
    /// both, with the same checks.
    private func withCheckedUserRange(
        _ va: VirtualAddress, count: UInt64, needs: PagePermissions,
        _ body: (UnsafeMutableRawPointer?, Int, Int) -> Void
    ) throws(CopyError) {
        if count > 0 && count <= pageBytes - va.offset() {
            guard let range = VirtualRange(start: va, size: count), userWindow.contains(range) else {
                throw .outsideUserSpace
            }
            switch try checkedUserPage(va.alignedDown(), needs: needs) {
            case .mapped(let page): body(page + Int(va.offset()), 0, Int(count))
            case .untouched, .shared: try forEachChunk(va, count: count, body)
            }
            return
        }
        try checkUserRange(va, count: count, needs: needs)
        try forEachChunk(va, count: count, body)
    }

    /// Like `withCheckedUserRange` for a write: after the checks, every lazy
    /// or shared page of the range gets a frame of its own, then `body`
    /// writes. Out of frames, the pages resolved so far stay resolved (that
    /// changes no byte the process can see) and `.outOfMemory` is thrown.
    private mutating func withWritableUserRange(
        _ va: VirtualAddress, count: UInt64, needs: PagePermissions,
        _ body: (UnsafeMutableRawPointer, Int, Int) -> Void
    ) throws(CopyError) {
        if count > 0 && count <= pageBytes - va.offset() {
            guard let range = VirtualRange(start: va, size: count), userWindow.contains(range) else {
                throw .outsideUserSpace
            }
            if case .mapped(let page) = try checkedUserPage(va.alignedDown(), needs: needs) {
                body(page + Int(va.offset()), 0, Int(count))
                return
            }
        } else {
            try checkUserRange(va, count: count, needs: needs)
        }
        var page = va.alignedDown()
        while page.raw < va.raw + count {
            switch try checkedUserPage(page, needs: needs) {
            case .mapped: break
            case .untouched:
                do throws(MapError) {
                    _ = try resolveFault(at: page, write: true)
                } catch {
                    throw .outOfMemory(page)
                }
            case .shared:
                guard let translation = translate(page) else { throw .notMapped(page) }
                do throws(MapError) {
                    try makePrivate(page, translation)
                } catch {
                    throw .outOfMemory(page)
                }
            }
            page = VirtualAddress(page.raw + pageBytes)
        }
        try forEachChunk(va, count: count) { user, done, chunk in
            if let user { body(user, done, chunk) }
        }
    }

    private mutating func store(_ source: UnsafeRawBufferPointer, at va: VirtualAddress, needs: PagePermissions) throws(CopyError) {
        guard let base = source.baseAddress, source.count > 0 else { return }
        try withWritableUserRange(va, count: UInt64(source.count), needs: needs) { user, done, count in
            user.copyMemory(from: base + done, byteCount: count)
        }
    }

    /// Calls `body` with a pointer to each piece of `[va, va + count)` that
    /// lies in one page (nil for a lazy page), the bytes done before it, and
    /// its length. The range must have passed `checkUserRange`.
    private func forEachChunk(
        _ va: VirtualAddress, count: UInt64,
        _ body: (UnsafeMutableRawPointer?, Int, Int) -> Void
    ) throws(CopyError) {
        var done: UInt64 = 0
        var cursor = va
        while done < count {
            let chunk = min(pageBytes - cursor.offset(), count - done)
            if let translation = translate(cursor) {
                guard let user = memory.pointer(to: translation.physicalAddress, count: chunk) else {
                    throw .notMapped(cursor.alignedDown())
                }
                body(user, Int(done), Int(chunk))
            } else {
                guard isLazy(cursor.alignedDown()) else { throw .notMapped(cursor.alignedDown()) }
                body(nil, Int(done), Int(chunk))
            }
            done += chunk
            cursor = VirtualAddress(cursor.raw &+ chunk)
        }
    }
}
