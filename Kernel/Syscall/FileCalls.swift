/// The file-descriptor system calls. Descriptors index the process's table;
/// the open-file table behind them is shared by dup and fork.
enum FileCalls {
    static let openWriteOnly: UInt64 = 0x1
    static let openReadWrite: UInt64 = 0x2
    static let openCreate: UInt64 = 0x200
    static let openTruncate: UInt64 = 0x400

    /// The open-file index behind descriptor `fd`, or nil for a bad descriptor.
    static func openFile(_ fd: UInt64) -> Int? {
        guard fd < UInt64(Process.maxOpenFiles) else { return nil }
        let index = Processes.slots[Processes.current].files[Int(fd)]
        return index >= 0 ? Int(index) : nil
    }

    /// Lowest free descriptor bound to `file`, or nil when all 16 are taken.
    static func installDescriptor(_ file: Int) -> Int? {
        let slot = Processes.current
        for fd in 0..<Process.maxOpenFiles where Processes.slots[slot].files[fd] < 0 {
            Processes.slots[slot].files[fd] = Int16(file)
            return fd
        }
        return nil
    }

    static func read(fd: UInt64, _ buffer: VirtualAddress, count: UInt64) -> Int {
        guard let file = openFile(fd), count <= UInt64(Int32.max) else { return -1 }
        return OpenFiles.read(file, into: buffer, count: Int(count))
    }

    static func write(fd: UInt64, _ buffer: VirtualAddress, count: UInt64) -> Int {
        guard let file = openFile(fd), count <= UInt64(Int32.max) else { return -1 }
        return OpenFiles.write(file, from: buffer, count: Int(count))
    }

    static func close(fd: UInt64) -> Int {
        guard let file = openFile(fd) else { return -1 }
        Processes.slots[Processes.current].files[Int(fd)] = -1
        OpenFiles.release(file)
        return 0
    }

    static func dup(fd: UInt64) -> Int {
        guard let file = openFile(fd), let newFD = installDescriptor(file) else { return -1 }
        OpenFiles.retain(file)
        return newFD
    }

    static func open(_ pathAddress: VirtualAddress, flags: UInt64) -> Int {
        var path = PathBuffer()
        guard path.copyIn(from: pathAddress) != nil else { return -1 }
        let wantsWrite = flags & (openWriteOnly | openReadWrite) != 0
        let kind: FileKind
        if path.equals("console") {
            kind = .console
        } else if path.equals(".") || path.equals("/") {
            guard !wantsWrite else { return -1 }
            kind = .directory
        } else if let file = Archive.index(of: path.storage) {
            guard !wantsWrite, flags & (openCreate | openTruncate) == 0 else { return -1 }
            kind = .archiveFile(file)
        } else {
            return -1  // no such file, and nothing can be created
        }
        let readable = flags & openWriteOnly == 0
        guard let file = OpenFiles.open(kind, readable: readable, writable: wantsWrite) else { return -1 }
        guard let fd = installDescriptor(file) else {
            OpenFiles.release(file)
            return -1
        }
        return fd
    }

    /// Fills a user `struct stat { int dev; uint ino; short type; short nlink; uint64 size; }`.
    static func fstat(fd: UInt64, _ destination: VirtualAddress) -> Int {
        guard let file = openFile(fd), let status = OpenFiles.status(file) else { return -1 }
        var record: InlineArray<24, UInt8> = .init(repeating: 0)
        store(&record, at: 4, UInt64(status.inode), bytes: 4)
        store(&record, at: 8, UInt64(UInt16(status.type.rawValue)), bytes: 2)
        store(&record, at: 10, 1, bytes: 2)
        store(&record, at: 16, status.size, bytes: 8)
        let copied = withUnsafeBytes(of: &record) { UserMemory.copyOut(to: destination, from: $0) }
        return copied ? 0 : -1
    }

    /// Only the archive's one directory exists, so only it can be entered.
    static func chdir(_ pathAddress: VirtualAddress) -> Int {
        var path = PathBuffer()
        guard path.copyIn(from: pathAddress) != nil, path.equals(".") || path.equals("/") else { return -1 }
        return 0
    }

    static func pipe(_ destination: VirtualAddress) -> Int {
        guard let pipe = Pipes.allocate() else { return -1 }
        guard let reader = OpenFiles.open(.pipeReader(pipe), readable: true, writable: false) else {
            Pipes.close(pipe, writing: false)
            Pipes.close(pipe, writing: true)
            return -1
        }
        guard let writer = OpenFiles.open(.pipeWriter(pipe), readable: false, writable: true) else {
            OpenFiles.release(reader)
            Pipes.close(pipe, writing: true)
            return -1
        }
        let slot = Processes.current
        guard let readFD = installDescriptor(reader) else {
            OpenFiles.release(reader); OpenFiles.release(writer)
            return -1
        }
        guard let writeFD = installDescriptor(writer) else {
            Processes.slots[slot].files[readFD] = -1
            OpenFiles.release(reader); OpenFiles.release(writer)
            return -1
        }
        var fds: InlineArray<8, UInt8> = .init(repeating: 0)
        store(&fds, at: 0, UInt64(readFD), bytes: 4)
        store(&fds, at: 4, UInt64(writeFD), bytes: 4)
        let copied = withUnsafeBytes(of: &fds) { UserMemory.copyOut(to: destination, from: $0) }
        guard copied else {
            Processes.slots[slot].files[readFD] = -1
            Processes.slots[slot].files[writeFD] = -1
            OpenFiles.release(reader); OpenFiles.release(writer)
            return -1
        }
        return 0
    }

    /// Little-endian store into a fixed record, for building user structs.
    static func store<let N: Int>(_ record: inout InlineArray<N, UInt8>, at offset: Int, _ value: UInt64, bytes: Int) {
        for i in 0..<bytes { record[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
    }
}
