import FileSystemTools
import PropertyBased
import Testing

@testable import FileSystem

/// Power cuts: the workload runs on a disk that loses power after its k-th
/// write, for every k; mounting the image again (recovery) must give a
/// consistent file system holding exactly the calls that completed, and
/// possibly the one that was running when the power went, whole (a long
/// write may keep a prefix of whole write chunks, one transaction each).
@Suite struct CrashTests {
    static let workload: [FileOperation] = [
        .makeDirectory("/d"),
        .create("/d/f"),
        .write("/d/f", offset: 0, count: 3000, seed: 1),
        .create("/g"),
        .write("/g", offset: 0, count: 20_000, seed: 2),
        .link("/d/f", "/d/h"),
        .makeDirectory("/d/e"),
        .write("/d/f", offset: 1000, count: 5000, seed: 3),
        .unlink("/d/f"),
        .truncate("/g"),
        .write("/g", offset: 0, count: 14_000, seed: 4),
        .unlink("/d/e"),
        .create("/d/e"),
        .unlink("/g"),
    ]

    /// The model after the first `count` operations (refused ones change nothing).
    static func model(after count: Int, of workload: [FileOperation] = workload) -> FileModel {
        var model = FileModel()
        for operation in workload[0..<count] { _ = model.apply(operation) }
        return model
    }

    /// The trees a cut during operation `index` may leave.
    static func allowedTrees(cutDuring index: Int, of workload: [FileOperation] = workload) -> [TreeSnapshot] {
        let before = model(after: index, of: workload)
        guard index < workload.count else { return [before.snapshot] }
        var trees = [before.snapshot]
        var after = before
        _ = after.apply(workload[index])
        trees.append(after.snapshot)
        if case .write(_, _, let count, _) = workload[index] {
            let chunk = TestVolume.writeChunk
            for written in stride(from: chunk, to: count, by: chunk) {
                var partial = before
                _ = partial.apply(workload[index], partialWrite: written)
                trees.append(partial.snapshot)
            }
        }
        return trees
    }

    /// Device writes the whole workload makes on a fresh image.
    static func writesOf(_ workload: [FileOperation]) throws -> Int {
        let full = try MountedTestVolume(disk: makeFileSystemImage())
        let writesAtStart = full.disk.writes
        for operation in workload { _ = try full.apply(operation) }
        return full.disk.writes - writesAtStart
    }

    /// Runs `workload` on a fresh image that loses power after `cut` writes,
    /// checks the image before and after recovery, and returns the index of
    /// the operation the cut interrupted and whether the log had a committed
    /// transaction to replay.
    static func runCut(_ cut: Int, _ workload: [FileOperation]) throws -> (during: Int, replayed: Bool) {
        let disk = makeFileSystemImage()
        disk.writesBeforeCut = cut
        let mounted = try MountedTestVolume(disk: disk)
        var completed = 0
        for operation in workload {
            do { _ = try mounted.apply(operation) } catch { break }
            completed += 1
        }
        // Before recovery the image is consistent, or its log holds a
        // committed transaction (whose home blocks may be half
        // installed); after recovery it must be consistent.
        let before = ImageCheck.run(RAMDisk(image: disk.blocks).device).findings
        let committedLog = before.contains {
            if case .committedLog = $0 { true } else { false }
        }
        #expect(committedLog || before.isEmpty, "cut after write \(cut): before recovery \(before.map(\.line))")
        let recovered = try MountedTestVolume(disk: RAMDisk(image: disk.blocks))
        let problems = fsckFindings(recovered.disk)
        #expect(problems == [], "cut after write \(cut) (during op \(completed)): \(problems)")
        let tree = try recovered.snapshot()
        #expect(
            allowedTrees(cutDuring: completed, of: workload).contains(tree),
            "cut after write \(cut), during \(completed) of \(workload): got\n\(tree)")
        return (completed, committedLog)
    }

    @Test func workloadAloneGivesTheModel() throws {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage())
        for operation in Self.workload { #expect(try mounted.apply(operation)) }
        #expect(try mounted.snapshot() == Self.model(after: Self.workload.count).snapshot)
        #expect(fsckFindings(mounted.disk) == [])
    }

    @Test func everyPowerCutRecoversToACommittedState() throws {
        let totalWrites = try Self.writesOf(Self.workload)
        #expect(totalWrites > 100)
        var cutsDuring = Set<Int>()
        var cutsWithCommittedLog = 0
        for cut in 0...totalWrites {
            let result = try Self.runCut(cut, Self.workload)
            cutsDuring.insert(result.during)
            if result.replayed { cutsWithCommittedLog += 1 }
        }
        // Some cuts came between a commit point and the end of installing:
        // recovery had work to do.
        #expect(cutsWithCommittedLog > 20)
        // Every operation was cut at some point.
        #expect(cutsDuring == Set(0...Self.workload.count))
    }

    /// Random workloads (those of the model property test, refused calls
    /// included) cut at a random write.
    @Test func randomWorkloadsSurviveARandomPowerCut() async {
        await propertyCheck(count: 80, input: Gen.int(in: 0...(1 << 24)).array(of: 1...30), Gen.int(in: 0...100_000)) {
            script, cutSeed in
            var model = FileModel()
            var workload: [FileOperation] = []
            for code in script {
                let operation = ModelPropertyTests.operation(code, model: model)
                workload.append(operation)
                _ = model.apply(operation)
            }
            let total = try Self.writesOf(workload)
            _ = try Self.runCut(cutSeed % (total + 1), workload)
        }
    }
}

@Suite struct OpenUnlinkedCrashTests {
    /// The power goes while an unlinked file is still open: as with xv6, its
    /// inode and blocks stay allocated with no name and no links (fsck
    /// reports an orphan, nothing else), and the rest is intact.
    @Test func anOpenUnlinkedFileSurvivesAsAnOrphanOnly() throws {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage())
        let file = try mounted.open("/tmp", create: true, writable: true)
        _ = try mounted.write(file, FileOperation.bytes(count: 5000, seed: 2), at: 0)
        try mounted.unlink("/tmp")
        try mounted.makeDirectory("/kept")
        mounted.disk.writesBeforeCut = mounted.disk.writes
        let findings = ImageCheck.run(RAMDisk(image: mounted.disk.blocks).device).findings
        #expect(findings == [.orphanInode(inode: file.number.raw, linkCount: 0)])
        let again = try MountedTestVolume(disk: RAMDisk(image: mounted.disk.blocks))
        #expect(try again.list("/") == [".", "..", "kept"])
    }
}
