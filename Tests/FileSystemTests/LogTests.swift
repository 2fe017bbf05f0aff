import Testing

@testable import FileSystem

@Suite struct LogTests {
    static let superblock = DiskFormat.xv6Geometry.superblock
    static var dataBlock: BlockNumber { BlockNumber(superblock.firstDataBlock + 100) }

    /// Fills `block` with `value` inside the current operation.
    func change(_ mounted: MountedTestVolume, _ block: BlockNumber, to value: UInt8) throws {
        let buffer = try mounted.volume.cache.read(block)
        mounted.volume.cache.bytes(buffer).initializeMemory(as: UInt8.self, repeating: value)
        try mounted.volume.log.write(buffer)
        mounted.volume.cache.release(buffer)
    }

    @Test func anOperationCommitsThroughTheLogAndClearsIt() throws {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage())
        let writes = mounted.disk.writes
        try mounted.volume.log.begin()
        try change(mounted, Self.dataBlock, to: 7)
        #expect(mounted.disk.writes == writes)
        try mounted.volume.log.end()
        // The logged copy, the header, the home block, the cleared header.
        #expect(mounted.disk.writes == writes + 4)
        #expect(mounted.disk.block(Int(Self.dataBlock.raw)).allSatisfy { $0 == 7 })
        #expect(mounted.disk.block(Int(Self.superblock.logStart) + 1).allSatisfy { $0 == 7 })
        #expect(mounted.disk.block(Int(Self.superblock.logStart)).prefix(4).allSatisfy { $0 == 0 })
    }

    @Test func concurrentOperationsCommitTogetherAndRepeatedBlocksAreLoggedOnce() throws {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage())
        let writes = mounted.disk.writes
        try mounted.volume.log.begin()
        try mounted.volume.log.begin()
        try change(mounted, Self.dataBlock, to: 1)
        try change(mounted, Self.dataBlock, to: 2)
        try mounted.volume.log.end()
        #expect(mounted.disk.writes == writes)
        try change(mounted, BlockNumber(Self.dataBlock.raw + 1), to: 3)
        try mounted.volume.log.end()
        // Two logged copies, header, two home blocks, header.
        #expect(mounted.disk.writes == writes + 6)
        #expect(mounted.disk.block(Int(Self.dataBlock.raw)).allSatisfy { $0 == 2 })
        #expect(mounted.disk.block(Int(Self.dataBlock.raw) + 1).allSatisfy { $0 == 3 })
    }

    @Test func anOperationCannotLogMoreThanTheLogHolds() throws {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage())
        let capacity = mounted.volume.log.state.pointee.capacity
        // 30 buffers: 25 pinned, 2 for the operations that may wait holding one, 3 spare (xv6 would log 29).
        #expect(capacity == 25)
        try mounted.volume.log.begin()
        for i in 0..<capacity { try change(mounted, BlockNumber(Self.dataBlock.raw + UInt32(i)), to: 1) }
        #expect(throws: FileSystemError.transactionTooLarge) {
            try change(mounted, BlockNumber(Self.dataBlock.raw + UInt32(capacity)), to: 1)
        }
        try mounted.volume.log.end()
    }

    /// An image whose log holds a committed transaction for `home`.
    static func imageWithCommittedLog(home: UInt32, count: UInt32 = 1) -> RAMDisk {
        let disk = makeFileSystemImage()
        let start = Int(superblock.logStart) * DiskFormat.blockSize
        disk.blocks.withUnsafeMutableBytes {
            let header = UnsafeMutableRawBufferPointer(rebasing: $0[start..<(start + DiskFormat.blockSize)])
            header.storeLittleEndianWord(count, at: 0)
            header.storeLittleEndianWord(home, at: 4)
        }
        for i in 0..<DiskFormat.blockSize { disk.blocks[start + DiskFormat.blockSize + i] = 0xC3 }
        return disk
    }

    @Test func mountReplaysACommittedLog() throws {
        let disk = Self.imageWithCommittedLog(home: Self.dataBlock.raw)
        _ = try MountedTestVolume(disk: disk)
        #expect(disk.block(Int(Self.dataBlock.raw)).allSatisfy { $0 == 0xC3 })
        #expect(disk.block(Int(Self.superblock.logStart)).prefix(4).allSatisfy { $0 == 0 })
    }

    @Test func aLogNamingBlocksOutsideTheFileSystemIsRefused() {
        for home in [0, 1, Self.superblock.logStart + 3, Self.superblock.totalBlocks, UInt32.max] {
            #expect(throws: FileSystemError.corruptLog) { try MountedTestVolume(disk: Self.imageWithCommittedLog(home: home)) }
        }
        let tooMany = Self.imageWithCommittedLog(home: Self.dataBlock.raw, count: Self.superblock.logBlocks)
        #expect(throws: FileSystemError.corruptLog) { try MountedTestVolume(disk: tooMany) }
    }

    @Test func aFailedCommitFailsTheCallAndEveryLaterOne() throws {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage())
        mounted.disk.writesBeforeCut = mounted.disk.writes + 1
        #expect(throws: FileSystemError.ioError) { try mounted.makeDirectory("/d") }
        mounted.disk.writesBeforeCut = nil
        #expect(throws: FileSystemError.ioError) { try mounted.makeDirectory("/e") }
        #expect(throws: FileSystemError.ioError) { try mounted.read(mounted.root, at: 0, count: 16) }
    }
}
