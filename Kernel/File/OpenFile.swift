/// What an open file refers to.
enum FileKind: Equatable {
    case console
    case pipeReader(Int)
    case pipeWriter(Int)
    /// A program or data file of the read-only archive, by index.
    case archiveFile(Int)
    /// The archive's one directory, ".": reading it lists the files.
    case directory
}

/// One entry of the system-wide open-file table: shared by every descriptor
/// that dup or fork made from the same open().
struct OpenFile {
    var kind: FileKind = .console
    var references = 0
    var offset: UInt64 = 0
    var readable = false
    var writable = false
}

/// File types reported by fstat, as in xv6.
enum FileType: Int16 {
    case directory = 1
    case file = 2
    case device = 3
}

/// The system-wide open-file table.
enum OpenFiles {
    static let count = 64
    nonisolated(unsafe) static var table: InlineArray<64, OpenFile> = .init(repeating: OpenFile())

    /// A new open file with one reference, or nil when the table is full.
    static func open(_ kind: FileKind, readable: Bool, writable: Bool) -> Int? {
        for index in 0..<count where table[index].references == 0 {
            table[index] = OpenFile(kind: kind, references: 1, offset: 0, readable: readable, writable: writable)
            return index
        }
        return nil
    }

    static func retain(_ index: Int) { table[index].references += 1 }

    /// Drops one reference; the last one closes the pipe end behind it.
    static func release(_ index: Int) {
        table[index].references -= 1
        guard table[index].references == 0 else { return }
        switch table[index].kind {
        case .pipeReader(let pipe): Pipes.close(pipe, writing: false)
        case .pipeWriter(let pipe): Pipes.close(pipe, writing: true)
        case .console, .archiveFile, .directory: break
        }
    }

    static func read(_ index: Int, into destination: VirtualAddress, count: Int) -> Int {
        guard table[index].readable else { return -1 }
        switch table[index].kind {
        case .console: return ConsoleDevice.read(into: destination, count: count)
        case .pipeReader(let pipe): return Pipes.read(pipe, into: destination, count: count)
        case .pipeWriter: return -1
        case .archiveFile(let file): return readArchive(index, file: file, into: destination, count: count)
        case .directory: return readDirectory(index, into: destination, count: count)
        }
    }

    static func write(_ index: Int, from source: VirtualAddress, count: Int) -> Int {
        guard table[index].writable else { return -1 }
        switch table[index].kind {
        case .console: return ConsoleDevice.write(from: source, count: count)
        case .pipeWriter(let pipe): return Pipes.write(pipe, from: source, count: count)
        case .pipeReader, .archiveFile, .directory: return -1
        }
    }

    /// Type and size for fstat; pipes have none.
    static func status(_ index: Int) -> (type: FileType, inode: UInt32, size: UInt64)? {
        switch table[index].kind {
        case .console: return (.device, 0, 0)
        case .archiveFile(let file): return (.file, UInt32(file + 1), UInt64(Archive.file(at: file).count))
        case .directory: return (.directory, 0, UInt64(Archive.count * DirectoryEntry.size))
        case .pipeReader, .pipeWriter: return nil
        }
    }

    private static func readArchive(_ index: Int, file: Int, into destination: VirtualAddress, count: Int) -> Int {
        let data = Archive.file(at: file)
        let offset = Int(table[index].offset)
        let n = max(0, min(count, data.count - offset))
        guard n > 0 else { return 0 }
        guard let base = data.baseAddress,
            UserMemory.copyOut(to: destination, from: UnsafeRawBufferPointer(start: base + offset, count: n))
        else { return -1 }
        table[index].offset += UInt64(n)
        return n
    }

    /// Directory reads return whole 16-byte entries: a 2-byte inode number
    /// (archive index + 1) and a NUL-padded 14-byte name. The offset moves
    /// past an entry only once it is in the caller's buffer: when the buffer
    /// runs into bad memory the read returns the entries delivered so far, or
    /// -1 with the offset unchanged if there were none.
    private static func readDirectory(_ index: Int, into destination: VirtualAddress, count: Int) -> Int {
        var done = 0
        while done + DirectoryEntry.size <= count {
            let entryIndex = Int(table[index].offset) / DirectoryEntry.size
            guard entryIndex < Archive.count else { break }
            var entry = DirectoryEntry(inode: UInt16(entryIndex + 1), name: Archive.name(at: entryIndex))
            let copied = withUnsafeBytes(of: &entry.bytes) { bytes in
                UserMemory.copyOut(to: VirtualAddress(destination.raw &+ UInt64(done)), from: bytes)
            }
            guard copied else { return done > 0 ? done : -1 }
            table[index].offset += UInt64(DirectoryEntry.size)
            done += DirectoryEntry.size
        }
        return done
    }
}

/// The on-the-wire form of a directory entry, as xv6's `struct dirent`.
struct DirectoryEntry {
    static let size = 16
    static let nameLength = 14
    var bytes: InlineArray<16, UInt8> = .init(repeating: 0)

    init(inode: UInt16, name: UnsafeRawBufferPointer) {
        bytes[0] = UInt8(truncatingIfNeeded: inode)
        bytes[1] = UInt8(truncatingIfNeeded: inode >> 8)
        for i in 0..<min(name.count, DirectoryEntry.nameLength) { bytes[2 + i] = name[i] }
    }
}
