/// Directories: a directory's data is an array of 16-byte entries (a
/// 16-bit inode number, 0 for a free slot, and a 14-byte name). The caller
/// holds the directory's sleep lock; changes run inside an operation.
extension FileSystemVolume {
    /// Bytes of a directory's data that hold whole entries.
    private func entryBytes(_ directory: InodeReference) -> Int {
        Int(fields(directory).pointee.size) / DiskFormat.directoryEntrySize * DiskFormat.directoryEntrySize
    }

    /// The entry at byte `offset` of a locked directory (zeros in a hole).
    func entry(_ directory: InodeReference, at offset: Int) throws(FileSystemError) -> DiskDirectoryEntry {
        guard let block = try blockAddress(directory, fileBlock: offset / DiskFormat.blockSize, allocate: false)
        else { return DiskDirectoryEntry() }
        let buffer = try cache.read(block)
        defer { cache.release(buffer) }
        return DiskDirectoryEntry(decoding: UnsafeRawBufferPointer(cache.bytes(buffer)), at: offset % DiskFormat.blockSize)
    }

    /// The inode `name` names in a locked directory, and the entry's offset.
    func lookup(_ directory: InodeReference, _ name: UnsafeRawBufferPointer) throws(FileSystemError) -> (
        inode: InodeNumber, offset: Int
    )? {
        guard fields(directory).pointee.inodeType == .directory else { throw .notADirectory }
        var offset = 0
        let end = entryBytes(directory)
        while offset < end {
            let found = try entry(directory, at: offset)
            if found.inode != 0 && found.nameMatches(name) {
                guard UInt32(found.inode) < superblock.inodeCount else { throw .corrupt(.inodeNumberOutOfRange) }
                return (InodeNumber(UInt32(found.inode)), offset)
            }
            offset += DiskFormat.directoryEntrySize
        }
        return nil
    }

    /// Adds `name` -> `inode` to a locked directory, in the first free slot
    /// or at the end (inside an operation).
    func addEntry(_ directory: InodeReference, _ name: UnsafeRawBufferPointer, _ inode: InodeNumber) throws(FileSystemError) {
        guard name.count > 0 else { throw .invalidName }
        if try lookup(directory, name) != nil { throw .alreadyExists }
        var offset = 0
        let end = entryBytes(directory)
        while offset < end, try entry(directory, at: offset).inode != 0 { offset += DiskFormat.directoryEntrySize }
        try writeEntry(directory, DiskDirectoryEntry(inode: UInt16(truncatingIfNeeded: inode.raw), name: name), at: offset)
    }

    /// Writes one entry at `offset` (inside an operation).
    func writeEntry(_ directory: InodeReference, _ entry: DiskDirectoryEntry, at offset: Int) throws(FileSystemError) {
        var bytes = InlineArray<16, UInt8>(repeating: 0)
        var mutable = bytes.mutableSpan
        mutable.withUnsafeMutableBytes { entry.encode(into: $0, at: 0) }
        let written = try bytes.span.withUnsafeBytes { (raw) throws(FileSystemError) -> Int in
            var source = MemoryByteSource(raw)
            return try writeData(directory, at: UInt32(offset), count: DiskFormat.directoryEntrySize, from: &source)
        }
        guard written == DiskFormat.directoryEntrySize else { throw .noFreeBlocks }
    }

    /// Whether a locked directory has no entries besides `.` and `..`.
    func isEmpty(_ directory: InodeReference) throws(FileSystemError) -> Bool {
        var offset = 2 * DiskFormat.directoryEntrySize
        let end = entryBytes(directory)
        while offset < end {
            if try entry(directory, at: offset).inode != 0 { return false }
            offset += DiskFormat.directoryEntrySize
        }
        return true
    }
}
