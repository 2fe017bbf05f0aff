import ArgumentParser
import FileSystem
import FileSystemTools
import Foundation

/// `fsck`: checks an unmounted xv6-format image and prints one line per
/// problem.
@main
struct FsckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fsck",
        abstract: "Check an unmounted xv6-format file-system image.",
        discussion: """
            Checks the superblock, that every block is either free in the bitmap or used exactly once \
            (metadata marked used), link counts, "." and "..", that every directory is reachable from the root \
            without cycles, that sizes match the blocks, inode types, that entries name allocated inodes, and \
            that the log is empty (a committed log means the image was not cleanly unmounted: mounting \
            replays it). Prints one line per problem on standard output. Exit status: 0 when the image is clean, \
            1 when problems were found, 2 when the image cannot be read.
            """)

    @Argument(help: "The image file to check.")
    var image: String

    @Flag(help: "Print only the problems, not the closing summary.")
    var quiet = false

    func run() throws {
        guard let data = FileManager.default.contents(atPath: image) else {
            FileHandle.standardError.write(Data("fsck: error: cannot read \(image)\n".utf8))
            throw ExitCode(2)
        }
        let check = ImageCheck.run(MemoryDisk(image: [UInt8](data)))
        for line in check.lines { print("\(image): \(line)") }
        if !quiet {
            let s = check.summary
            let verdict = check.isClean ? "clean" : count(check.findings.count, "problem")
            let seen = [count(s.directories, "directory", "directories"), count(s.files, "file"), count(s.devices, "device")]
            FileHandle.standardError.write(
                Data("fsck: \(image): \(verdict) (\(seen.joined(separator: ", ")), \(count(s.usedDataBlocks, "data block")) in use)\n".utf8))
        }
        if !check.isClean { throw ExitCode.failure }
    }

    func count(_ n: Int, _ one: String, _ many: String? = nil) -> String { n == 1 ? "1 \(one)" : "\(n) \(many ?? one + "s")" }
}
