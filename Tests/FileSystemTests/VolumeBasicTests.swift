import Testing

@testable import FileSystem

@Suite struct VolumeBasicTests {
    @Test func handMadeImageMountsWithAnEmptyRoot() throws {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage())
        #expect(try mounted.list("/") == [".", ".."])
        let status = try mounted.volume.status(mounted.root)
        #expect(status.type == .directory)
        #expect(status.inode == DiskFormat.rootInode)
        #expect(status.size == 32)
    }

    @Test func createWriteReadBack() throws {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage())
        let file = try mounted.open("/hello", create: true, writable: true)
        let data = (0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        #expect(try mounted.write(file, data, at: 0) == 5000)
        #expect(try mounted.read(file, at: 0, count: 6000) == data)
        #expect(try mounted.read(file, at: 4990, count: 100) == Array(data[4990...]))
        let status = try mounted.volume.status(file)
        #expect(status.type == .file && status.size == 5000 && status.linkCount == 1)
        try mounted.volume.close(file)
        #expect(try mounted.list("/") == [".", "..", "hello"])
    }

    @Test func directoriesAndRelativePaths() throws {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage())
        try mounted.makeDirectory("a")
        try mounted.makeDirectory("/a/b")
        let file = try mounted.open("a/b/../b/./f", create: true, writable: true)
        #expect(try mounted.write(file, Array("hi".utf8), at: 0) == 2)
        try mounted.volume.close(file)
        #expect(try mounted.contents("/a/b/f") == Array("hi".utf8))
        let a = try withBytes("/a") { (p) in try mounted.volume.changeDirectory(p, from: mounted.root) }
        let relative = try mounted.open("b/f", from: a)
        #expect(try mounted.read(relative, at: 0, count: 10) == Array("hi".utf8))
        try mounted.volume.close(relative)
        try mounted.volume.close(a)
        // As in xv6: 1 for the name in /, 1 for b's `..` (`.` is not counted).
        #expect(try mounted.volume.status(mounted.open("/a")).linkCount == 2)
        #expect(throws: FileSystemError.directoryNotEmpty) { try mounted.unlink("/a/b") }
        try mounted.unlink("/a/b/f")
        try mounted.unlink("/a/b")
        #expect(try mounted.list("/a") == [".", ".."])
    }

    /// A directory unlinked while a caller still holds it (its cwd) takes no
    /// new names: they would outlive it, unreachable and counted as links.
    @Test func anUnlinkedDirectoryTakesNoNewEntries() throws {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage())
        try mounted.makeDirectory("gone")
        let cwd = try withBytes("gone") { (p) in try mounted.volume.changeDirectory(p, from: mounted.root) }
        try mounted.makeDirectory("here")
        try mounted.volume.close(try mounted.open("/file", create: true, writable: true))
        try mounted.unlink("gone")
        #expect(throws: FileSystemError.notFound) {
            try withBytes("sub") { (p) in try mounted.volume.makeDirectory(p, from: cwd) }
        }
        #expect(throws: FileSystemError.notFound) { _ = try mounted.open("f", create: true, writable: true, from: cwd) }
        #expect(throws: FileSystemError.notFound) {
            try withBytes("/file") { (old) in
                try withBytes("x") { (new) in try mounted.volume.link(old, to: new, from: cwd) }
            }
        }
        #expect(try mounted.volume.status(try mounted.open("/file")).linkCount == 1)
        try mounted.volume.close(cwd)
        #expect(fsckFindings(mounted.disk) == [])
        #expect(try mounted.list("/") == [".", "..", "here", "file"])
    }
}
