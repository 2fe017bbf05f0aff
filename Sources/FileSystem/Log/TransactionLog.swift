/// The log's shared state.
///
/// Who touches what: `outstanding`, `committing`, `failed`, `waiting` and
/// `header` only under the `.log` spinlock, except that the one committer reads and
/// clears `header` without it while `committing` is set (no operation can
/// begin, so nobody else touches it then).
struct LogState {
    /// The header block (the superblock's `logStart`); logged copies follow it.
    var start = BlockNumber(0)
    /// Blocks one transaction (all operations of a group commit) may log.
    var capacity = 0
    /// Operations between `begin` and `end`.
    var outstanding = 0
    var committing = false
    /// A commit failed: memory and disk may disagree, so the volume
    /// refuses every further call.
    var failed = false
    /// Someone sleeps in `begin`: the next `end` wakes them (set by each
    /// sleeper, cleared by the wakeup; no wakeup when nobody waits).
    var waiting = false
    /// The home block numbers logged by the current transaction.
    var header = LogHeader()
}

/// The write-ahead log, in xv6's on-disk layout: a header block at
/// `logStart` naming up to `nlog - 1` home blocks, then their logged copies.
/// Every file-system call runs its writes between `begin` and `end`; the
/// last `end` of a group commits them all:
///  1. copy each logged block into the log area;
///  2. write the header with the count: the commit point;
///  3. write each block to its home location;
///  4. write the header with count 0.
/// A crash before 2 loses the transaction; after 2, mount replays it
/// (`recover`). Buffers of the open transaction stay pinned in the cache.
public struct TransactionLog<Device: BlockDevice, Host: FileSystemHost> {
    /// Blocks one operation may log (reserved at `begin`).
    public static var operationBlocks: Int { 10 }

    let cache: BufferCache<Device, Host>
    let state: UnsafeMutablePointer<LogState>
    var host: Host { cache.host }

    /// Starts an operation, waiting while a commit runs or while the log
    /// has no room for this operation's reservation.
    func begin() throws(FileSystemError) {
        host.acquire(.log)
        defer { host.release(.log) }
        while true {
            if state.pointee.failed { throw .ioError }
            let reserved = state.pointee.outstanding + 1
            if state.pointee.committing
                || Int(state.pointee.header.count) + reserved * Self.operationBlocks > state.pointee.capacity
            {
                state.pointee.waiting = true
                host.sleep(on: Self.channel, releasing: .log)
            } else {
                state.pointee.outstanding = reserved
                return
            }
        }
    }

    /// Records that the caller changed the locked buffer `buffer` in this
    /// operation: it is written at commit and pinned in the cache until then.
    func write(_ buffer: CachedBlock) throws(FileSystemError) {
        host.acquire(.log)
        defer { host.release(.log) }
        let count = Int(state.pointee.header.count)
        for i in 0..<count where state.pointee.header.blocks[i] == buffer.block.raw { return }
        guard count < state.pointee.capacity, state.pointee.outstanding > 0 else { throw .transactionTooLarge }
        state.pointee.header.blocks[count] = buffer.block.raw
        state.pointee.header.count += 1
        cache.pin(buffer)
    }

    /// Ends an operation; the last one out commits what the group logged
    /// (nothing to do, and one trip to the spinlock, when it logged no
    /// block). Throws when that commit failed (the volume then refuses
    /// further calls).
    func end() throws(FileSystemError) {
        host.acquire(.log)
        state.pointee.outstanding -= 1
        let commitNow = state.pointee.outstanding == 0 && state.pointee.header.count > 0
        if commitNow {
            state.pointee.committing = true
        } else {
            // This operation's reservation is free for a waiting one.
            wakeWaiting()
        }
        host.release(.log)
        guard commitNow else { return }

        var failure: FileSystemError? = nil
        do throws(FileSystemError) { try commit() } catch { failure = error }
        host.acquire(.log)
        state.pointee.committing = false
        if failure != nil { state.pointee.failed = true }
        wakeWaiting()
        host.release(.log)
        if let failure { throw failure }
    }

