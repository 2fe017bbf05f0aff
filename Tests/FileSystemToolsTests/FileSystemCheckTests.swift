import FileSystem
import Testing

@testable import FileSystemTools

/// The file-system check (Sources/FileSystem/Check) against images that are
/// clean and images corrupted in one way each: every kind of problem must
/// be named, and a clean image must give no finding.
@Suite struct FileSystemCheckTests {
    @Test func cleanTreeHasNoFindings() throws {
        let check = try CheckFixture().check()
        #expect(check.findings == [])
        #expect(check.summary.completed)
        #expect(check.summary.directories == 3)
        #expect(check.summary.files == 3)
        // a: 3, big: 20 + indirect, d: 1, f: 1, e: 1, root: 1.
        #expect(check.summary.usedDataBlocks == 28)
    }

    @Test func mkfsImagesAreClean() throws {
        let files = (0..<10).map { ImageFile(name: "file\($0)", contents: [UInt8](repeating: UInt8($0), count: $0 * 1500)) }
        #expect(ImageCheck.run(MemoryDisk(image: try ImageBuilder.build(files: files))).findings == [])
        // More than one bitmap block.
        let large = Geometry(totalBlocks: 20000, inodeCount: 400, logBlocks: 30)
        #expect(ImageCheck.run(MemoryDisk(image: try ImageBuilder.build(files: files, geometry: large))).findings == [])
        // A size that is a multiple of the bits per bitmap block: xv6
        // counts one more bitmap block as metadata.
        let whole = Geometry(totalBlocks: 8192, inodeCount: 200, logBlocks: 30)
        #expect(whole.superblock.dataBlocks == whole.superblock.totalBlocks - whole.superblock.firstDataBlock - 1)
        #expect(ImageCheck.run(MemoryDisk(image: try ImageBuilder.build(files: files, geometry: whole))).findings == [])
    }

    @Test func rootRoundedToAWholeBlockIsNotAHole() throws {
        // "." and ".." and 62 files fill the root's first block exactly:
        // xv6's mkfs then gives the root a size of two blocks, one allocated.
        let files = (0..<62).map { ImageFile(name: "f\($0)", contents: [1]) }
        let disk = MemoryDisk(image: try ImageBuilder.build(files: files))
        let check = ImageCheck.run(disk)
        #expect(check.findings == [])
        #expect(check.summary.files == 62)
    }

    @Test func unusableSuperblockStopsTheCheck() throws {
        let fixture = try CheckFixture()
        fixture.editSuperblock { $0.magic = 0x1234 }
        let check = fixture.check()
        #expect(check.findings == [.superblock(.badMagic)])
        #expect(!check.summary.completed)
        #expect(check.lines == ["superblock: bad superblock magic (not an xv6-format file system)"])
    }

    @Test func dataBlockCountMustMatchTheRegions() throws {
        let fixture = try CheckFixture()
        fixture.editSuperblock { $0.dataBlocks = 5 }
        #expect(fixture.check().findings == [.dataBlockCountMismatch(recorded: 5, regions: 1954)])
    }

    @Test func committedLogIsReported() throws {
        let fixture = try CheckFixture()
        fixture.disk.modifyBlock(fixture.superblock.logStart) {
            $0.storeLittleEndianWord(2, at: 0)
            $0.storeLittleEndianWord(50, at: 4)
            $0.storeLittleEndianWord(51, at: 8)
        }
        let check = fixture.check()
        #expect(check.findings == [.committedLog(blocks: 2)])
        #expect(check.lines[0].contains("not cleanly unmounted"))
    }

    @Test func corruptLogHeaderIsReported() throws {
        let fixture = try CheckFixture()
        fixture.disk.modifyBlock(fixture.superblock.logStart) { $0.storeLittleEndianWord(30, at: 0) }
        #expect(fixture.check().findings == [.badLogHeader(count: 30, block: 0)])
        fixture.disk.modifyBlock(fixture.superblock.logStart) {
            $0.storeLittleEndianWord(1, at: 0)
            $0.storeLittleEndianWord(2000, at: 4)
        }
        #expect(fixture.check().findings == [.badLogHeader(count: 1, block: 2000)])
    }

