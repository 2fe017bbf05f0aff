import FileSystemTools
import Testing

@testable import FileSystem

/// Images made by the project's mkfs (ImageBuilder) mount, read back and
/// stay clean after changes; and the hand-made empty image round-trips.
@Suite struct MkfsImageTests {
    @Test func mkfsImageMountsReadsAndStaysClean() throws {
        let files = [
            ImageFile(name: "README", contents: Array("hello\n".utf8)),
            ImageFile(name: "big", contents: FileOperation.bytes(count: 70_000, seed: 8)),
        ]
        let mounted = try MountedTestVolume(disk: RAMDisk(image: try ImageBuilder.build(files: files)))
        for file in files { #expect(try mounted.contents("/" + file.name) == file.contents) }
        try mounted.makeDirectory("/d")
        try mounted.link("/big", "/d/big2")
        try mounted.unlink("/README")
        #expect(fsckFindings(mounted.disk) == [])
        let again = try MountedTestVolume(disk: RAMDisk(image: mounted.disk.blocks))
        #expect(try again.contents("/d/big2") == files[1].contents)
        #expect(try again.list("/").sorted() == [".", "..", "big", "d"])
    }

    @Test func handMadeEmptyImageIsCleanAndRoundTrips() throws {
        let disk = makeFileSystemImage()
        #expect(fsckFindings(disk) == [])
        let mounted = try MountedTestVolume(disk: disk)
        try mounted.makeDirectory("/a")
        try mounted.volume.close(mounted.open("/a/b", create: true))
        let again = try MountedTestVolume(disk: RAMDisk(image: disk.blocks))
        #expect(try again.snapshot() == mounted.snapshot())
        #expect(fsckFindings(disk) == [])
    }
}
