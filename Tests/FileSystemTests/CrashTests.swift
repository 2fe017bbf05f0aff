import FileSystemTools
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

    /// The model after the first `count` operations.
    static func model(after count: Int) -> FileModel {
        var model = FileModel()
        for operation in workload[0..<count] {
            let applied = model.apply(operation)
            #expect(applied, "\(operation)")
        }
        return model
    }

    /// The trees a cut during operation `index` may leave.
    static func allowedTrees(cutDuring index: Int) -> [TreeSnapshot] {
        let before = model(after: index)
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

    @Test func workloadAloneGivesTheModel() throws {
        let mounted = try MountedTestVolume(disk: makeFileSystemImage())
        for operation in Self.workload { #expect(try mounted.apply(operation)) }
        #expect(try mounted.snapshot() == Self.model(after: Self.workload.count).snapshot)
        #expect(fsckFindings(mounted.disk) == [])
    }

    @Test func everyPowerCutRecoversToACommittedState() throws {
        let full = try MountedTestVolume(disk: makeFileSystemImage())
        let writesAtStart = full.disk.writes
        for operation in Self.workload { _ = try full.apply(operation) }
        let totalWrites = full.disk.writes - writesAtStart
        #expect(totalWrites > 100)

        var cutsDuring = Set<Int>()
        var cutsWithCommittedLog = 0
        for cut in 0...totalWrites {
            let disk = makeFileSystemImage()
            disk.writesBeforeCut = cut
            let mounted = try MountedTestVolume(disk: disk)
            var completed = 0
            for operation in Self.workload {
                do {
                    guard try mounted.apply(operation) else { break }
                } catch { break }
                completed += 1
            }
            cutsDuring.insert(completed)
            let image = disk.blocks
            // Before recovery the image is consistent, or its log holds a
            // committed transaction (whose home blocks may be half
            // installed); after recovery it must be consistent.
            let before = ImageCheck.run(RAMDisk(image: image).device).findings
            let committedLog = before.contains {
                if case .committedLog = $0 { true } else { false }
            }
            if committedLog { cutsWithCommittedLog += 1 }
            #expect(committedLog || before.isEmpty, "cut after write \(cut): before recovery \(before.map(\.line))")
            let recovered = try MountedTestVolume(disk: RAMDisk(image: image))
            let recoveredProblems = fsckFindings(recovered.disk)
            #expect(recoveredProblems == [], "cut after write \(cut) (during op \(completed)): \(recoveredProblems)")
            let tree = try recovered.snapshot()
            let allowed = Self.allowedTrees(cutDuring: completed)
            #expect(allowed.contains(tree), "cut after write \(cut), during \(completed): got\n\(tree)")
        }
        // Some cuts came between a commit point and the end of installing:
        // recovery had work to do.
        #expect(cutsWithCommittedLog > 20)
        // Every operation was cut at some point.
        #expect(cutsDuring == Set(0...Self.workload.count))
    }
}
