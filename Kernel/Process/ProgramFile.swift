/// A program exec loads: the whole file in kernel memory, for the ELF loader.
struct ProgramFile {
    let bytes: UnsafeRawBufferPointer
}

/// Where exec finds programs: files of the root file system, read whole
/// into one buffer of the largest file size the format allows.
///
/// The buffer belongs to the holder of `ScratchStack.lock` (exec runs on
/// that stack), so one exec at a time reads into it; another sleeps on the
/// lock meanwhile, even while the first sleeps on the disk.
enum ProgramFiles {
    static let bufferBytes = UInt64(DiskFormat.maxFileSize)
    nonisolated(unsafe) private static var buffer: UnsafeMutableRawPointer? = nil

    /// Takes the buffer's frames; false when memory is short (boot reports it).
    static func initialize() -> Bool {
        let pages = (bufferBytes + pageBytes - 1) / pageBytes
        guard let first = try? PhysicalFrames.allocator.pointee.allocateContiguous(count: pages),
            let memory = Platform.physicalMemory.pointer(to: first.address, count: pages * pageBytes)
        else { return false }
        buffer = memory
        return true
    }

    /// Reads the regular file at `path` (relative to process `slot`'s
    /// current directory); nil when it is missing, not a file, or unreadable.
    static func open(_ path: PathBuffer, slot: Int) -> ProgramFile? {
        guard ScratchStack.inUse, let buffer, RootVolume.isMounted, let cwd = Processes.slots[slot].cwd else {
            return nil
        }
        let volume = RootVolume.volume
        var path = path
        let opened: InodeReference? = path.withBytes { try? volume.open($0, from: cwd) }
        guard let inode = opened else { return nil }
        defer { try? volume.close(inode) }
        guard let status = try? volume.status(inode), status.type == .file else { return nil }
        let size = Int(status.size)
        var sink = MemoryByteSink(UnsafeMutableRawBufferPointer(start: buffer, count: Int(bufferBytes)))
        guard let read = try? volume.read(inode, at: 0, count: size, into: &sink), read == size else { return nil }
        return ProgramFile(bytes: UnsafeRawBufferPointer(start: buffer, count: size))
    }
}
