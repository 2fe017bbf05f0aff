/// Path names: elements separated by `/` (repeated slashes count as one),
/// absolute from the root or relative to a directory the caller gives;
/// `.` and `..` are ordinary entries every directory holds. Elements longer
/// than 14 bytes are compared on their first 14, as the format says.
struct PathElements {
    private let path: UnsafeRawBufferPointer
    private var position = 0

    init(_ path: UnsafeRawBufferPointer) { self.path = path }

    var isAbsolute: Bool { path.count > 0 && path[0] == UInt8(ascii: "/") }

    /// The next element, or nil at the end.
    mutating func next() -> UnsafeRawBufferPointer? {
        while position < path.count && path[position] == UInt8(ascii: "/") { position += 1 }
        guard position < path.count else { return nil }
        let start = position
        while position < path.count && path[position] != UInt8(ascii: "/") { position += 1 }
        return UnsafeRawBufferPointer(rebasing: path[start..<position])
    }

    /// Whether another element follows.
    var hasMore: Bool {
        var copy = self
        return copy.next() != nil
    }
}

extension UnsafeRawBufferPointer {
    /// Whether these bytes are the name `.` or `..`.
    var isDotOrDotDot: Bool {
        (count == 1 && self[0] == UInt8(ascii: ".")) || (count == 2 && self[0] == UInt8(ascii: ".") && self[1] == UInt8(ascii: "."))
    }
}

extension FileSystemVolume {
    /// The inode `path` names, referenced and unlocked. An empty path names
    /// `directory` itself.
    func resolve(_ path: UnsafeRawBufferPointer, from directory: InodeReference) throws(FileSystemError) -> InodeReference {
        var elements = PathElements(path)
        var current = elements.isAbsolute ? try inode(DiskFormat.rootInode) : duplicate(directory)
        while let name = elements.next() {
            current = try step(from: current, to: name)
        }
        return current
    }

    /// The directory that holds the last element of `path` (referenced,
    /// unlocked) and that element's name. A path without elements ("/")
    /// has no parent.
    func resolveParent(_ path: UnsafeRawBufferPointer, from directory: InodeReference) throws(FileSystemError) -> (
        directory: InodeReference, name: UnsafeRawBufferPointer
    ) {
        var elements = PathElements(path)
        var current = elements.isAbsolute ? try inode(DiskFormat.rootInode) : duplicate(directory)
        while let name = elements.next() {
            if !elements.hasMore {
                // The parent must be a directory even though it is not searched here.
                try requireDirectory(current)
                return (current, name)
            }
            current = try step(from: current, to: name)
        }
        try? release(current)
        throw .invalidName
    }

    /// Looks `name` up in `directory` and gives back the reference to what
    /// it names, dropping the one to `directory` (also on failure).
    private func step(from directory: InodeReference, to name: UnsafeRawBufferPointer) throws(FileSystemError) -> InodeReference {
        try lockOrRelease(directory)
        let found: (inode: InodeNumber, offset: Int)?
        do throws(FileSystemError) {
            found = try lookup(directory, name)
        } catch {
            try? unlockAndRelease(directory)
            throw error
        }
        // Unlocked before the next one is locked: `.` names the same inode.
        unlock(directory)
        guard let found else {
            try? release(directory)
            throw .notFound
        }
        let next: InodeReference
        do throws(FileSystemError) { next = try inode(found.inode) } catch {
            try? release(directory)
            throw error
        }
        try release(directory)
        return next
    }
}
