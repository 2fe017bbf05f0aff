import FileSystem
import Foundation
import Testing

@testable import FileSystemTools

/// The seed images of the file-system fuzzer (Tests/Fuzz/corpus/fs), made
/// here by mkfs's library and the file-system core, so that they stay real
/// images of the current code: this test fails when a committed seed
/// differs from what the code makes (rewrite them with
/// SWIFTLET_WRITE_FUZZ_SEEDS=1 swift test --filter FuzzSeedTests). On the
/// way it checks that the core's writes to an image of our mkfs leave it
/// clean by our check, and that a log cut after its commit is reported.
@Suite struct FuzzSeedTests {
    /// 64 blocks (the fuzzer's -max_len is 64 KiB): 18 metadata blocks
    /// (a 12-block log, the smallest the core mounts with), 46 data.
    static let geometry = Geometry(totalBlocks: 64, inodeCount: 32, logBlocks: 12)

    static func baseImage() throws -> MemoryDisk {
        let files = [
            ImageFile(name: "hello", contents: Array("hello, disk\n".utf8)),
            ImageFile(name: "indirect", contents: (0..<(13 * 1024 + 100)).map { UInt8(truncatingIfNeeded: $0 &* 7) }),
            ImageFile(name: "empty", contents: []),
        ]
        return MemoryDisk(image: try ImageBuilder.build(files: files, geometry: geometry))
    }

    /// The core makes a tree on the mkfs image: d/, d/e/, d/f, a link d/g
    /// to hello, removes empty, and makes a device node console.
    static func growTree(_ device: SeedDisk) throws {
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: SeedVolume.memoryNeeded(), alignment: 64)
        defer { memory.deallocate() }
        let volume = try SeedVolume.mount(device: device, host: SeedHost(), memory: memory)
        let root = try volume.root()
        try bytes("d") { try volume.makeDirectory($0, from: root) }
        try bytes("d/e") { try volume.makeDirectory($0, from: root) }
        let file = try bytes("d/f") { try volume.open($0, from: root, create: true, writable: true) }
        var content = (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 3) }
        _ = try content.withUnsafeMutableBytes { raw in
            var source = MemoryByteSource(UnsafeRawBufferPointer(raw))
            return try volume.write(file, at: 0, count: 3000, from: &source)
        }
        try volume.close(file)
        try bytes("hello") { old in try bytes("d/g") { try volume.link(old, to: $0, from: root) } }
        try bytes("empty") { try volume.unlink($0, from: root) }
        try bytes("console") { try volume.makeDevice($0, from: root, major: 1, minor: 0) }
        try volume.close(root)
    }

    static func bytes<R>(_ text: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        try Array(text.utf8).withUnsafeBytes { try body($0) }
    }

    /// name -> image.
    static func seeds() throws -> [(String, [UInt8])] {
        let mkfsImage = try baseImage()
        let tree = try baseImage()
        try growTree(SeedDisk(disk: tree))
        // The same work on a disk whose power goes right after the first
        // commit record (a log header with a count) reaches it.
        let cut = try baseImage()
        let cutDevice = SeedDisk(disk: cut, logStart: geometry.superblock.logStart)
        #expect(throws: FileSystemError.self) { try growTree(cutDevice) }
        return [("mkfs-3-files", mkfsImage.bytes), ("tree", tree.bytes), ("committed-log", cut.bytes)]
    }

    @Test func seedsAreRealImagesAndCommitted() throws {
        let seeds = try Self.seeds()
        #expect(ImageCheck.run(MemoryDisk(image: seeds[0].1)).lines == [])
        let tree = ImageCheck.run(MemoryDisk(image: seeds[1].1))
        #expect(tree.lines == [])
        #expect(tree.summary.directories == 3 && tree.summary.files == 3 && tree.summary.devices == 1)
        let cut = ImageCheck.run(MemoryDisk(image: seeds[2].1))
        // mkdir d's transaction: the root's block and inode, d's block and inode... none installed yet.
        #expect(cut.findings == [.committedLog(blocks: 4)])

        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/corpus/fs")
        let rewrite = ProcessInfo.processInfo.environment["SWIFTLET_WRITE_FUZZ_SEEDS"] == "1"
        for (name, image) in seeds {
            let path = corpus.appendingPathComponent(name)
            if rewrite {
                try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
                try Data(image).write(to: path)
            }
            let committed = (try? [UInt8](Data(contentsOf: path))) ?? []
            #expect(committed == image, "Tests/Fuzz/corpus/fs/\(name) is stale: SWIFTLET_WRITE_FUZZ_SEEDS=1 swift test --filter FuzzSeedTests")
        }
    }

    @Test func mountingReplaysTheCommittedLogToACleanImage() throws {
        let cut = MemoryDisk(image: try Self.seeds()[2].1)
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: SeedVolume.memoryNeeded(), alignment: 64)
        defer { memory.deallocate() }
        _ = try SeedVolume.mount(device: SeedDisk(disk: cut), host: SeedHost(), memory: memory)
        #expect(ImageCheck.run(cut).lines == [])
    }
}

typealias SeedVolume = FileSystemVolume<SeedDisk, SeedHost>

/// A MemoryDisk that, given `logStart`, loses power right after the first
/// write of a log header with a non-zero count: later writes fail.
final class SeedDisk: BlockDevice {
    let disk: MemoryDisk
    let logStart: UInt32?
    var powerLost = false

    init(disk: MemoryDisk, logStart: UInt32? = nil) {
        self.disk = disk
        self.logStart = logStart
    }

    var blockCount: UInt32 { disk.blockCount }
    func read(_ block: BlockNumber, into buffer: UnsafeMutableRawBufferPointer) throws(BlockDeviceError) {
        try disk.read(block, into: buffer)
    }
    func write(_ block: BlockNumber, from buffer: UnsafeRawBufferPointer) throws(BlockDeviceError) {
        if powerLost { throw .ioError }
        try disk.write(block, from: buffer)
        if block.raw == logStart, buffer.littleEndianWord(at: 0) != 0 { powerLost = true }
    }
}

/// One caller: nothing to lock, and a wait would never end.
struct SeedHost: FileSystemHost {
    func acquire(_ lock: FileSystemSpinlock) {}
    func release(_ lock: FileSystemSpinlock) {}
    func sleep(on channel: FileSystemChannel, releasing lock: FileSystemSpinlock) { preconditionFailure("single caller waits on \(channel)") }
    func wakeup(_ channel: FileSystemChannel) {}
}