    @Test func unknownInodeTypeIsReported() throws {
        let fixture = try CheckFixture()
        let blocks = fixture.inode(CheckFixture.a).addresses
        fixture.editInode(CheckFixture.a) { $0.type = 7 }
        let findings = fixture.check().findings
        #expect(findings.first == .badInodeType(inode: CheckFixture.a, type: 7))
        // Its blocks are no longer anyone's.
        #expect(findings.contains(.leakedBlocks(first: blocks[0], last: blocks[2])))
    }

    @Test func rootThatIsNotADirectoryIsReported() throws {
        let fixture = try CheckFixture()
        fixture.editInode(CheckFixture.root) { $0.type = InodeType.file.rawValue }
        #expect(fixture.check().findings.contains(.rootNotDirectory(type: InodeType.file.rawValue)))
    }

    @Test func blockUsedTwiceIsReported() throws {
        let fixture = try CheckFixture()
        let shared = fixture.inode(CheckFixture.a).addresses[0]
        let own = fixture.inode(CheckFixture.f).addresses[0]
        fixture.editInode(CheckFixture.f) { $0.addresses[0] = shared }
        let findings = fixture.check().findings
        #expect(findings.contains(.blockUsedTwice(block: shared, firstInode: CheckFixture.a, secondInode: CheckFixture.f)))
        #expect(findings.contains(.leakedBlocks(first: own, last: own)))
        #expect(findings.count == 2)
    }

