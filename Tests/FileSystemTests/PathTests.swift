import FileSystemTools
import Testing

@testable import FileSystem

@Suite struct PathTests {
    @Test func dotDotOfTheRootIsTheRootAndSlashesRepeat() throws {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage())
        try mounted.makeDirectory("/a")
        try mounted.volume.close(mounted.open("//a///f", create: true))
        #expect(try mounted.open("/../../a/./f").number == mounted.open("a/f").number)
        #expect(try mounted.open("/a/").number == mounted.open("/a/..//a").number)
        #expect(try mounted.open("..").number == DiskFormat.rootInode)
        // An empty path names the current directory, as in xv6.
        let a = try mounted.open("/a")
        #expect(try mounted.open("", from: a).number == a.number)
        #expect(try mounted.open("..", from: a).number == DiskFormat.rootInode)
    }

    @Test func namesCompareOnTheirFirstFourteenBytes() throws {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage())
        let file = try mounted.open("/abcdefghijklmnopq", create: true)
        #expect(try mounted.open("/abcdefghijklmn").number == file.number)
        #expect(try mounted.open("/abcdefghijklmnXYZ").number == file.number)
        #expect(throws: FileSystemError.notFound) { try mounted.open("/abcdefghijklm") }
        #expect(try mounted.list("/") == [".", "..", "abcdefghijklmn"])
    }

    @Test func callsRefuseWhatXv6Refuses() throws {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage())
        try mounted.makeDirectory("/d")
        try mounted.volume.close(mounted.open("/f", create: true))
        #expect(throws: FileSystemError.notADirectory) { try mounted.open("/f/x", create: true) }
        #expect(throws: FileSystemError.notADirectory) { try mounted.open("/f/x") }
        #expect(throws: FileSystemError.notFound) { try mounted.open("/nothing/x", create: true) }
        #expect(throws: FileSystemError.isADirectory) { try mounted.open("/d", writable: true) }
        #expect(throws: FileSystemError.alreadyExists) { try mounted.open("/d", create: true) }
        #expect(throws: FileSystemError.alreadyExists) { try mounted.makeDirectory("/f") }
        #expect(throws: FileSystemError.alreadyExists) { try mounted.makeDirectory("/d/..") }
        #expect(throws: FileSystemError.invalidName) { try mounted.makeDirectory("/") }
        #expect(throws: FileSystemError.invalidName) { try mounted.unlink("/d/.") }
        #expect(throws: FileSystemError.invalidName) { try mounted.unlink("/d/..") }
        #expect(throws: FileSystemError.isADirectory) { try mounted.link("/d", "/e") }
        #expect(throws: FileSystemError.alreadyExists) { try mounted.link("/f", "/d/..") }
        #expect(throws: FileSystemError.notADirectory) {
            try withBytes("/f") { try mounted.volume.changeDirectory($0, from: mounted.root) }
        }
        // A failed link leaves the count as it was.
        #expect(try mounted.volume.status(mounted.open("/f")).linkCount == 1)
        // Opening an existing file with O_CREATE keeps its bytes; O_TRUNC drops them.
        let file = try mounted.open("/f", writable: true)
        _ = try mounted.write(file, [1, 2, 3], at: 0)
        #expect(try mounted.volume.status(mounted.open("/f", create: true)).size == 3)
        #expect(try mounted.volume.status(mounted.open("/f", truncate: true)).size == 0)
        #expect(fsckFindings(mounted.disk) == [])
    }

    @Test func aDirectoryWithAThousandEntriesGrowsIntoItsIndirectBlock() throws {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage())
        try mounted.makeDirectory("/many")
        try mounted.volume.close(mounted.open("/many/target", create: true))
        for i in 0..<1000 { try mounted.link("/many/target", "/many/n\(i)") }
        let directory = try mounted.open("/many")
        #expect(try mounted.volume.status(directory).size == 1003 * 16)
        #expect(try mounted.volume.status(mounted.open("/many/n999")).linkCount == 1001)
        for i in stride(from: 0, to: 1000, by: 2) { try mounted.unlink("/many/n\(i)") }
        // Freed slots are reused before the directory grows.
        try mounted.link("/many/target", "/many/again")
        #expect(try mounted.volume.status(directory).size == 1003 * 16)
        #expect(try mounted.list("/many").count == 2 + 1 + 500 + 1)
        #expect(fsckFindings(mounted.disk) == [])
    }
}
