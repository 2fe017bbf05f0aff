import ArgumentParser
import FileSystem
import FileSystemTools
import Foundation

/// `mkfs`: a file-system image holding a list of files in its root
/// directory, laid out exactly as xv6's mkfs lays out the same list.
@main
struct MkfsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mkfs",
        abstract: "Make an xv6-format file-system image from a list of files.",
        discussion: """
            Each file goes into the root directory under its last path component, without one \
            leading '_' (build/user/_cat becomes cat). With the default sizes (\(DiskFormat.xv6Geometry.totalBlocks) \
            blocks, \(DiskFormat.xv6Geometry.inodeCount) inodes, \(DiskFormat.xv6Geometry.logBlocks) log blocks) the \
            image is byte for byte what xv6's mkfs makes of the same list. Exit status: 0 on success, 1 when the \
            files do not fit or cannot be read (no image is written then).
            """)

    @Argument(help: "The image to write (replaced if it exists).")
    var image: String

    @Argument(help: "Files to put in the root directory, in this order.")
    var files: [String] = []

    @Option(help: "Size of the file system in \(DiskFormat.blockSize)-byte blocks.")
    var blocks: UInt32 = DiskFormat.xv6Geometry.totalBlocks

    @Option(help: "Number of inodes (inode 0 is unused, 1 is the root directory).")
    var inodes: UInt32 = DiskFormat.xv6Geometry.inodeCount

    @Option(name: .customLong("log-blocks"), help: "Blocks of the log, its header block included.")
    var logBlocks: UInt32 = DiskFormat.xv6Geometry.logBlocks

    @Flag(help: "Print nothing on success.")
    var quiet = false

    func run() throws {
        var inputs: [ImageFile] = []
        for path in files {
            guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
            inputs.append(ImageFile(name: ImageFile.diskName(forPath: path), contents: [UInt8](data)))
        }
        let geometry = Geometry(totalBlocks: blocks, inodeCount: inodes, logBlocks: logBlocks)
        let bytes: [UInt8]
        do {
            bytes = try ImageBuilder.build(files: inputs, geometry: geometry)
        } catch {
            fail(error.description)
        }
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: image), options: .atomic)
        } catch {
            fail("cannot write \(image): \(error.localizedDescription)")
        }
        if quiet { return }
        let check = ImageCheck.run(MemoryDisk(image: bytes))
        print(
            "mkfs: \(image): \(blocks) blocks (\(geometry.metadataBlocks) metadata, \(check.summary.usedDataBlocks) data in use), "
                + "\(inputs.count) files, \(inputs.count + 1) of \(inodes) inodes")
    }

    func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("mkfs: error: \(message)\n".utf8))
        Foundation.exit(1)
    }
}
