/// Moves bytes between the kernel and the current process's memory. Every
/// call checks the whole user range first (mapped or lazy, user-accessible,
/// writable for copy-out, inside user space) and reports false/nil instead
/// of faulting.
enum UserMemory {
    /// The current process's space, lent in place: a non-mutating method
    /// called through `space!` copies the whole space first (137 bytes on
    /// riscv64, a few times per system call that copies).
    private static func withCurrentSpace<Result, Failure: Error>(
        _ body: (inout ProcessSpace) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(&Processes.slots[Processes.current].space!)
    }

    static func copyIn(from source: VirtualAddress, into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        do throws(CopyError) {
            try withCurrentSpace { (space) throws(CopyError) in try space.copyIn(from: source, into: buffer) }
            return true
        } catch {
            return false
        }
    }

    /// Whether all of `[source, source + count)` can be copied in: one byte
    /// of every page is tried. A file write checks its source first, so a bad
    /// buffer fails the call before any disk block is allocated for it.
    static func isReadable(_ source: VirtualAddress, count: Int) -> Bool {
        guard count > 0 else { return true }
        guard let last = source.adding(UInt64(count - 1)) else { return false }
        var probe: UInt8 = 0
        var address = source
        while true {
            let ok = withUnsafeMutableBytes(of: &probe) { copyIn(from: address, into: $0) }
            guard ok else { return false }
            guard let next = address.alignedDown().adding(pageBytes), next <= last else { break }
            address = next
        }
        return withUnsafeMutableBytes(of: &probe) { copyIn(from: last, into: $0) }
    }

    /// A lazy or copy-on-write page in the way is resolved first, as the
    /// process's own write would; when that needs a frame and none is left,
    /// the process is killed as for its own write fault (and the call fails).
    static func copyOut(to destination: VirtualAddress, from bytes: UnsafeRawBufferPointer) -> Bool {
        let slot = Processes.current
        do throws(CopyError) {
            try Processes.slots[slot].space!.copyOut(to: destination, from: bytes)
            return true
        } catch {
            if case .outOfMemory(let page) = error {
                UserTrap.kill(slot, for: .outOfMemory, at: page, pc: VirtualAddress(UserFrames.of(slot).pointee.programCounter))
            }
            return false
        }
    }

    /// Copies a NUL-terminated string into `buffer`; its length, or nil when
    /// the pointer is bad or no NUL comes within the buffer.
    static func copyInString(from source: VirtualAddress, into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        do throws(CopyError) {
            return try withCurrentSpace { (space) throws(CopyError) in
                try space.copyInString(from: source, into: buffer, maxLength: buffer.count)
            }
        } catch {
            return nil
        }
    }

    static func copyIn(from source: VirtualAddress, into chunk: inout KernelBuffer, count: Int) -> Bool {
        withUnsafeMutableBytes(of: &chunk.bytes) { copyIn(from: source, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<count])) }
    }

    static func copyOut(to destination: VirtualAddress, from chunk: inout KernelBuffer, count: Int) -> Bool {
        withUnsafeBytes(of: &chunk.bytes) { copyOut(to: destination, from: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }
}
