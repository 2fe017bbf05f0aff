import FileSystem

typealias TestVolume = FileSystemVolume<RAMDiskDevice, SingleCallerHost>

/// An empty file system made by hand through the format types: the
/// superblock, a zero log, the bitmap with the metadata and the root's one
/// block in use, and the root directory holding `.` and `..`.
func makeFileSystemImage(_ geometry: Geometry = DiskFormat.xv6Geometry) -> RAMDisk {
    let disk = RAMDisk(blocks: geometry.totalBlocks)
    let superblock = geometry.superblock
    let rootBlock = Int(superblock.firstDataBlock)
    disk.blocks.withUnsafeMutableBytes { all in
        func block(_ number: Int) -> UnsafeMutableRawBufferPointer {
            UnsafeMutableRawBufferPointer(rebasing: all[(number * DiskFormat.blockSize)..<((number + 1) * DiskFormat.blockSize)])
        }
        superblock.encode(into: block(1))
        var root = DiskInode()
        root.type = InodeType.directory.rawValue
        root.linkCount = 1
        root.size = UInt32(2 * DiskFormat.directoryEntrySize)
        root.addresses[0] = UInt32(rootBlock)
        root.encode(into: block(Int(superblock.block(holding: DiskFormat.rootInode).raw)), at: superblock.offset(of: DiskFormat.rootInode))
        for (index, name) in [".", ".."].enumerated() {
            name.utf8.withContiguousStorageIfAvailable {
                DiskDirectoryEntry(inode: 1, name: UnsafeRawBufferPointer($0)).encode(into: block(rootBlock), at: index * 16)
            }
        }
        for used in 0...rootBlock {
            let bitmap = block(Int(superblock.bitmapBlock(for: BlockNumber(UInt32(used))).raw))
            bitmap[(used % DiskFormat.bitsPerBlock) / 8] |= UInt8(1) << UInt8(used % 8)
        }
    }
    return disk
}

/// A mounted test volume with its memory; the memory lives as long as this.
final class MountedVolume<Host: FileSystemHost>: @unchecked Sendable {
    let disk: RAMDisk
    let host: Host
    let memory: UnsafeMutableRawBufferPointer
    let volume: FileSystemVolume<RAMDiskDevice, Host>
    let root: InodeReference

    init(disk: RAMDisk, host: Host, buffers: Int = TestVolume.defaultBuffers, inodes: Int = TestVolume.defaultInodes) throws {
        self.disk = disk
        self.host = host
        memory = .allocate(byteCount: TestVolume.memoryNeeded(buffers: buffers, inodes: inodes), alignment: 64)
        do {
            volume = try FileSystemVolume.mount(device: disk.device, host: host, memory: memory, buffers: buffers, inodes: inodes)
            root = try volume.root()
        } catch {
            memory.deallocate()
            throw error
        }
    }

    deinit { memory.deallocate() }

    func open(_ path: String, create: Bool = false, truncate: Bool = false, writable: Bool = false, from cwd: InodeReference? = nil) throws -> InodeReference {
        try withBytes(path) { (bytes) in try volume.open(bytes, from: cwd ?? root, create: create, truncate: truncate, writable: writable) }
    }

    func write(_ inode: InodeReference, _ data: [UInt8], at offset: Int) throws -> Int {
        try data.withUnsafeBytes { (bytes) in
            var source = MemoryByteSource(bytes)
            return try volume.write(inode, at: offset, count: data.count, from: &source)
        }
    }

    func read(_ inode: InodeReference, at offset: Int, count: Int) throws -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count)
        let got = try result.withUnsafeMutableBytes { (bytes) in
            var sink = MemoryByteSink(bytes)
            return try volume.read(inode, at: offset, count: count, into: &sink)
        }
        return Array(result[0..<got])
    }

    /// The whole file at `path`.
    func contents(_ path: String) throws -> [UInt8] {
        let inode = try open(path)
        defer { try? volume.close(inode) }
        let size = try volume.status(inode).size
        return try read(inode, at: 0, count: Int(size))
    }

    func makeDirectory(_ path: String) throws {
        try withBytes(path) { (bytes) in try volume.makeDirectory(bytes, from: root) }
    }

    func unlink(_ path: String) throws {
        try withBytes(path) { (bytes) in try volume.unlink(bytes, from: root) }
    }

    func link(_ existing: String, _ new: String) throws {
        try withBytes(existing) { (old) in
            try withBytes(new) { (new) in try volume.link(old, to: new, from: root) }
        }
    }

    /// Names in a directory (free slots skipped), `.` and `..` included.
    func list(_ path: String) throws -> [String] {
        let directory = try open(path)
        defer { try? volume.close(directory) }
        var names: [String] = []
        var offset = 0
        while let entry = try volume.directoryEntry(directory, at: offset) {
            if entry.inode != 0 { names.append(entry.nameString) }
            offset += DiskFormat.directoryEntrySize
        }
        return names
    }
}

typealias MountedTestVolume = MountedVolume<SingleCallerHost>

extension MountedVolume where Host == SingleCallerHost {
    convenience init(disk: RAMDisk, buffers: Int = TestVolume.defaultBuffers, inodes: Int = TestVolume.defaultInodes) throws {
        try self.init(disk: disk, host: SingleCallerHost(), buffers: buffers, inodes: inodes)
    }
}

func withBytes<R>(_ text: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
    var copy = Array(text.utf8)
    return try copy.withUnsafeMutableBytes { (bytes) in try body(UnsafeRawBufferPointer(bytes)) }
}

extension DiskDirectoryEntry {
    var nameString: String { String(decoding: (0..<nameLength).map { name[$0] }, as: UTF8.self) }
}