    @Test func blockOutsideTheDataAreaIsReported() throws {
        let fixture = try CheckFixture()
        let own = fixture.inode(CheckFixture.f).addresses[0]
        fixture.editInode(CheckFixture.f) { $0.addresses[0] = fixture.superblock.inodeStart }
        #expect(
            fixture.check().findings == [
                .blockOutOfRange(inode: CheckFixture.f, block: fixture.superblock.inodeStart), .leakedBlocks(first: own, last: own),
            ])
        fixture.editInode(CheckFixture.f) { $0.addresses[0] = 5000 }
        #expect(fixture.check().findings.first == .blockOutOfRange(inode: CheckFixture.f, block: 5000))
    }

    @Test func blocksBeyondTheSizeAreReported() throws {
        let fixture = try CheckFixture()
        let blocks = fixture.inode(CheckFixture.a).addresses
        fixture.editInode(CheckFixture.a) { $0.size = 1000 }
        #expect(
            fixture.check().findings == [
                .blockBeyondSize(inode: CheckFixture.a, fileBlock: 1, block: blocks[1]),
                .blockBeyondSize(inode: CheckFixture.a, fileBlock: 2, block: blocks[2]),
            ])
        // An indirect block for a file that needs none.
        let big = fixture.inode(CheckFixture.big)
        fixture.editInode(CheckFixture.big) { $0.size = 12 * 1024 }
        #expect(fixture.check().findings.contains(.blockBeyondSize(inode: CheckFixture.big, fileBlock: 12, block: big.indirect)))
    }

    @Test func holesAreReported() throws {
        let fixture = try CheckFixture()
        let middle = fixture.inode(CheckFixture.a).addresses[1]
        fixture.editInode(CheckFixture.a) { $0.addresses[1] = 0 }
        #expect(fixture.check().findings == [.hole(inode: CheckFixture.a, fileBlock: 1), .leakedBlocks(first: middle, last: middle)])
        let indirect = fixture.inode(CheckFixture.big).indirect
        fixture.editInode(CheckFixture.big) { $0.indirect = 0 }
        #expect(fixture.check().findings.contains(.hole(inode: CheckFixture.big, fileBlock: 12)))
        // Holes in other directories than the root are holes.
        fixture.editInode(CheckFixture.big) { $0.indirect = indirect }
        fixture.editInode(CheckFixture.e) { $0.size = 2048 }
        #expect(fixture.check().findings.contains(.hole(inode: CheckFixture.e, fileBlock: 1)))
    }

    @Test func sizesAreChecked() throws {
        let fixture = try CheckFixture()
        fixture.editInode(CheckFixture.f) { $0.size = UInt32(DiskFormat.maxFileSize + 1) }
        #expect(fixture.check().findings.first == .sizeTooLarge(inode: CheckFixture.f, size: UInt32(DiskFormat.maxFileSize + 1)))
        let fixture2 = try CheckFixture()
        fixture2.editInode(CheckFixture.e) { $0.size = 40 }
        #expect(fixture2.check().findings == [.directorySizeNotWholeEntries(inode: CheckFixture.e, size: 40)])
    }

    @Test func bitmapDisagreementsAreReported() throws {
        let fixture = try CheckFixture()
        let used = fixture.inode(CheckFixture.f).addresses[0]
        fixture.setBitmap(used, used: false)
        fixture.setBitmap(1500, used: true)
        fixture.setBitmap(1501, used: true)
        fixture.setBitmap(1700, used: true)
        fixture.setBitmap(3, used: false)
        #expect(
            fixture.check().findings == [
                .metadataBlocksMarkedFree(first: 3, last: 3), .usedBlockMarkedFree(block: used, inode: CheckFixture.f),
                .leakedBlocks(first: 1500, last: 1501), .leakedBlocks(first: 1700, last: 1700),
            ])
        #expect(fixture.check().lines[2] == "blocks 1500-1501: marked in use in the bitmap but used by no inode")
    }

    @Test func linkCountsAreChecked() throws {
        let fixture = try CheckFixture()
        fixture.editInode(CheckFixture.a) { $0.linkCount = 2 }
        // d: its name in the root plus e's "..".
        fixture.editInode(CheckFixture.d) { $0.linkCount = 1 }
        let check = fixture.check()
        #expect(
            check.findings == [
                .linkCountMismatch(inode: CheckFixture.a, linkCount: 2, references: 1),
                .linkCountMismatch(inode: CheckFixture.d, linkCount: 1, references: 2),
            ])
        #expect(check.lines[0] == "inode 2: link count 2 but 1 directory entries name it")
    }

    @Test func orphanInodeIsReported() throws {
        let fixture = try CheckFixture()
        fixture.editEntry(of: CheckFixture.root, 2) { $0.inode = 0 }
        #expect(fixture.check().findings == [.orphanInode(inode: CheckFixture.a, linkCount: 1)])
    }

    @Test func entriesMustNameAllocatedInodes() throws {
        let fixture = try CheckFixture()
        fixture.addEntry(to: CheckFixture.e, inode: 150, name: "gone")
        fixture.addEntry(to: CheckFixture.e, inode: 500, name: "far")
        #expect(
            fixture.check().findings == [
                .entryNamesFreeInode(directory: CheckFixture.e, entry: 2, inode: 150),
                .entryInodeOutOfRange(directory: CheckFixture.e, entry: 3, inode: 500),
            ])
    }

    @Test func entryNamesAreChecked() throws {
        let fixture = try CheckFixture()
        fixture.addEntry(to: CheckFixture.e, inode: UInt16(CheckFixture.f), name: "")
        fixture.addEntry(to: CheckFixture.e, inode: UInt16(CheckFixture.f), name: "x/y")
        fixture.editInode(CheckFixture.f) { $0.linkCount = 3 }
        #expect(
            fixture.check().findings == [.badEntryName(directory: CheckFixture.e, entry: 2), .badEntryName(directory: CheckFixture.e, entry: 3)])
    }

    @Test func dotAndDotDotAreChecked() throws {
        let fixture = try CheckFixture()
        fixture.editEntry(of: CheckFixture.e, 0) { $0.inode = UInt16(CheckFixture.d) }
        #expect(fixture.check().findings == [.badDotEntry(directory: CheckFixture.e)])
        let fixture2 = try CheckFixture()
        fixture2.editEntry(of: CheckFixture.e, 1) { $0.inode = UInt16(CheckFixture.root) }
        #expect(
            fixture2.check().findings == [
                .wrongParent(directory: CheckFixture.e, dotDot: CheckFixture.root, parent: CheckFixture.d),
                .linkCountMismatch(inode: CheckFixture.root, linkCount: 2, references: 3),
                .linkCountMismatch(inode: CheckFixture.d, linkCount: 2, references: 1),
            ])
        let fixture3 = try CheckFixture()
        fixture3.editEntry(of: CheckFixture.e, 1) { $0 = DiskDirectoryEntry() }
        #expect(
            fixture3.check().findings == [
                .missingDotDotEntry(directory: CheckFixture.e), .linkCountMismatch(inode: CheckFixture.d, linkCount: 2, references: 1),
            ])
        let fixture4 = try CheckFixture()
        fixture4.addEntry(to: CheckFixture.e, inode: UInt16(CheckFixture.e), name: ".")
        #expect(fixture4.check().findings == [.misplacedDotEntry(directory: CheckFixture.e, entry: 2)])
        let fixture5 = try CheckFixture()
        fixture5.editInode(CheckFixture.e) { $0.size = 16 }
        #expect(fixture5.check().findings.contains(.missingDotDotEntry(directory: CheckFixture.e)))
    }

    @Test func directoryCyclesAreReported() throws {
        let fixture = try CheckFixture()
        // d loses its name in the root and gets one in e, its own child.
        fixture.editEntry(of: CheckFixture.root, 4) { $0.inode = 0 }
        fixture.addEntry(to: CheckFixture.e, inode: UInt16(CheckFixture.d), name: "loop")
        let findings = fixture.check().findings
        #expect(findings.contains(.unreachableDirectory(directory: CheckFixture.d, inCycle: true)))
        #expect(findings.contains(.unreachableDirectory(directory: CheckFixture.e, inCycle: true)))
        #expect(findings.count == 2)
    }

    @Test func unnamedDirectoryIsReported() throws {
        let fixture = try CheckFixture()
        fixture.editEntry(of: CheckFixture.d, 3) { $0.inode = 0 }
        // d's link count still matches: e's ".." names it.
        #expect(fixture.check().findings == [.unreachableDirectory(directory: CheckFixture.e, inCycle: false)])
    }

    @Test func directoryWithTwoNamesIsReported() throws {
        let fixture = try CheckFixture()
        fixture.addEntry(to: CheckFixture.root, inode: UInt16(CheckFixture.e), name: "e2")
        fixture.editInode(CheckFixture.e) { $0.linkCount = 2 }
        let findings = fixture.check().findings
        #expect(findings.contains(.directoryLinkedTwice(directory: CheckFixture.e, firstParent: CheckFixture.root, secondParent: CheckFixture.d)))
        #expect(findings.contains(.wrongParent(directory: CheckFixture.e, dotDot: CheckFixture.d, parent: CheckFixture.root)))
        let fixture2 = try CheckFixture()
        fixture2.addEntry(to: CheckFixture.e, inode: UInt16(CheckFixture.root), name: "top")
        #expect(fixture2.check().findings == [.rootNamedByEntry(directory: CheckFixture.e)])
    }

    @Test func unreadableBlockStopsTheCheck() throws {
        let fixture = try CheckFixture()
        let block = fixture.inode(CheckFixture.d).addresses[0]
        var collector = FindingCollector()
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: FileSystemCheck.scratchByteCount(for: fixture.superblock), alignment: 8)
        defer { scratch.deallocate() }
        let summary = FileSystemCheck.run(
            on: FailingDisk(disk: fixture.disk, failing: block), superblock: fixture.superblock, scratch: scratch, sink: &collector)
        #expect(collector.findings == [.unreadableBlock(block: block)])
        #expect(!summary.completed)
        #expect(summary.findings == 1)
        #expect(ImageCheck.run(FailingDisk(disk: fixture.disk, failing: 1)).findings == [.unreadableBlock(block: 1)])
    }
}
