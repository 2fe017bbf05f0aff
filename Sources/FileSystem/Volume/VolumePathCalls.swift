/// The calls that take a path: open, link, unlink, mkdir, mknod, chdir.
/// Each is one operation of the log.
extension FileSystemVolume {
    /// Opens `path` (O_CREATE: creates a file there if nothing is; an
    /// existing file or device is opened as it is; O_TRUNC empties a file).
    /// A directory opens only for reading.
    public func open(
        _ path: UnsafeRawBufferPointer, from cwd: InodeReference, create: Bool = false, truncate: Bool = false,
        writable: Bool = false
    ) throws(FileSystemError) -> InodeReference {
        try operation { () throws(FileSystemError) -> InodeReference in
            let inode: InodeReference
            if create {
                inode = try createNode(path, from: cwd, type: .file, major: 0, minor: 0)
            } else {
                inode = try resolve(path, from: cwd)
                try lockOrRelease(inode)
            }
            do throws(FileSystemError) {
                let type = fields(inode).pointee.inodeType
                if type == .directory && writable { throw .isADirectory }
                if type == .file && truncate { try truncateData(inode) }
            } catch {
                try? unlockAndRelease(inode)
                throw error
            }
            unlock(inode)
            return inode
        }
    }

    /// Makes a directory with `.` and `..`.
    public func makeDirectory(_ path: UnsafeRawBufferPointer, from cwd: InodeReference) throws(FileSystemError) {
        try operation { () throws(FileSystemError) in
            try unlockAndRelease(try createNode(path, from: cwd, type: .directory, major: 0, minor: 0))
        }
    }

    /// Makes a device inode with these device numbers.
    public func makeDevice(_ path: UnsafeRawBufferPointer, from cwd: InodeReference, major: Int16, minor: Int16)
        throws(FileSystemError)
    {
        try operation { () throws(FileSystemError) in
            try unlockAndRelease(try createNode(path, from: cwd, type: .device, major: major, minor: minor))
        }
    }

    /// A referenced directory for a new cwd; the caller closes its old one.
    public func changeDirectory(_ path: UnsafeRawBufferPointer, from cwd: InodeReference) throws(FileSystemError)
        -> InodeReference
    {
        try operation { () throws(FileSystemError) -> InodeReference in
            let inode = try resolve(path, from: cwd)
            try requireDirectory(inode)
            return inode
        }
    }

    /// Gives the file `existing` the second name `new` (not for directories).
    public func link(_ existing: UnsafeRawBufferPointer, to new: UnsafeRawBufferPointer, from cwd: InodeReference)
        throws(FileSystemError)
    {
        try operation { () throws(FileSystemError) in
            let inode = try resolve(existing, from: cwd)
            try lockOrRelease(inode)
            let fields = self.fields(inode)
            guard fields.pointee.inodeType != .directory, fields.pointee.linkCount < Int16.max else {
                let failure: FileSystemError = fields.pointee.inodeType == .directory ? .isADirectory : .tooManyLinks
                try? unlockAndRelease(inode)
                throw failure
            }
            fields.pointee.linkCount += 1
            do throws(FileSystemError) { try update(inode) } catch {
                fields.pointee.linkCount -= 1
                try? unlockAndRelease(inode)
                throw error
            }
            unlock(inode)
            do throws(FileSystemError) {
                let (directory, name) = try resolveParent(new, from: cwd)
                try lockOrRelease(directory)
                guard self.fields(directory).pointee.linkCount > 0 else {
                    try? unlockAndRelease(directory)
                    throw .notFound
                }
                do throws(FileSystemError) { try addEntry(directory, name, inode.number) } catch {
                    try? unlockAndRelease(directory)
                    throw error
                }
                try unlockAndRelease(directory)
            } catch {
                // Undo the count: the new name was not made.
                if (try? lock(inode)) != nil {
                    fields.pointee.linkCount -= 1
                    try? update(inode)
                    unlock(inode)
                }
                try? release(inode)
                throw error
            }
            try release(inode)
        }
    }

    /// Removes the name `path`; the inode is freed when its last link and
    /// its last reference are gone. Refuses `.`, `..` and non-empty directories.
    public func unlink(_ path: UnsafeRawBufferPointer, from cwd: InodeReference) throws(FileSystemError) {
        try operation { () throws(FileSystemError) in
            let (directory, name) = try resolveParent(path, from: cwd)
            try lockOrRelease(directory)
            do throws(FileSystemError) {
                try removeEntry(name, from: directory)
            } catch {
                try? unlockAndRelease(directory)
                throw error
            }
            try unlockAndRelease(directory)
        }
    }

