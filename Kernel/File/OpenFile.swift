/// What an open file refers to.
enum FileKind: Equatable {
    case pipeReader(Int)
    case pipeWriter(Int)
    /// A file or directory of the root file system, by a counted inode
    /// reference the open file holds until its last close.
    case inode(InodeReference)
    /// A device inode: `major` picks the driver (`Devices`).
    case device(InodeReference, major: Int16)
}

/// One entry of the system-wide open-file table: shared by every descriptor
/// that dup or fork made from the same open().
///
/// `references` change only under `OpenFiles.lock` ("open-file table");
/// `kind`, `readable` and `writable` are set by `open` under it and stay
/// as they are while any reference is held. `offset` changes only under
/// `lock`, a sleep lock held across a read or write of an inode (which may
/// wait for the disk), so processes sharing the open file (fork, dup) each
/// read or write at an offset no other has used.
struct OpenFile {
    var kind: FileKind = .pipeReader(-1)
    var references = 0
    var offset = 0
    var readable = false
    var writable = false
    var lock = SleepLock(SleepChannel(kind: .sleepLock, index: SleepChannel.openFileLockBase))
}

/// File types reported by fstat, as in xv6 (the inode's type on disk).
typealias FileType = InodeType

/// The system-wide open-file table (xv6's NFILE entries).
enum OpenFiles {
    static let count = 100
    nonisolated(unsafe) static var table: InlineArray<100, OpenFile> = .init(repeating: OpenFile())
    /// The reference counts and the taking of free entries.
    nonisolated(unsafe) static var lock = Spinlock("open-file table")
    static var tableLock: UnsafeMutablePointer<Spinlock> { withUnsafeMutablePointer(to: &lock) { $0 } }

    /// A new open file with one reference, or nil when the table is full.
    static func open(_ kind: FileKind, readable: Bool, writable: Bool) -> Int? {
        Spinlock.acquire(tableLock)
        defer { Spinlock.release(tableLock) }
        for index in 0..<count where table[index].references == 0 {
            table[index] = OpenFile(
                kind: kind, references: 1, offset: 0, readable: readable, writable: writable,
                lock: SleepLock(SleepChannel(kind: .sleepLock, index: SleepChannel.openFileLockBase + index)))
            return index
        }
        return nil
    }

    static func retain(_ index: Int) {
        Spinlock.acquire(tableLock)
        table[index].references += 1
        Spinlock.release(tableLock)
    }

    /// Drops one reference; the last one closes the pipe end or gives the
    /// inode reference back (an unlinked file's last close frees it).
    static func release(_ index: Int) {
        Spinlock.acquire(tableLock)
        table[index].references -= 1
        let last = table[index].references == 0
        // The entry is free once the lock is given back (another open may
        // take it): what it held is closed from a copy.
        let kind = table[index].kind
        Spinlock.release(tableLock)
        guard last else { return }
        switch kind {
        case .pipeReader(let pipe): Pipes.close(pipe, writing: false)
        case .pipeWriter(let pipe): Pipes.close(pipe, writing: true)
        case .inode(let inode), .device(let inode, _): try? RootVolume.volume.close(inode)
        }
    }

    static func read(_ index: Int, into destination: VirtualAddress, count: Int) -> Int {
        guard table[index].readable else { return -1 }
        switch table[index].kind {
        case .pipeReader(let pipe): return Pipes.read(pipe, into: destination, count: count)
        case .pipeWriter: return -1
        case .device(_, let major): return Devices.read(major: major, into: destination, count: count)
        case .inode(let inode):
            return atOffset(index) { offset in
                var sink = UserByteSink(next: destination)
                return try? RootVolume.volume.read(inode, at: offset, count: count, into: &sink)
            }
        }
    }

    static func write(_ index: Int, from source: VirtualAddress, count: Int) -> Int {
        guard table[index].writable else { return -1 }
        switch table[index].kind {
        case .pipeWriter(let pipe): return Pipes.write(pipe, from: source, count: count)
        case .pipeReader: return -1
        case .device(_, let major): return Devices.write(major: major, from: source, count: count)
        case .inode(let inode):
            // A bad buffer fails here, before the core allocates blocks it
            // would then leave beyond the file's end.
            guard UserMemory.isReadable(source, count: count) else { return -1 }
            return atOffset(index) { offset in
                var bytes = UserByteSource(next: source)
                return try? RootVolume.volume.write(inode, at: offset, count: count, from: &bytes)
            }
        }
    }

    /// fstat's record of an inode; pipes have none.
    static func status(_ index: Int) -> FileStatus? {
        switch table[index].kind {
        case .inode(let inode), .device(let inode, _): return try? RootVolume.volume.status(inode)
        case .pipeReader, .pipeWriter: return nil
        }
    }

    /// Entry `index` by address (a global's storage does not move).
    private static func entry(_ index: Int) -> UnsafeMutablePointer<OpenFile> {
        withUnsafeMutablePointer(to: &table) { UnsafeMutableRawPointer($0).assumingMemoryBound(to: OpenFile.self) + index }
    }

    /// Runs `transfer` (bytes moved, or nil for a failure) at the entry's
    /// offset, holding the entry's lock across it, and moves the offset on.
    private static func atOffset(_ index: Int, _ transfer: (Int) -> Int?) -> Int {
        let lock = withUnsafeMutablePointer(to: &entry(index).pointee.lock) { $0 }
        SleepLock.acquire(lock)
        defer { SleepLock.release(lock) }
        guard let done = transfer(table[index].offset) else { return -1 }
        table[index].offset += done
        return done
    }
}

/// Where a file read's bytes go: user memory, from `next` on.
struct UserByteSink: FileSystemByteSink {
    var next: VirtualAddress

    mutating func deliver(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard UserMemory.copyOut(to: next, from: bytes), let after = next.adding(UInt64(bytes.count)) else { return false }
        next = after
        return true
    }
}

/// Where a file write's bytes come from: user memory, from `next` on.
struct UserByteSource: FileSystemByteSource {
    var next: VirtualAddress

    mutating func fill(_ destination: UnsafeMutableRawBufferPointer) -> Bool {
        guard UserMemory.copyIn(from: next, into: destination), let after = next.adding(UInt64(destination.count))
        else { return false }
        next = after
        return true
    }
}
