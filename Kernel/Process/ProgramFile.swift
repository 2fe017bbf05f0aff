/// A program exec is loading: a regular file of the root file system, open
/// for as long as the value lives (dropping it closes the file). The ELF
/// loader reads it through `ElfFileSource`: the header and program headers
/// into a small buffer of its own, each segment's bytes straight into the
/// new process's pages, so no copy of the whole file is made.
///
/// Belongs to the exec that opened it, which runs on the scratch stack
/// holding `ScratchStack.lock`. The inode's sleep lock is held from the open
/// to the drop (`FileSystemVolume.beginReads`), so no write comes between
/// the reads of the headers and of the segments (lock order: the scratch
/// stack's, then the inode's, then the buffer cache's).
struct ProgramFile: ElfFileSource, ~Copyable {
    let inode: InodeReference
    /// The file's size, fixed while the lock is held.
    let size: UInt64

    deinit {
        let volume = RootVolume.volume
        volume.endReads(inode)
        try? volume.close(inode)
    }

    mutating func read(
        at offset: UInt64, count: Int, into destination: UnsafeMutableRawPointer
    ) throws(FileSystemError) -> Int {
        guard offset < UInt64(DiskFormat.maxFileSize) else { return 0 }
        var sink = MemoryByteSink(UnsafeMutableRawBufferPointer(start: destination, count: count))
        return try RootVolume.volume.readHeld(inode, at: Int(offset), count: count, into: &sink)
    }
}

/// Where exec finds programs: regular files of the root file system.
enum ProgramFiles {
    /// Opens the regular file at `path` (relative to process `slot`'s
    /// current directory) and locks it for the loader's reads; nil when it
    /// is missing or not a file.
    static func open(_ path: PathBuffer, slot: Int) -> ProgramFile? {
        guard RootVolume.isMounted, let cwd = Processes.slots[slot].cwd else { return nil }
        let volume = RootVolume.volume
        var path = path
        let opened: InodeReference? = path.withBytes { try? volume.open($0, from: cwd) }
        guard let inode = opened else { return nil }
        guard let status = try? volume.beginReads(inode) else {
            try? volume.close(inode)
            return nil
        }
        // From here the value owns the lock and the reference: dropping it
        // (a directory, say) ends the reads and closes the file.
        let file = ProgramFile(inode: inode, size: UInt64(status.size))
        guard status.type == .file else { return nil }
        return file
    }
}
