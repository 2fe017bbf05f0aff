@testable import FileSystem

/// A file tree as the tests see it: for every path, a directory or a file
/// with its bytes and the first path (in sorted order) naming the same
/// inode, so that hard links compare too.
struct TreeSnapshot: Equatable, CustomStringConvertible {
    enum Node: Equatable {
        case directory
        case file(contents: [UInt8], firstName: String)
    }
    var nodes: [String: Node] = [:]

    var description: String {
        nodes.keys.sorted().map { path in
            switch nodes[path]! {
            case .directory: "\(path)/"
            case .file(let contents, let first):
                "\(path) (\(contents.count) bytes, \(first == path ? "" : "= \(first), ")sum \(contents.reduce(0) { $0 &+ Int($1) }))"
            }
        }.joined(separator: "\n")
    }
}

/// One step of a workload: the calls the property and crash tests make.
enum FileOperation: CustomStringConvertible {
    case create(String)
    case write(String, offset: Int, count: Int, seed: UInt8)
    case truncate(String)
    case link(String, String)
    case unlink(String)
    case makeDirectory(String)

    var description: String {
        switch self {
        case .create(let p): "create \(p)"
        case .write(let p, let offset, let count, let seed): "write \(p) @\(offset) +\(count) seed \(seed)"
        case .truncate(let p): "truncate \(p)"
        case .link(let a, let b): "link \(a) \(b)"
        case .unlink(let p): "unlink \(p)"
        case .makeDirectory(let p): "mkdir \(p)"
        }
    }

    static func bytes(count: Int, seed: UInt8) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed) &* 7 &+ ($0 >> 8)) }
    }
}

/// The simple in-memory model of xv6's semantics.
struct FileModel {
    enum Node {
        case directory([String: Int])
        case file([UInt8])
    }
    var nodes: [Int: Node] = [0: .directory([:])]
    var nextID = 1

    /// The node `path` names (absolute paths only, no `.`/`..` in the model's own paths).
    func lookup(_ path: String) -> Int? {
        var current = 0
        for part in path.split(separator: "/") {
            guard case .directory(let entries) = nodes[current]! else { return nil }
            if part == "." { continue }
            guard let next = entries[String(part)] else { return nil }
            current = next
        }
        return current
    }

    private func parent(_ path: String) -> (Int, String)? {
        var parts = path.split(separator: "/").map(String.init)
        guard let name = parts.popLast(), let directory = lookup("/" + parts.joined(separator: "/")),
            case .directory = nodes[directory]!
        else { return nil }
        return (directory, name)
    }

    private mutating func addEntry(_ directory: Int, _ name: String, _ id: Int) {
        guard case .directory(var entries) = nodes[directory]! else { return }
        entries[name] = id
        nodes[directory] = .directory(entries)
    }

    /// Applies `operation`; false when xv6 would fail it (nothing changes then).
    /// `partialWrite` keeps only that many bytes of a write (a crash cut it).
    mutating func apply(_ operation: FileOperation, partialWrite: Int? = nil) -> Bool {
        switch operation {
        case .create(let path):
            guard let (directory, name) = parent(path) else { return false }
            if let existing = lookup(path) {
                if case .file = nodes[existing]! { return true }
                return false
            }
            nodes[nextID] = .file([])
            addEntry(directory, name, nextID)
            nextID += 1
            return true
        case .write(let path, let offset, let count, let seed):
            guard let id = lookup(path), case .file(var contents) = nodes[id]!, offset <= contents.count,
                offset + count <= DiskFormat.maxFileSize
            else { return false }
            let data = FileOperation.bytes(count: partialWrite ?? count, seed: seed)
            if offset + data.count > contents.count { contents += [UInt8](repeating: 0, count: offset + data.count - contents.count) }
            contents.replaceSubrange(offset..<(offset + data.count), with: data)
            nodes[id] = .file(contents)
            return true
        case .truncate(let path):
            guard let id = lookup(path) else { return false }
            if case .file = nodes[id]! { nodes[id] = .file([]) }
            return true
        case .link(let existing, let new):
            guard let id = lookup(existing), case .file = nodes[id]!, let (directory, name) = parent(new),
                lookup(new) == nil
            else { return false }
            addEntry(directory, name, id)
            return true
        case .unlink(let path):
            guard let (directory, name) = parent(path), name != ".", name != "..", let id = lookup(path) else { return false }
            if case .directory(let entries) = nodes[id]!, !entries.isEmpty { return false }
            guard case .directory(var entries) = nodes[directory]! else { return false }
            entries[name] = nil
            nodes[directory] = .directory(entries)
            return true
        case .makeDirectory(let path):
            guard let (directory, name) = parent(path), lookup(path) == nil else { return false }
            nodes[nextID] = .directory([:])
            addEntry(directory, name, nextID)
            nextID += 1
            return true
        }
    }