    /// Wakes the callers sleeping in `begin`, if any. Caller holds `.log`.
    private func wakeWaiting() {
        guard state.pointee.waiting else { return }
        state.pointee.waiting = false
        host.wakeup(Self.channel)
    }

    /// Whether a commit failed earlier.
    var failed: Bool {
        host.acquire(.log)
        defer { host.release(.log) }
        return state.pointee.failed
    }

    // MARK: - Commit

    private func commit() throws(FileSystemError) {
        let count = Int(state.pointee.header.count)
        guard count > 0 else { return }
        for i in 0..<count {
            let home = try cache.read(BlockNumber(state.pointee.header.blocks[i]))
            defer { cache.release(home) }
            let copy = try cache.readForOverwrite(logBlock(i))
            defer { cache.release(copy) }
            cache.bytes(copy).copyMemory(from: UnsafeRawBufferPointer(cache.bytes(home)))
            try cache.write(copy)
        }
        try writeHeader()
        for i in 0..<count {
            let home = try cache.read(BlockNumber(state.pointee.header.blocks[i]))
            defer { cache.release(home) }
            try cache.write(home)
            cache.unpin(home)
        }
        state.pointee.header.count = 0
        try writeHeader()
    }

    private func writeHeader() throws(FileSystemError) {
        let buffer = try cache.readForOverwrite(state.pointee.start)
        defer { cache.release(buffer) }
        let bytes = cache.bytes(buffer)
        bytes.initializeMemory(as: UInt8.self, repeating: 0)
        // Word by word through the pointer: the header is a kilobyte, and a
        // copy of it on the stack does not fit a one-page kernel stack.
        let count = state.pointee.header.count
        bytes.storeLittleEndianWord(count, at: 0)
        for i in 0..<min(Int(count), LogHeader.capacity) {
            bytes.storeLittleEndianWord(state.pointee.header.blocks[i], at: 4 + 4 * i)
        }
        try cache.write(buffer)
    }

    private func logBlock(_ index: Int) -> BlockNumber { BlockNumber(state.pointee.start.raw + 1 + UInt32(index)) }

    // MARK: - Recovery

    /// At mount: installs a committed transaction found in the log, then
    /// clears it. A header that names blocks outside `homeBlocks` or more
    /// blocks than the log holds is refused: the image is corrupt.
    func recover(logBlocks: UInt32, homeBlocks: Range<UInt32>) throws(FileSystemError) {
        // Decoded into the log's own header, word by word: a header is a
        // kilobyte, too much for a kernel stack.
        let headerBuffer = try cache.read(state.pointee.start)
        let bytes = cache.bytes(headerBuffer)
        let count = bytes.littleEndianWord(at: 0)
        guard count < logBlocks, Int(count) <= LogHeader.capacity else {
            cache.release(headerBuffer)
            throw .corruptLog
        }
        for i in 0..<Int(count) { state.pointee.header.blocks[i] = bytes.littleEndianWord(at: 4 + 4 * i) }
        cache.release(headerBuffer)
        for i in 0..<Int(count) where !homeBlocks.contains(state.pointee.header.blocks[i]) { throw .corruptLog }
        for i in 0..<Int(count) {
            let copy = try cache.read(logBlock(i))
            defer { cache.release(copy) }
            let home = try cache.readForOverwrite(BlockNumber(state.pointee.header.blocks[i]))
            defer { cache.release(home) }
            cache.bytes(home).copyMemory(from: UnsafeRawBufferPointer(cache.bytes(copy)))
            try cache.write(home)
        }
        state.pointee.header.count = 0
        if count > 0 { try writeHeader() }
    }

    static var channel: FileSystemChannel { FileSystemChannel(kind: .log, index: 0) }
}
