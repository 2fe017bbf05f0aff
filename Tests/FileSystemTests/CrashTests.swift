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
        #expect(ImageChecker.check(mounted.disk.blocks) == [])
    }

    @Test func everyPowerCutRecoversToACommittedState() throws {
        let full = try MountedTestVolume(disk: makeFileSystemImage())
        let writesAtStart = full.disk.writes
        for operation in Self.workload { _ = try full.apply(operation) }
        let totalWrites = full.disk.writes - writesAtStart
        #expect(totalWrites > 100)

        var cutsDuring = Set<Int>()
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
            let problems = ImageChecker.check(image)
            // Before recovery the log may hold a committed transaction;
            // after it, the image must be consistent.
            let recovered = try MountedTestVolume(disk: RAMDisk(image: image))
            let recoveredProblems = ImageChecker.check(recovered.disk.blocks)
            #expect(recoveredProblems == [], "cut after write \(cut) (during op \(completed)): \(recoveredProblems)")
            let tree = try recovered.snapshot()
            let allowed = Self.allowedTrees(cutDuring: completed)
            #expect(allowed.contains(tree), "cut after write \(cut), during \(completed): got\n\(tree)")
            _ = problems
        }
        // Every operation was cut at some point.
        #expect(cutsDuring == Set(0...Self.workload.count))
    }
}
