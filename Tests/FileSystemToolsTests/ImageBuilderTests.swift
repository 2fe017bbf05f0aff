import FileSystem
import Testing

@testable import FileSystemTools

/// mkfs's library on its own (the byte-for-byte comparison with xv6's mkfs
/// is Xv6InteropTests).
@Suite struct ImageBuilderTests {
    @Test func buildNamesLoseTheirDirectoryAndOneUnderscore() {
        #expect(ImageFile.diskName(forPath: "build/riscv64/user/_cat") == "cat")
        #expect(ImageFile.diskName(forPath: "sh") == "sh")
        #expect(ImageFile.diskName(forPath: "user/__x") == "_x")
        #expect(ImageFile.diskName(forPath: "dir/") == "dir")
    }

    @Test func blocksAreHandedOutInAppendOrder() throws {
        let image = MemoryDisk(image: try ImageBuilder.build(files: [ImageFile(name: "big", contents: [UInt8](repeating: 9, count: 13 * 1024))]))
        let sb = DiskFormat.xv6Geometry.superblock
        func inode(_ n: UInt32) -> DiskInode {
            image.modifyBlock(sb.block(holding: InodeNumber(n)).raw) { DiskInode(decoding: UnsafeRawBufferPointer($0), at: sb.offset(of: InodeNumber(n))) }
        }
        // The root's block first, then big's 12 direct blocks, its indirect
        // block, and the block that one maps.
        #expect(inode(1).addresses[0] == 46)
        #expect(inode(1).size == 1024 && inode(1).linkCount == 1)
        #expect((0..<12).map { inode(2).addresses[$0] } == Array(47...58))
        #expect(inode(2).indirect == 59)
        #expect(image.modifyBlock(59) { UnsafeRawBufferPointer($0).littleEndianWord(at: 0) } == 60)
        #expect(inode(2).size == 13 * 1024)
        // Blocks 0-60 used, 61 free.
        let bitmap = image.modifyBlock(sb.bitmapStart) { Array(UnsafeRawBufferPointer($0)[0..<9]) }
        #expect(bitmap == [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0])
    }

    @Test func badGeometryIsRefused() {
        #expect(throws: ImageBuildError.badGeometry(.regionsOutOfOrder)) {
            try ImageBuilder(geometry: Geometry(totalBlocks: 40, inodeCount: 200, logBlocks: 30))
        }
        #expect(throws: ImageBuildError.badGeometry(.badLogSize)) { try ImageBuilder(geometry: Geometry(totalBlocks: 2000, inodeCount: 200, logBlocks: 1)) }
        #expect(throws: ImageBuildError.fileTooLarge(name: "x", bytes: DiskFormat.maxFileSize + 1)) {
            try ImageBuilder.build(files: [ImageFile(name: "x", contents: [UInt8](repeating: 0, count: DiskFormat.maxFileSize + 1))])
        }
    }

    @Test func largeImagesUseEveryBitmapBlock() throws {
        let geometry = Geometry(totalBlocks: 20000, inodeCount: 1000, logBlocks: 30)
        let files = (0..<41).map { ImageFile(name: "f\($0)", contents: [UInt8](repeating: UInt8($0), count: 200 * 1024)) }
        let disk = MemoryDisk(image: try ImageBuilder.build(files: files, geometry: geometry))
        let check = ImageCheck.run(disk)
        #expect(check.findings == [])
        // 41 files of 200 blocks and an indirect block each run past the
        // first bitmap block's 8192 blocks.
        #expect(check.summary.usedDataBlocks == 41 * 201 + 1)
        #expect(disk.modifyBlock(geometry.superblock.bitmapStart + 1) { $0[0] } == 0xff)
    }
}
