import PropertyBased
import Testing

@testable import FileSystem

/// Damaged images: mount refuses what it must, and every later call fails
/// with an error instead of trapping or waiting forever.
@Suite struct CorruptImageTests {
    static let superblock = DiskFormat.xv6Geometry.superblock

    /// An image with /d/f (a 3000-byte file) and /g.
    static func populatedImage() throws -> RAMDisk {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage())
        try mounted.makeDirectory("/d")
        let file = try mounted.open("/d/f", create: true, writable: true)
        _ = try mounted.write(file, FileOperation.bytes(count: 3000, seed: 5), at: 0)
        try mounted.volume.close(file)
        try mounted.volume.close(mounted.open("/g", create: true))
        return RAMDisk(image: mounted.disk.blocks)
    }

    /// Changes inode `number` on the disk.
    static func editInode(_ disk: RAMDisk, _ number: UInt32, _ edit: (inout DiskInode) -> Void) {
        let block = Int(superblock.block(holding: InodeNumber(number)).raw) * DiskFormat.blockSize
        let offset = block + superblock.offset(of: InodeNumber(number))
        disk.blocks.withUnsafeMutableBytes { bytes in
            var inode = DiskInode(decoding: UnsafeRawBufferPointer(bytes), at: offset)
            edit(&inode)
            inode.encode(into: bytes, at: offset)
        }
    }

    /// The inode numbers /d, /d/f, /g got (the first free ones, in order).
    static let directoryInode: UInt32 = 2
    static let fileInode: UInt32 = 3

    @Test func badSuperblocksAreRefusedWithAMessage() throws {
        let disk = makeFileSystemImage()
        disk.blocks[DiskFormat.blockSize] ^= 0xFF
        #expect(throws: FileSystemError.badSuperblock(.badMagic)) { try MountedTestVolume(disk: disk) }
        #expect("\(FileSystemError.badSuperblock(.badMagic).message)".contains("magic"))
        let small = makeFileSystemImage(Geometry(totalBlocks: 200, inodeCount: 32, logBlocks: 8))
        #expect(throws: FileSystemError.logTooSmall) { try MountedTestVolume(disk: small) }
        let truncated = RAMDisk(image: Array(makeFileSystemImage().blocks[0..<(1000 * DiskFormat.blockSize)]))
        #expect(throws: FileSystemError.badSuperblock(.sizeExceedsDevice)) { try MountedTestVolume(disk: truncated) }
    }

    @Test func aRootThatIsNotADirectoryIsRefused() throws {
        let disk = makeFileSystemImage()
        Self.editInode(disk, 1) { $0.type = InodeType.file.rawValue }
        #expect(throws: FileSystemError.corrupt(.rootNotDirectory)) { try MountedTestVolume(disk: disk) }
        Self.editInode(disk, 1) { $0.type = 9 }
        #expect(throws: FileSystemError.corrupt(.badInodeType)) { try MountedTestVolume(disk: disk) }
    }

    @Test func impossibleInodesFailTheCallsThatReachThem() throws {
        let cases: [(FileSystemError, (inout DiskInode) -> Void)] = [
            (.corrupt(.entryNamesFreeInode), { $0.type = 0 }),
            (.corrupt(.badInodeType), { $0.type = -3 }),
            (.corrupt(.badFileSize), { $0.size = UInt32(DiskFormat.maxFileSize + 1) }),
            (.corrupt(.badLinkCount), { $0.linkCount = -1 }),
        ]
        for (expected, edit) in cases {
            let disk = try Self.populatedImage()
            Self.editInode(disk, Self.fileInode, edit)
            let mounted = try MountedTestVolume(disk: disk)
            #expect(throws: expected) { try mounted.open("/d/f") }
            #expect(throws: expected) { try mounted.unlink("/d/f") }
            #expect(throws: expected) { try mounted.link("/d/f", "/h") }
            // The rest of the file system still works.
            try mounted.volume.close(mounted.open("/d/new", create: true))
            #expect(try mounted.list("/d").contains("new"))
        }
    }

    @Test func blockNumbersOutsideTheDataRegionAreNeverFollowed() throws {
        for bad in [UInt32(1), Self.superblock.bitmapStart, Self.superblock.totalBlocks, UInt32.max] {
            let disk = try Self.populatedImage()
            Self.editInode(disk, Self.fileInode) { $0.addresses[1] = bad }
            let mounted = try MountedTestVolume(disk: disk)
            let file = try mounted.open("/d/f", writable: true)
            #expect(try mounted.read(file, at: 0, count: 1024).count == 1024)
            #expect(throws: FileSystemError.corrupt(.blockOutOfRange)) { try mounted.read(file, at: 1024, count: 10) }
            #expect(throws: FileSystemError.corrupt(.blockOutOfRange)) { try mounted.write(file, [1], at: 1500) }
            try mounted.volume.close(file)
            #expect(throws: FileSystemError.corrupt(.blockOutOfRange)) { try mounted.unlink("/d/f") }
            #expect(disk.block(1) == makeFileSystemImage().block(1))
        }
    }

    @Test func entriesNamingTheirOwnDirectoryOrBadInodesDoNotHang() throws {
        let disk = try Self.populatedImage()
        let mounted = try MountedTestVolume(disk: disk)
        // "/d/loop" names /d itself; "/d/far" names an inode past the table.
        try withBytes("loop") { name in
            try withBytes("far") { far in
                let d = try mounted.open("/d")
                try mounted.volume.operation { () throws(FileSystemError) in
                    try mounted.volume.lock(d)
                    defer { mounted.volume.unlock(d) }
                    var loop = DiskDirectoryEntry(inode: UInt16(Self.directoryInode), name: name)
                    try mounted.volume.writeEntry(d, loop, at: 48)
                    loop = DiskDirectoryEntry(inode: 60000, name: far)
                    try mounted.volume.writeEntry(d, loop, at: 64)
                }
            }
        }
        #expect(try mounted.open("/d/loop/loop/loop/f").number.raw == Self.fileInode)
        #expect(throws: FileSystemError.corrupt(.badDirectory)) { try mounted.unlink("/d/loop") }
        #expect(throws: FileSystemError.corrupt(.inodeNumberOutOfRange)) { try mounted.open("/d/far") }
        // A bad entry is only refused when a lookup reaches it.
        try mounted.volume.close(mounted.open("/d/zzz", create: true))
    }

    /// Random damage to the metadata of a populated image: mounting and
    /// walking everything either works or fails with an error, never a trap
    /// (a trap or a wait would stop the whole test run).
    @Test func randomDamageNeverTrapsOrHangs() async throws {
        let pristine = try Self.populatedImage().blocks
        let metadataBytes = Int(Self.superblock.firstDataBlock + 4) * DiskFormat.blockSize
        await propertyCheck(count: 300, input: Gen.int(in: 0...Int(Int32.max)).array(of: 1...12)) { damage in
            var image = pristine
            for value in damage {
                image[DiskFormat.blockSize + value % (metadataBytes - DiskFormat.blockSize)] = UInt8(truncatingIfNeeded: value >> 20)
            }
            guard let mounted = try? MountedTestVolume(disk: RAMDisk(image: image)) else { return }
            for path in ["/", "/d", "/d/f", "/g", "/d/..", "/x"] {
                _ = try? mounted.list(path)
                if let file = try? mounted.open(path, writable: true) {
                    _ = try? mounted.read(file, at: 0, count: 5000)
                    _ = try? mounted.write(file, [1, 2, 3], at: 0)
                    try? mounted.volume.close(file)
                }
            }
            _ = try? mounted.makeDirectory("/new")
            _ = try? mounted.volume.close(mounted.open("/d/h", create: true, writable: true))
            _ = try? mounted.link("/d/f", "/d/l")
            _ = try? mounted.unlink("/g")
            _ = try? mounted.unlink("/d/f")
            _ = try? mounted.unlink("/d")
        }
    }
}
