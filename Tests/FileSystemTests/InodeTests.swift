import FileSystemTools
import Testing

@testable import FileSystem

@Suite struct InodeTests {
    /// Data blocks the bitmap marks free.
    func freeBlocks(_ disk: RAMDisk) -> Int {
        let superblock = DiskFormat.xv6Geometry.superblock
        return (Int(superblock.firstDataBlock)..<Int(disk.blockCount)).filter { block in
            let bitmap = disk.block(Int(superblock.bitmapBlock(for: BlockNumber(UInt32(block))).raw))
            return bitmap[bitmap.startIndex + (block % DiskFormat.bitsPerBlock) / 8] & (1 << (block % 8)) == 0
        }.count
    }

    @Test func theLargestFileUsesTheIndirectBlockAndNoMore() throws {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage())
        let free = freeBlocks(mounted.disk)
        let file = try mounted.open("/big", create: true, writable: true)
        let data = FileOperation.bytes(count: DiskFormat.maxFileSize, seed: 9)
        #expect(try mounted.write(file, data, at: 0) == data.count)
        #expect(freeBlocks(mounted.disk) == free - DiskFormat.maxFileBlocks - 1)
        #expect(try mounted.read(file, at: 0, count: data.count + 10) == data)
        #expect(throws: FileSystemError.badOffset) { try mounted.write(file, [1], at: DiskFormat.maxFileSize) }
        #expect(try mounted.read(file, at: DiskFormat.maxFileSize, count: 10) == [])
        #expect(throws: FileSystemError.badOffset) { try mounted.write(file, [1], at: -1) }
        #expect(fsckFindings(mounted.disk) == [])
        try mounted.volume.truncate(file)
        #expect(try mounted.volume.status(file).size == 0)
        #expect(freeBlocks(mounted.disk) == free)
        try mounted.volume.close(file)
        #expect(fsckFindings(mounted.disk) == [])
    }

    @Test func writesStartAtMostAtTheEnd() throws {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage())
        let file = try mounted.open("/f", create: true, writable: true)
        #expect(try mounted.write(file, [1, 2, 3], at: 0) == 3)
        #expect(throws: FileSystemError.badOffset) { try mounted.write(file, [4], at: 4) }
        #expect(try mounted.write(file, [4], at: 3) == 1)
        #expect(try mounted.read(file, at: 1, count: 10) == [2, 3, 4])
        #expect(try mounted.read(file, at: 9, count: 10) == [])
    }

    @Test func anUnlinkedOpenFileStaysReadableUntilItsLastClose() throws {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage())
        let free = freeBlocks(mounted.disk)
        let file = try mounted.open("/f", create: true, writable: true)
        let data = FileOperation.bytes(count: 20_000, seed: 3)
        _ = try mounted.write(file, data, at: 0)
        let second = mounted.volume.duplicate(file)
        try mounted.unlink("/f")
        #expect(throws: FileSystemError.notFound) { try mounted.open("/f") }
        #expect(try mounted.volume.status(file).linkCount == 0)
        try mounted.volume.close(file)
        #expect(try mounted.read(second, at: 0, count: data.count) == data)
        #expect(freeBlocks(mounted.disk) < free)
        try mounted.volume.close(second)
        #expect(freeBlocks(mounted.disk) == free)
        #expect(fsckFindings(mounted.disk) == [])
        // The inode is free on disk: the next file gets it again.
        let again = try mounted.open("/g", create: true)
        #expect(again.number == file.number)
    }

    @Test func runningOutOfBlocksFailsCleanly() throws {
        let disk = makeFileSystemImage(Geometry(totalBlocks: 200, inodeCount: 32, logBlocks: 30))
        let mounted = try MountedTestVolume(disk: disk)
        let file = try mounted.open("/f", create: true, writable: true)
        let data = FileOperation.bytes(count: 200 * DiskFormat.blockSize, seed: 1)
        let written = try mounted.write(file, data, at: 0)
        #expect(written > 100 * DiskFormat.blockSize && written < data.count)
        #expect(throws: FileSystemError.noFreeBlocks) { try mounted.write(file, [1, 2], at: written) }
        #expect(throws: FileSystemError.noFreeBlocks) {
            for i in 0..<100 { try mounted.makeDirectory("/d\(i)") }
        }
        #expect(try mounted.read(file, at: 0, count: written) == Array(data[0..<written]))
        #expect(fsckFindings(disk) == [])
        try mounted.volume.close(file)
        try mounted.unlink("/f")
        try mounted.makeDirectory("/after")
        #expect(fsckFindings(disk) == [])
    }

    @Test func runningOutOfInodesFailsCleanly() throws {
        let disk = makeFileSystemImage(Geometry(totalBlocks: 400, inodeCount: 20, logBlocks: 30))
        let mounted = try MountedTestVolume(disk: disk)
        // Inode 0 is never used and 1 is the root: 18 more.
        for i in 0..<18 { try mounted.volume.close(mounted.open("/f\(i)", create: true)) }
        #expect(throws: FileSystemError.noFreeInodes) { try mounted.open("/one-more", create: true) }
        #expect(throws: FileSystemError.noFreeInodes) { try mounted.makeDirectory("/d") }
        #expect(try mounted.list("/").count == 20)
        #expect(fsckFindings(disk) == [])
        try mounted.unlink("/f3")
        try mounted.makeDirectory("/d")
        #expect(fsckFindings(disk) == [])
    }

    @Test func aFullInodeTableFailsTheCall() throws {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage(), inodes: 4)
        // The root reference takes one slot.
        let held = try (0..<3).map { try mounted.open("/f\($0)", create: true) }
        #expect(throws: FileSystemError.inodeTableFull) { try mounted.open("/f4", create: true) }
        for inode in held { try mounted.volume.close(inode) }
        try mounted.volume.close(mounted.open("/f4", create: true))
        #expect(fsckFindings(mounted.disk) == [])
    }

    @Test func devicesKeepTheirNumbers() throws {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage())
        try withBytes("/console") { try mounted.volume.makeDevice($0, from: mounted.root, major: 1, minor: 2) }
        let device = try mounted.open("/console", create: true, writable: true)
        let status = try mounted.volume.status(device)
        #expect(status.type == .device && status.major == 1 && status.minor == 2 && status.linkCount == 1)
        #expect(throws: FileSystemError.alreadyExists) {
            try withBytes("/console") { try mounted.volume.makeDevice($0, from: mounted.root, major: 1, minor: 2) }
        }
    }
}
