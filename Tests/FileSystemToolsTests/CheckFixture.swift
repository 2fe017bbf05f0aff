import FileSystem

@testable import FileSystemTools

/// A small image with a tree, built the way mkfs builds (ImageBuilder's
/// allocators), that each check test corrupts in one way:
///
///     /            inode 1
///     /a           inode 2, 3000 bytes (3 blocks)
///     /big         inode 3, 20 blocks (an indirect block)
///     /d           inode 4, a directory
///     /d/f         inode 5, 100 bytes
///     /d/e         inode 6, an empty directory
final class CheckFixture {
    static let root: UInt32 = 1
    static let a: UInt32 = 2
    static let big: UInt32 = 3
    static let d: UInt32 = 4
    static let f: UInt32 = 5
    static let e: UInt32 = 6

    let disk: MemoryDisk
    let superblock: Superblock

    init(geometry: Geometry = DiskFormat.xv6Geometry) throws {
        var builder = try ImageBuilder(geometry: geometry)
        let root = builder.allocateInode(.directory)
        try builder.append(ImageBuilder.entry(inode: root, name: "."), to: root, naming: "/")
        try builder.append(ImageBuilder.entry(inode: root, name: ".."), to: root, naming: "/")
        func file(_ name: String, _ bytes: Int, in directory: UInt32) throws -> UInt32 {
            let inode = builder.allocateInode(.file)
            try builder.append(ImageBuilder.entry(inode: inode, name: name), to: directory, naming: name)
            try builder.append([UInt8]((0..<bytes).map { UInt8(truncatingIfNeeded: $0 &* 7) }), to: inode, naming: name)
            return inode
        }
        func directory(_ name: String, in parent: UInt32) throws -> UInt32 {
            let inode = builder.allocateInode(.directory)
            try builder.append(ImageBuilder.entry(inode: inode, name: name), to: parent, naming: name)
            try builder.append(ImageBuilder.entry(inode: inode, name: "."), to: inode, naming: name)
            try builder.append(ImageBuilder.entry(inode: parent, name: ".."), to: inode, naming: name)
            builder.inodes[parent]!.linkCount += 1
            return inode
        }
        let numbers = [
            try file("a", 3000, in: root), try file("big", 20 * DiskFormat.blockSize, in: root), try directory("d", in: root),
            try file("f", 100, in: Self.d), try directory("e", in: Self.d),
        ]
        precondition(numbers == [Self.a, Self.big, Self.d, Self.f, Self.e])
        builder.finish()
        disk = MemoryDisk(image: builder.image)
        superblock = builder.superblock
    }

    func check() -> ImageCheck { ImageCheck.run(disk) }

    func inode(_ number: UInt32) -> DiskInode {
        let sb = superblock
        return disk.modifyBlock(sb.block(holding: InodeNumber(number)).raw) {
            DiskInode(decoding: UnsafeRawBufferPointer($0), at: sb.offset(of: InodeNumber(number)))
        }
    }

    func editInode(_ number: UInt32, _ edit: (inout DiskInode) -> Void) {
        let sb = superblock
        disk.modifyBlock(sb.block(holding: InodeNumber(number)).raw) {
            var inode = DiskInode(decoding: UnsafeRawBufferPointer($0), at: sb.offset(of: InodeNumber(number)))
            edit(&inode)
            inode.encode(into: $0, at: sb.offset(of: InodeNumber(number)))
        }
    }

    /// Entry `index` of a directory's first block.
    func editEntry(of directory: UInt32, _ index: Int, _ edit: (inout DiskDirectoryEntry) -> Void) {
        disk.modifyBlock(inode(directory).addresses[0]) {
            var entry = DiskDirectoryEntry(decoding: UnsafeRawBufferPointer($0), at: index * DiskFormat.directoryEntrySize)
            edit(&entry)
            entry.encode(into: $0, at: index * DiskFormat.directoryEntrySize)
        }
    }

    /// Appends an entry to a directory (within its first block).
    func addEntry(to directory: UInt32, inode target: UInt16, name: String) {
        let size = inode(directory).size
        let entry = Array(name.utf8).withUnsafeBytes { DiskDirectoryEntry(inode: target, name: $0) }
        disk.modifyBlock(inode(directory).addresses[0]) { entry.encode(into: $0, at: Int(size)) }
        editInode(directory) { $0.size += UInt32(DiskFormat.directoryEntrySize) }
    }

    func setBitmap(_ block: UInt32, used: Bool) {
        disk.modifyBlock(superblock.bitmapBlock(for: BlockNumber(block)).raw) {
            let bit = Int(block) % DiskFormat.bitsPerBlock
            if used { $0[bit / 8] |= 1 << (bit % 8) } else { $0[bit / 8] &= ~(1 << (bit % 8)) }
        }
    }

    func editSuperblock(_ edit: (inout Superblock) -> Void) {
        disk.modifyBlock(DiskFormat.superblockBlock.raw) {
            var sb = Superblock(decoding: UnsafeRawBufferPointer($0))
            edit(&sb)
            sb.encode(into: $0)
        }
    }
}

/// A device that fails to read one block.
struct FailingDisk: BlockDevice {
    let disk: MemoryDisk
    let failing: UInt32
    var blockCount: UInt32 { disk.blockCount }
    func read(_ block: BlockNumber, into buffer: UnsafeMutableRawBufferPointer) throws(BlockDeviceError) {
        if block.raw == failing { throw .ioError }
        try disk.read(block, into: buffer)
    }
    func write(_ block: BlockNumber, from buffer: UnsafeRawBufferPointer) throws(BlockDeviceError) { try disk.write(block, from: buffer) }
}
