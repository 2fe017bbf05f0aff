import Testing

@testable import FileSystem

@Suite struct DiskFormatTests {
    @Test func xv6GeometryGivesXv6Superblock() {
        // xv6's mkfs with FSSIZE 2000, NINODES 200, LOGSIZE 30 prints
        // "nmeta 46 (boot, super, log blocks 30 inode blocks 13, bitmap blocks 1) blocks 1954".
        let sb = DiskFormat.xv6Geometry.superblock
        #expect(sb.totalBlocks == 2000)
        #expect(sb.dataBlocks == 1954)
        #expect(sb.logStart == 2)
        #expect(sb.inodeStart == 32)
        #expect(sb.bitmapStart == 45)
        #expect(sb.firstDataBlock == 46)
        #expect(sb.validate(deviceBlocks: 2000) == nil)
    }

    @Test func superblockRoundTripsThroughBytes() {
        var bytes = [UInt8](repeating: 0, count: DiskFormat.blockSize)
        let sb = DiskFormat.xv6Geometry.superblock
        bytes.withUnsafeMutableBytes { sb.encode(into: $0) }
        #expect(Array(bytes[0..<4]) == [0x40, 0x30, 0x20, 0x10])
        #expect(bytes.withUnsafeBytes { Superblock(decoding: $0) } == sb)
    }

    @Test func corruptSuperblocksAreRefusedWithAReason() {
        var sb = DiskFormat.xv6Geometry.superblock
        #expect(sb.validate(deviceBlocks: 1999) == .sizeExceedsDevice)
        sb.magic = 0
        #expect(sb.validate(deviceBlocks: 2000) == .badMagic)
        sb = DiskFormat.xv6Geometry.superblock
        sb.bitmapStart = 40
        #expect(sb.validate(deviceBlocks: 2000) == .regionsOutOfOrder)
        sb = DiskFormat.xv6Geometry.superblock
        sb.inodeStart = UInt32.max
        #expect(sb.validate(deviceBlocks: 2000) == .regionsOutOfOrder)
        sb = DiskFormat.xv6Geometry.superblock
        sb.logBlocks = 0
        #expect(sb.validate(deviceBlocks: 2000) == .badLogSize)
    }

    @Test func inodeLayoutIsXv6s() {
        var inode = DiskInode()
        inode.type = InodeType.file.rawValue
        inode.linkCount = 1
        inode.size = 0x0102_0304
        inode.addresses[0] = 46
        inode.indirect = 99
        var bytes = [UInt8](repeating: 0, count: DiskFormat.blockSize)
        bytes.withUnsafeMutableBytes { inode.encode(into: $0, at: 64) }
        #expect(Array(bytes[64..<76]) == [2, 0, 0, 0, 0, 0, 1, 0, 4, 3, 2, 1])
        #expect(Array(bytes[76..<80]) == [46, 0, 0, 0])
        #expect(Array(bytes[124..<128]) == [99, 0, 0, 0])
        #expect(bytes.withUnsafeBytes { DiskInode(decoding: $0, at: 64) } == inode)
        let sb = DiskFormat.xv6Geometry.superblock
        #expect(sb.block(holding: InodeNumber(17)) == BlockNumber(33))
        #expect(sb.offset(of: InodeNumber(17)) == 64)
    }

    @Test func directoryNamesCompareOnFourteenBytes() {
        let entry = "abcdefghijklmnop".utf8.withContiguousStorageIfAvailable {
            DiskDirectoryEntry(inode: 5, name: UnsafeRawBufferPointer($0))
        }!
        #expect(entry.nameLength == 14)
        #expect("abcdefghijklmnXYZ".utf8.withContiguousStorageIfAvailable { entry.nameMatches(UnsafeRawBufferPointer($0)) } == true)
        #expect("abcdefghijklm".utf8.withContiguousStorageIfAvailable { entry.nameMatches(UnsafeRawBufferPointer($0)) } == false)
        let short = "ls".utf8.withContiguousStorageIfAvailable { DiskDirectoryEntry(inode: 3, name: UnsafeRawBufferPointer($0)) }!
        #expect("ls".utf8.withContiguousStorageIfAvailable { short.nameMatches(UnsafeRawBufferPointer($0)) } == true)
        #expect("l".utf8.withContiguousStorageIfAvailable { short.nameMatches(UnsafeRawBufferPointer($0)) } == false)
        #expect("lsx".utf8.withContiguousStorageIfAvailable { short.nameMatches(UnsafeRawBufferPointer($0)) } == false)
    }
}