    var snapshot: TreeSnapshot {
        var paths: [(String, Int)] = []
        func walk(_ id: Int, _ path: String) {
            guard case .directory(let entries) = nodes[id]! else { return }
            for (name, child) in entries {
                let childPath = path + "/" + name
                paths.append((childPath, child))
                walk(child, childPath)
            }
        }
        walk(0, "")
        return TreeSnapshot.make(
            paths.map { path, id in
                switch nodes[id]! {
                case .directory: (path, id, nil)
                case .file(let contents): (path, id, contents)
                }
            })
    }
}

extension TreeSnapshot {
    /// From (path, identity, contents or nil for a directory) triples.
    static func make(_ entries: [(String, Int, [UInt8]?)]) -> TreeSnapshot {
        var firstName: [Int: String] = [:]
        for (path, id, _) in entries.sorted(by: { $0.0 < $1.0 }) where firstName[id] == nil { firstName[id] = path }
        var snapshot = TreeSnapshot()
        for (path, id, contents) in entries {
            snapshot.nodes[path] = contents.map { .file(contents: $0, firstName: firstName[id]!) } ?? .directory
        }
        return snapshot
    }
}

extension MountedTestVolume {
    /// Applies `operation` to the volume; false when the call failed.
    func apply(_ operation: FileOperation) throws(FileSystemError) -> Bool {
        do {
            switch operation {
            case .create(let path):
                try volume.close(try open(path, create: true, writable: true))
            case .write(let path, let offset, let count, let seed):
                let file = try open(path, writable: true)
                defer { try? volume.close(file) }
                let written = try write(file, FileOperation.bytes(count: count, seed: seed), at: offset)
                // Short because a commit failed: the power went.
                if written != count && volume.log.failed { throw FileSystemError.ioError }
                if written != count { return false }
            case .truncate(let path):
                try volume.close(try open(path, truncate: true))
            case .link(let a, let b): try link(a, b)
            case .unlink(let path): try unlink(path)
            case .makeDirectory(let path): try makeDirectory(path)
            }
            return true
        } catch let error as FileSystemError {
            if error == .ioError { throw error }
            return false
        } catch {
            return false
        }
    }

    /// The tree as it is on the volume, walked through the API.
    func snapshot() throws -> TreeSnapshot {
        var entries: [(String, Int, [UInt8]?)] = []
        func walk(_ path: String) throws {
            for name in try list(path.isEmpty ? "/" : path) where name != "." && name != ".." {
                let childPath = path + "/" + name
                let inode = try open(childPath)
                let status = try volume.status(inode)
                try volume.close(inode)
                if status.type == .directory {
                    entries.append((childPath, Int(status.inode.raw), nil))
                    try walk(childPath)
                } else {
                    entries.append((childPath, Int(status.inode.raw), try contents(childPath)))
                }
            }
        }
        try walk("")
        return TreeSnapshot.make(entries)
    }
}
