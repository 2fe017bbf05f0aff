/// The calls on open files and inodes the kernel already holds.
extension FileSystemVolume {
    /// Bytes one write operation covers: its data blocks, the indirect
    /// block, the inode and bitmap blocks must fit one operation's share of
    /// the log, so longer writes are split into several operations.
    public static var writeChunk: Int {
        (TransactionLog<Device, Host>.operationBlocks - 4) / 2 * DiskFormat.blockSize
    }

    /// A reference to the root directory (a process's first cwd).
    public func root() throws(FileSystemError) -> InodeReference {
        try inode(DiskFormat.rootInode)
    }

    /// Gives a reference back. The last reference to an unlinked inode
    /// frees it, in an operation of its own; any other put writes nothing
    /// and skips the log.
    public func close(_ inode: InodeReference) throws(FileSystemError) {
        if releaseUnlessFreeing(inode) { return }
        try operation { () throws(FileSystemError) in try release(inode) }
    }

    /// Reads up to `count` bytes at `offset` into `sink`: the bytes
    /// delivered, 0 at the end of the file. A sink that fails after some
    /// bytes ends the read there; one that fails at once fails the call.
    public func read<Sink: FileSystemByteSink>(
        _ inode: InodeReference, at offset: Int, count: Int, into sink: inout Sink
    ) throws(FileSystemError) -> Int {
        try lock(inode)
        defer { unlock(inode) }
        return try readHeld(inode, at: offset, count: count, into: &sink)
    }

    /// Locks `inode` for a run of reads no write can come between (exec
    /// reads a program's headers, then each segment, taking frames between
    /// the reads) and returns its status. The reads use `readHeld`; `endReads`
    /// unlocks. The lock is the inode's sleep lock, as `read` takes it.
    public func beginReads(_ inode: InodeReference) throws(FileSystemError) -> FileStatus {
        try lock(inode)
        return heldStatus(inode)
    }

    /// `read`, for a caller between `beginReads` and `endReads` on `inode`.
    public func readHeld<Sink: FileSystemByteSink>(
        _ inode: InodeReference, at offset: Int, count: Int, into sink: inout Sink
    ) throws(FileSystemError) -> Int {
        if log.failed { throw .ioError }
        guard offset >= 0, count >= 0 else { throw .badOffset }
        // No file reaches past the format's largest size.
        if offset >= DiskFormat.maxFileSize { return 0 }
        return try readData(inode, at: UInt32(offset), count: count, into: &sink)
    }

    /// Ends a run of reads `beginReads` began.
    public func endReads(_ inode: InodeReference) {
        unlock(inode)
    }

    /// Writes `count` bytes from `source` at `offset` (at most the end of
    /// the file), in as many operations as the log needs. Returns the bytes
    /// written: fewer than `count` when the disk filled or the source failed
    /// part way; the call fails when nothing was written.
    public func write<Source: FileSystemByteSource>(
        _ inode: InodeReference, at offset: Int, count: Int, from source: inout Source
    ) throws(FileSystemError) -> Int {
        guard offset >= 0, count >= 0, offset <= DiskFormat.maxFileSize, count <= DiskFormat.maxFileSize - offset
        else { throw .badOffset }
        var done = 0
        while done < count {
            let chunk = min(count - done, Self.writeChunk)
            let written: Int
            do throws(FileSystemError) {
                written = try operation { () throws(FileSystemError) -> Int in
                    try lock(inode)
                    defer { unlock(inode) }
                    return try writeData(inode, at: UInt32(offset + done), count: chunk, from: &source)
                }
            } catch {
                if done > 0 { return done }
                throw error
            }
            done += written
            if written < chunk { break }
        }
        return done
    }

    /// Frees every block of a file and sets its size to 0 (O_TRUNC).
    public func truncate(_ inode: InodeReference) throws(FileSystemError) {
        try operation { () throws(FileSystemError) in
            try lock(inode)
            defer { unlock(inode) }
            try truncateData(inode)
        }
    }

    /// Type, inode number, link count, size and device numbers.
    public func status(_ inode: InodeReference) throws(FileSystemError) -> FileStatus {
        try lock(inode)
        defer { unlock(inode) }
        return heldStatus(inode)
    }

    /// The status of a locked inode.
    private func heldStatus(_ inode: InodeReference) -> FileStatus {
        let fields = self.fields(inode).pointee
        return FileStatus(
            type: fields.inodeType ?? .free, inode: inode.number, linkCount: fields.linkCount, size: fields.size,
            major: fields.major, minor: fields.minor)
    }

    /// The directory entry at byte `offset` of a directory, or nil past its
    /// last whole entry (free slots come back with inode 0, as read() gives them).
    public func directoryEntry(_ directory: InodeReference, at offset: Int) throws(FileSystemError) -> DiskDirectoryEntry? {
        try lock(directory)
        defer { unlock(directory) }
        guard fields(directory).pointee.inodeType == .directory else { throw .notADirectory }
        guard offset >= 0, offset % DiskFormat.directoryEntrySize == 0,
            offset + DiskFormat.directoryEntrySize <= Int(fields(directory).pointee.size)
        else { return nil }
        return try entry(directory, at: offset)
    }
}
