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

    /// The first whole entry at or after byte `start` of a locked directory
    /// that `matches`: its inode number and offset; each block is read once
    /// and each entry looked at where it lies. A hole (only in a damaged
    /// image) reads as free entries. Not inlined: inlined into `addEntry`,
    /// it grew the deepest kernel call chain (create) past its stack budget.
    @inline(never)
    func firstEntry(
        _ directory: InodeReference, from start: Int, where matches: (DirectoryEntryInPlace) -> Bool
    ) throws(FileSystemError) -> (inode: UInt16, offset: Int)? {
        let end = entryBytes(directory)
        let blockSize = DiskFormat.blockSize
        var offset = start
        while offset < end {
            let blockEnd = min(end, (offset / blockSize + 1) * blockSize)
            guard let block = try blockAddress(directory, fileBlock: offset / blockSize, allocate: false) else {
                if matches(DirectoryEntryInPlace(start: nil)) { return (0, offset) }
                offset = blockEnd
                continue
            }
            let buffer = try cache.read(block)
            defer { cache.release(buffer) }
            let bytes = UnsafeRawPointer(cache.bytes(buffer).baseAddress.unsafelyUnwrapped)
            while offset < blockEnd {
                let entry = DirectoryEntryInPlace(start: bytes + offset % blockSize)
                if matches(entry) { return (entry.inode, offset) }
                offset += DiskFormat.directoryEntrySize
            }
        }
        return nil
    }

    /// The inode `name` names in a locked directory, and the entry's offset.
    func lookup(_ directory: InodeReference, _ name: UnsafeRawBufferPointer) throws(FileSystemError) -> (
        inode: InodeNumber, offset: Int
    )? {
        guard fields(directory).pointee.inodeType == .directory else { throw .notADirectory }
        guard let found = try firstEntry(directory, from: 0, where: { $0.inode != 0 && $0.nameMatches(name) })
        else { return nil }
        guard UInt32(found.inode) < superblock.inodeCount else { throw .corrupt(.inodeNumberOutOfRange) }
        return (InodeNumber(UInt32(found.inode)), found.offset)
    }

    /// Adds `name` -> `inode` to a locked directory, in the first free slot
    /// or at the end (inside an operation).
    func addEntry(_ directory: InodeReference, _ name: UnsafeRawBufferPointer, _ inode: InodeNumber) throws(FileSystemError) {
        guard name.count > 0 else { throw .invalidName }
        if try lookup(directory, name) != nil { throw .alreadyExists }
        let offset = try firstEntry(directory, from: 0, where: { $0.inode == 0 })?.offset ?? entryBytes(directory)
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
        try firstEntry(directory, from: 2 * DiskFormat.directoryEntrySize, where: { $0.inode != 0 }) == nil
    }
}

/// One directory entry where it lies in a locked buffer (or a hole's free
/// entry): what `firstEntry` shows its test, with nothing copied out. Valid
/// only while `firstEntry` holds the buffer.
struct DirectoryEntryInPlace {
    /// The entry's 16 bytes; nil for a hole, which reads as zeros.
    let start: UnsafeRawPointer?

    var inode: UInt16 {
        guard let start else { return 0 }
        return UInt16(littleEndian: start.loadUnaligned(as: UInt16.self))
    }

    /// `DiskDirectoryEntry.nameMatches` on the entry in place.
    func nameMatches(_ other: UnsafeRawBufferPointer) -> Bool {
        guard let start else { return DiskDirectoryEntry().nameMatches(other) }
        return DiskDirectoryEntry.name(start + 2, matches: other)
    }
}
