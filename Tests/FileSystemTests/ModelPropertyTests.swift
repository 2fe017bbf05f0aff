import FileSystemTools
import PropertyBased
import Testing

@testable import FileSystem

/// Random sequences of create/write/read/truncate/link/unlink/mkdir/rmdir
/// against the in-memory model, compared after every step.
@Suite struct ModelPropertyTests {
    static let names = ["a", "b", "c"]

    /// A path of one to three names.
    static func path(_ code: Int) -> String {
        // Mostly shallow, so that most parents exist.
        let depth = [1, 1, 1, 2, 2, 3][code % 6]
        var rest = code / 6
        var parts: [String] = []
        for _ in 0..<depth {
            parts.append(names[rest % names.count])
            rest /= names.count
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The operation a script number stands for, given the model's state:
    /// mostly on paths that exist (or whose parent does), sometimes on any.
    static func operation(_ code: Int, model: FileModel) -> FileOperation {
        let tree = model.snapshot.nodes
        let directories = [""] + tree.keys.filter { tree[$0] == .directory }.sorted()
        let files = tree.keys.filter { tree[$0] != .directory }.sorted()
        let anyPath = (code >> 20) % 8 == 0
        func existingFile(_ pick: Int) -> String {
            anyPath || files.isEmpty ? path(pick) : files[pick % files.count]
        }
        func newPath(_ pick: Int) -> String {
            anyPath ? path(pick) : directories[pick % directories.count] + "/" + names[(pick >> 5) % names.count]
        }
        func existing(_ pick: Int) -> String {
            let all = files + directories.dropFirst()
            return anyPath || all.isEmpty ? path(pick) : all[pick % all.count]
        }
        let pick = code >> 4
        switch code % 10 {
        case 0: return .create(newPath(pick))
        case 1, 2, 3:
            let file = existingFile(pick)
            var size = 0
            if let id = model.lookup(file), case .file(let contents) = model.nodes[id]! { size = contents.count }
            let counts = [1 + (code >> 8) % 100, 900 + (code >> 8) % 2500, 4000 + (code >> 8) % 6000]
            return .write(file, offset: size * ((code >> 14) % 3) / 2, count: counts[(code >> 16) % 3], seed: UInt8(code & 0xff))
        case 4: return .truncate(existingFile(pick))
        case 5: return .link(existingFile(pick), newPath(code >> 11))
        case 6: return anyPath ? .unlink(existing(pick) + "/..") : .unlink(existing(pick))
        case 7: return .unlink(existing(pick))
        default: return .makeDirectory(newPath(pick))
        }
    }

    @Test func randomOperationsMatchTheModel() async {
        await propertyCheck(count: 100, input: Gen.int(in: 0...(1 << 24)).array(of: 1...50)) { script in
            let mounted = try MountedTestVolume(disk: makeFileSystemImage())
            var model = FileModel()
            var succeeded = 0
            for code in script {
                let operation = Self.operation(code, model: model)
                let expected = model.apply(operation)
                if expected { succeeded += 1 }
                let got = try mounted.apply(operation)
                #expect(got == expected, "\(operation)")
                let snapshot = try mounted.snapshot()
                #expect(snapshot == model.snapshot, "after \(operation)")
                // Each call committed at its end: the disk is consistent now.
                let findings = fsckFindings(mounted.disk)
                #expect(findings == [], "after \(operation)")
                if got != expected || snapshot != model.snapshot || !findings.isEmpty { return }
            }
            // Everything the calls did is on the disk: consistent, and the
            // same tree after mounting the image again.
            #expect(fsckFindings(mounted.disk) == [])
            let again = try MountedTestVolume(disk: RAMDisk(image: mounted.disk.blocks))
            #expect(try again.snapshot() == model.snapshot)
        }
    }
}
