import FileSystem
import Foundation
import Testing

@testable import FileSystemTools

/// xv6's own mkfs (a host C program in the xv6 sources) is the outside
/// judge of the format: built with the host's cc, it must make the same
/// bytes from the same file list as ours, and its images must pass our
/// check. The xv6 sources come from $XV6_DIR, else ../shared/xv6-riscv
/// next to the repository (CI's layout), else ../../shared/xv6-riscv (a
/// worktree one level deeper). Skipped, saying so, only when cc is missing.
@Suite(.enabled(if: Xv6Mkfs.compiler != nil, "no C compiler (cc) on PATH: xv6's mkfs cannot be built"))
struct Xv6InteropTests {
    /// Files of every shape mkfs handles: empty, under a block, exactly one
    /// block, the last direct block, the first indirect one, the largest
    /// file, a 14-byte name, and build names with a directory part and `_`.
    static let shapes: [(path: String, bytes: Int)] = [
        ("README", -1), ("user/_cat", 12_345), ("user/_empty", 0), ("user/_one", 1024), ("user/_direct", 12 * 1024),
        ("user/_indirect", 13 * 1024 + 1), ("user/_largest", DiskFormat.maxFileSize), ("user/_fourteen-bytes", 777),
        ("user/_z", 1),
    ]

    @Test func sameFileListGivesTheSameBytes() throws {
        let xv6 = try Xv6Mkfs()
        defer { xv6.remove() }
        let paths = try xv6.writeInputs(Self.shapes)
        let theirs = try xv6.image(paths)
        let ours = try ImageBuilder.build(files: paths.map { try xv6.imageFile($0) })
        #expect(theirs.count == ours.count)
        #expect(firstDifference(theirs, ours) == nil)
        #expect(ImageFile.diskName(forPath: "user/_fourteen-bytes") == "fourteen-bytes")
    }

    @Test func rootEndingOnABlockBoundaryIsRoundedTheSameWay() throws {
        // ".", ".." and 62 entries fill the root's first block: both mkfs
        // then give the root a second, unallocated block.
        let xv6 = try Xv6Mkfs()
        defer { xv6.remove() }
        let paths = try xv6.writeInputs((0..<62).map { ("user/_f\($0)", $0 * 37) })
        let theirs = try xv6.image(paths)
        let ours = try ImageBuilder.build(files: paths.map { try xv6.imageFile($0) })
        #expect(firstDifference(theirs, ours) == nil)
        let root = MemoryDisk(image: ours)
        let sb = DiskFormat.xv6Geometry.superblock
        let inode = root.modifyBlock(sb.block(holding: DiskFormat.rootInode).raw) {
            DiskInode(decoding: UnsafeRawBufferPointer($0), at: sb.offset(of: DiskFormat.rootInode))
        }
        #expect(inode.size == 2048 && inode.addresses[1] == 0)
    }

    @Test func xv6ImagesPassOurCheck() throws {
        let xv6 = try Xv6Mkfs()
        defer { xv6.remove() }
        for list in [Self.shapes, (0..<62).map { ("user/_f\($0)", $0 * 37) }, [("README", -1)]] {
            let image = try xv6.image(try xv6.writeInputs(list))
            let check = ImageCheck.run(MemoryDisk(image: image))
            #expect(check.lines == [])
            #expect(check.summary.completed)
            #expect(check.summary.files == list.count)
        }
    }