    /// unlink's work with the locked parent `directory`.
    private func removeEntry(_ name: UnsafeRawBufferPointer, from directory: InodeReference) throws(FileSystemError) {
        guard !name.isDotOrDotDot else { throw .invalidName }
        guard let found = try lookup(directory, name) else { throw .notFound }
        // An entry naming its own directory (only in a damaged image) would
        // make the second lock wait for ourselves.
        guard found.inode != directory.number else { throw .corrupt(.badDirectory) }
        let inode = try self.inode(found.inode)
        try lockOrRelease(inode)
        do throws(FileSystemError) {
            let fields = self.fields(inode)
            guard fields.pointee.linkCount > 0 else { throw .corrupt(.badLinkCount) }
            let isDirectory = fields.pointee.inodeType == .directory
            if isDirectory, try !isEmpty(inode) { throw .directoryNotEmpty }
            try writeEntry(directory, DiskDirectoryEntry(), at: found.offset)
            if isDirectory {
                // The child's `..` no longer counts as a link to the parent.
                let parent = self.fields(directory)
                if parent.pointee.linkCount > 0 { parent.pointee.linkCount -= 1 }
                try update(directory)
            }
            fields.pointee.linkCount -= 1
            try update(inode)
        } catch {
            try? unlockAndRelease(inode)
            throw error
        }
        try unlockAndRelease(inode)
    }

    /// Creates an inode of `type` at `path` and returns it locked and
    /// referenced (open's O_CREATE returns an existing file or device).
    func createNode(_ path: UnsafeRawBufferPointer, from cwd: InodeReference, type: InodeType, major: Int16, minor: Int16)
        throws(FileSystemError) -> InodeReference
    {
        let (directory, name) = try resolveParent(path, from: cwd)
        try lockOrRelease(directory)
        // A directory already unlinked (a caller still holds it, as its cwd
        // or from a path walk that raced the unlink) takes no new entries:
        // they would outlive it, unreachable, with links counted.
        guard fields(directory).pointee.linkCount > 0 else {
            try? unlockAndRelease(directory)
            throw .notFound
        }
        let existing: (inode: InodeNumber, offset: Int)?
        do throws(FileSystemError) { existing = try lookup(directory, name) } catch {
            try? unlockAndRelease(directory)
            throw error
        }
        if let existing {
            try unlockAndRelease(directory)
            let inode = try self.inode(existing.inode)
            try lockOrRelease(inode)
            let found = fields(inode).pointee.inodeType
            if type == .file && (found == .file || found == .device) { return inode }
            try? unlockAndRelease(inode)
            throw .alreadyExists
        }
        let inode: InodeReference
        do throws(FileSystemError) {
            // Checked first: a new directory's `..` adds a link to the parent.
            if type == .directory && fields(directory).pointee.linkCount == Int16.max { throw .tooManyLinks }
            inode = try allocateInode(type)
        } catch {
            try? unlockAndRelease(directory)
            throw error
        }
        do throws(FileSystemError) {
            try lock(inode)
        } catch {
            try? release(inode)
            try? unlockAndRelease(directory)
            throw error
        }
        do throws(FileSystemError) {
            let fields = self.fields(inode)
            fields.pointee.major = major
            fields.pointee.minor = minor
            fields.pointee.linkCount = 1
            try update(inode)
            if type == .directory {
                try addEntry(inode, dotName, inode.number)
                try addEntry(inode, dotDotName, directory.number)
            }
            try addEntry(directory, name, inode.number)
            if type == .directory {
                // The new directory's `..`.
                self.fields(directory).pointee.linkCount += 1
                try update(directory)
            }
        } catch {
            // Nothing names the new inode: dropping it frees it.
            fields(inode).pointee.linkCount = 0
            try? update(inode)
            try? unlockAndRelease(inode)
            try? unlockAndRelease(directory)
            throw error
        }
        try? unlockAndRelease(directory)
        return inode
    }

    private var dotName: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: Self.dots.utf8Start, count: 1) }
    private var dotDotName: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: Self.dots.utf8Start, count: 2) }
    private static var dots: StaticString { ".." }
}
