import FileSystemTools
import Foundation
import Testing

@testable import FileSystem

/// The cheap paths exec takes through the core (a block read and release,
/// an empty operation, a close that frees nothing, an inode found again, a
/// directory search) and the cases where each must not cut corners.
@Suite struct FastPathTests {
    @Test func anUncontendedBlockReadTakesTheCacheLockOnceEachWayAndWakesNobody() throws {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage())
        let host = mounted.host
        let block = BlockNumber(DiskFormat.xv6Geometry.superblock.firstDataBlock)
        host.acquisitions = [:]
        host.wakeups = 0
        let buffer = try mounted.volume.cache.read(block)
        #expect(host.acquisitions[.bufferCache] == 1)
        mounted.volume.cache.release(buffer)
        #expect(host.acquisitions[.bufferCache] == 2)
        #expect(host.wakeups == 0)
    }

    @Test func anOperationThatWritesNothingTakesTheLogLockOnceEachWayAndWritesNothing() throws {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage())
        try mounted.volume.close(mounted.open("/f", create: true, writable: true))
        let writes = mounted.disk.writes
        mounted.host.acquisitions = [:]
        mounted.host.wakeups = 0
        let file = try mounted.open("/f")
        #expect(mounted.host.acquisitions[.log] == 2)
        #expect(mounted.host.wakeups == 0)
        #expect(mounted.disk.writes == writes)
        try mounted.volume.close(file)
    }

    @Test func aCloseThatCannotFreeSkipsTheLogButTheLastCloseOfAnUnlinkedFileFreesIt() throws {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage())
        let file = try mounted.open("/f", create: true, writable: true)
        #expect(try mounted.write(file, FileOperation.bytes(count: 3000, seed: 4), at: 0) == 3000)
        let second = mounted.volume.duplicate(file)
        mounted.host.acquisitions = [:]
        try mounted.volume.close(second)
        #expect(mounted.host.acquisitions[.log] == nil)
        #expect(mounted.host.acquisitions[.inodeTable] == 1)

        try mounted.unlink("/f")
        let third = mounted.volume.duplicate(file)
        // Not the last reference: nothing is freed, still no operation.
        mounted.host.acquisitions = [:]
        try mounted.volume.close(third)
        #expect(mounted.host.acquisitions[.log] == nil)
        #expect(try mounted.volume.status(file).size == 3000)
        // The last one frees the inode and its blocks, in an operation.
        let writes = mounted.disk.writes
        try mounted.volume.close(file)
        #expect(mounted.host.acquisitions[.log, default: 0] >= 2)
        #expect(mounted.disk.writes > writes)
        #expect(fsckFindings(mounted.disk) == [])
        #expect(try mounted.list("/") == [".", ".."])
    }

    /// exec's program: one lock of the inode for its status and every read
    /// after (the inode table's lock taken once each way, not per read),
    /// the inode locked until `endReads`, and the bytes those of `read`.
    @Test func aHeldRunOfReadsLocksTheInodeOnceAndReadsWhatReadDoes() throws {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage())
        let file = try mounted.open("/p", create: true, writable: true)
        let data = FileOperation.bytes(count: 5000, seed: 9)
        #expect(try mounted.write(file, data, at: 0) == 5000)
        mounted.host.acquisitions = [:]
        let status = try mounted.volume.beginReads(file)
        #expect(status.size == 5000 && status.type == .file)
        #expect(mounted.volume.inodeSlots[file.slot].locked)
        var pieces: [UInt8] = []
        for (offset, count) in [(0, 64), (1000, 3000), (4990, 100)] {
            var piece = [UInt8](repeating: 0, count: count)
            let got = try piece.withUnsafeMutableBytes { bytes in
                var sink = MemoryByteSink(bytes)
                return try mounted.volume.readHeld(file, at: offset, count: count, into: &sink)
            }
            pieces += piece[0..<got]
        }
        #expect(mounted.host.acquisitions[.inodeTable] == 1)
        mounted.volume.endReads(file)
        #expect(mounted.host.acquisitions[.inodeTable] == 2)
        #expect(!mounted.volume.inodeSlots[file.slot].locked)
        #expect(pieces == Array(data[0..<64] + data[1000..<4000] + data[4990..<5000]))
        #expect(try mounted.read(file, at: 1000, count: 3000) == Array(data[1000..<4000]))
        try mounted.volume.close(file)
    }

    @Test func aClosedInodeIsFoundAgainWithItsFieldsAndAFreedOneIsReadAfresh() throws {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage())
        let file = try mounted.open("/a", create: true, writable: true)
        #expect(try mounted.write(file, FileOperation.bytes(count: 5000, seed: 1), at: 0) == 5000)
        let number = file.number
        try mounted.volume.close(file)
        // Unreferenced, the slot still holds the fields.
        let again = try mounted.volume.inode(number)
        #expect(again.slot == file.slot)
        #expect(mounted.volume.inodeSlots[again.slot].valid)
        #expect(try mounted.volume.status(again).size == 5000)
        try mounted.volume.close(again)

        // Freed, the number comes back for the next file, read fresh.
        try mounted.unlink("/a")
        let fresh = try mounted.open("/b", create: true, writable: true)
        #expect(fresh.number == number)
        let status = try mounted.volume.status(fresh)
        #expect(status.size == 0)
        #expect(status.linkCount == 1)
        #expect(try mounted.read(fresh, at: 0, count: 10) == [])
        try mounted.volume.close(fresh)
        #expect(fsckFindings(mounted.disk) == [])
    }

    @Test func aSmallInodeTableReusesItsCachedSlotsForOtherInodes() throws {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage(), inodes: 4)
        let files = 9
        for index in 0..<files {
            let file = try mounted.open("/f\(index)", create: true, writable: true)
            _ = try mounted.write(file, FileOperation.bytes(count: 100 + index * 300, seed: UInt8(index)), at: 0)
            try mounted.volume.close(file)
        }
        for round in 0..<3 {
            for step in 0..<files {
                let index = (step * 4 + round) % files
                let expected = FileOperation.bytes(count: 100 + index * 300, seed: UInt8(index))
                #expect(try mounted.contents("/f\(index)") == expected)
            }
        }
        // Reopened, a changed file shows its new size through the cache.
        let file = try mounted.open("/f3", writable: true)
        _ = try mounted.write(file, [7, 7, 7], at: 100 + 3 * 300)
        try mounted.volume.close(file)
        for index in 0..<files where index != 3 { _ = try mounted.contents("/f\(index)") }
        #expect(try mounted.contents("/f3").count == 100 + 3 * 300 + 3)
        #expect(fsckFindings(mounted.disk) == [])
        let remounted = try MountedTestVolume(disk: RAMDisk(image: mounted.disk.blocks))
        #expect(try remounted.contents("/f3").suffix(3) == [7, 7, 7])
    }

    @Test func directorySearchFindsEachNameAcrossBlocksAndFreedSlots() throws {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage())
        // More entries than one block holds, names that are prefixes of
        // one another, and 14-byte names (a longer path matches on 14).
        var names = (0..<80).map { "n\($0)" } + ["p", "pp", "ppp", "abcdefghijklmn", "abcdefghijklm"]
        var numbers: [String: InodeNumber] = [:]
        for name in names {
            let file = try mounted.open("/" + name, create: true)
            numbers[name] = file.number
            try mounted.volume.close(file)
        }
        for name in ["n3", "n40", "pp"] { try mounted.unlink("/" + name) }
        names.removeAll { ["n3", "n40", "pp"].contains($0) }
        for name in names {
            let file = try mounted.open("/" + name)
            #expect(file.number == numbers[name], "\(name)")
            try mounted.volume.close(file)
        }
        for missing in ["n3", "n40", "pp", "pppp", "n", "n800", "abcdefghijkl"] {
            #expect(throws: FileSystemError.notFound) { try mounted.open("/" + missing) }
        }
        let long = try mounted.open("/abcdefghijklmnXYZ")
        #expect(long.number == numbers["abcdefghijklmn"])
        try mounted.volume.close(long)
        // A freed slot is reused by the next name.
        let reused = try mounted.open("/q", create: true)
        try mounted.volume.close(reused)
        #expect(try mounted.list("/").firstIndex(of: "q") == 2 + 3)
    }
}

@Suite struct SleepLockWakeupTests {
    /// A caller that waits for a buffer another caller has locked wakes
    /// when it is released and sees what the holder wrote into it.
    @Test(.timeLimit(.minutes(1))) func aWaiterForALockedBufferWakesAndSeesItsNewBytes() throws {
        let disk = RAMDisk(blocks: 8)
        let (results, host) = contendForBuffer(buffers: 3, disk: disk, held: 1, wanted: 1) { $0[0] = 0x55 }
        #expect(results == ["read 85"])
        #expect(host.sleeps[.buffer] == 1)
        #expect(host.violations == [])
        #expect(disk.reads == 1)
    }
}