    /// The core mounts xv6's image and reads back every file as it went in.
    @Test func coreReadsXv6Images() throws {
        let xv6 = try Xv6Mkfs()
        defer { xv6.remove() }
        let paths = try xv6.writeInputs(Self.shapes)
        let disk = MemoryDisk(image: try xv6.image(paths))
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: SeedVolume.memoryNeeded(), alignment: 64)
        defer { memory.deallocate() }
        let volume = try SeedVolume.mount(device: SeedDisk(disk: disk), host: SeedHost(), memory: memory)
        let root = try volume.root()
        for path in paths {
            let expected = try xv6.imageFile(path)
            let file = try FuzzSeedTests.bytes(expected.name) { try volume.open($0, from: root) }
            let status = try volume.status(file)
            #expect(status.type == .file && status.linkCount == 1 && Int(status.size) == expected.contents.count)
            var contents = [UInt8](repeating: 0, count: expected.contents.count)
            let got = try contents.withUnsafeMutableBytes { raw in
                var sink = MemoryByteSink(raw)
                return try volume.read(file, at: 0, count: raw.count, into: &sink)
            }
            #expect(got == expected.contents.count)
            #expect(contents == expected.contents, "\(expected.name) reads back different bytes")
            try volume.close(file)
        }
        try volume.close(root)
    }

    /// Where ours differs on purpose: input xv6's mkfs turns into a broken
    /// or silently changed image is refused here with a reason.
    @Test func inputXv6AcceptsBadlyIsRefused() throws {
        // xv6 cuts a long name to 14 bytes without a word; two such names
        // would become one.
        #expect(throws: ImageBuildError.badName("fifteen-bytes-x")) {
            try ImageBuilder.build(files: [ImageFile(name: "fifteen-bytes-x", contents: [])])
        }
        #expect(throws: ImageBuildError.duplicateName("cat")) {
            try ImageBuilder.build(files: [ImageFile(name: "cat", contents: []), ImageFile(name: "cat", contents: [1])])
        }
        // xv6's writes inodes past its table when given more files than inodes.
        let many = (0..<199).map { ImageFile(name: "f\($0)", contents: []) }
        #expect(throws: ImageBuildError.tooManyFiles(files: 199, inodes: 200)) { try ImageBuilder.build(files: many) }
        #expect(ImageCheck.run(MemoryDisk(image: try ImageBuilder.build(files: Array(many.dropLast())))).findings == [])
        // xv6's asserts (it cannot even write past 2000 blocks); ours stops.
        let huge = (0..<8).map { ImageFile(name: "h\($0)", contents: [UInt8](repeating: 1, count: DiskFormat.maxFileSize)) }
        #expect(throws: ImageBuildError.outOfBlocks(name: "h7", totalBlocks: 2000)) { try ImageBuilder.build(files: huge) }
    }
}

/// The offset of the first byte where two images differ, with both bytes.
func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> String? {
    for i in 0..<min(a.count, b.count) where a[i] != b[i] {
        return "byte \(i) (block \(i / DiskFormat.blockSize), offset \(i % DiskFormat.blockSize)): xv6 \(a[i]), ours \(b[i])"
    }
    return a.count == b.count ? nil : "sizes \(a.count) and \(b.count)"
}

/// xv6's mkfs, built once per test into a fresh directory.
struct Xv6Mkfs {
    let directory: URL
    let tool: URL

    static var compiler: String? {
        for entry in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(entry)/cc"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// $XV6_DIR, else shared/xv6-riscv beside the repository or one level up.
    static func sources() throws -> URL {
        if let dir = ProcessInfo.processInfo.environment["XV6_DIR"] { return URL(fileURLWithPath: dir) }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for up in ["../shared/xv6-riscv", "../../shared/xv6-riscv"] {
            let candidate = repository.appendingPathComponent(up).standardized
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("mkfs/mkfs.c").path) { return candidate }
        }
        throw InteropError.message(
            "no xv6 sources at \(repository.path)/../shared/xv6-riscv (or ../../shared): set XV6_DIR to an xv6-riscv checkout")
    }

    init() throws {
        let xv6 = try Self.sources()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("xv6-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("user"), withIntermediateDirectories: true)
        tool = directory.appendingPathComponent("xv6-mkfs")
        try Self.run(Self.compiler!, ["-I", xv6.path, "-o", tool.path, xv6.appendingPathComponent("mkfs/mkfs.c").path], in: directory)
        readme = try [UInt8](Data(contentsOf: xv6.appendingPathComponent("README.md")))
    }

    let readme: [UInt8]

    /// Deletes the directory with the tool, the inputs and the images.
    func remove() { try? FileManager.default.removeItem(at: directory) }

    /// Writes the inputs (a size of -1 means xv6's README) under the
    /// directory and returns their relative paths.
    func writeInputs(_ list: [(path: String, bytes: Int)]) throws -> [String] {
        for (path, bytes) in list {
            let contents = bytes < 0 ? readme : (0..<bytes).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ bytes) }
            try Data(contents).write(to: directory.appendingPathComponent(path))
        }
        return list.map(\.path)
    }

    func imageFile(_ path: String) throws -> ImageFile {
        ImageFile(name: ImageFile.diskName(forPath: path), contents: try [UInt8](Data(contentsOf: directory.appendingPathComponent(path))))
    }

    /// xv6's image of the files (paths relative to the directory).
    func image(_ paths: [String]) throws -> [UInt8] {
        let image = "fs-\(UUID().uuidString).img"
        try Self.run(tool.path, [image] + paths, in: directory)
        return try [UInt8](Data(contentsOf: directory.appendingPathComponent(image)))
    }

    static func run(_ executable: String, _ arguments: [String], in directory: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw InteropError.message("\(executable) \(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): \(text)")
        }
    }
}

enum InteropError: Error, CustomStringConvertible {
    case message(String)
    var description: String {
        switch self {
        case .message(let text): text
        }
    }
}
