/// The file-descriptor system calls. Descriptors index the process's table;
/// the open-file table behind them is shared by dup and fork. Each call is
/// kept out of the dispatcher (`@inline(never)`): inlined, their locals
/// would all sit in one frame, and a RISC-V kernel stack is one page.
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

    @inline(never) static func read(fd: UInt64, _ buffer: VirtualAddress, count: UInt64) -> Int {
        guard let file = openFile(fd), count <= UInt64(Int32.max) else { return -1 }
        return OpenFiles.read(file, into: buffer, count: Int(count))
    }

    @inline(never) static func write(fd: UInt64, _ buffer: VirtualAddress, count: UInt64) -> Int {
        guard let file = openFile(fd), count <= UInt64(Int32.max) else { return -1 }
        return OpenFiles.write(file, from: buffer, count: Int(count))
    }

    @inline(never) static func close(fd: UInt64) -> Int {
        guard let file = openFile(fd) else { return -1 }
        Processes.slots[Processes.current].files[Int(fd)] = -1
        OpenFiles.release(file)
        return 0
    }

    @inline(never) static func dup(fd: UInt64) -> Int {
        guard let file = openFile(fd), let newFD = installDescriptor(file) else { return -1 }
        OpenFiles.retain(file)
        return newFD
    }

    /// open(path, flags): O_RDONLY, O_WRONLY or O_RDWR, with O_CREATE (make
    /// a file if nothing is there) and O_TRUNC (empty a file).
    @inline(never) static func open(_ pathAddress: VirtualAddress, flags: UInt64) -> Int {
        let wantsWrite = flags & (openWriteOnly | openReadWrite) != 0
        let readable = flags & openWriteOnly == 0
        let opened: InodeReference? = withPath(pathAddress) { path, cwd in
            try? RootVolume.volume.open(
                path, from: cwd, create: flags & openCreate != 0, truncate: flags & openTruncate != 0,
                writable: wantsWrite)
        }
        guard let inode = opened else { return -1 }
        guard let status = try? RootVolume.volume.status(inode),
            status.type != .device || Devices.isValid(major: status.major)
        else {
            try? RootVolume.volume.close(inode)
            return -1
        }
        let kind: FileKind = status.type == .device ? .device(inode, major: status.major) : .inode(inode)
        guard let file = OpenFiles.open(kind, readable: readable, writable: wantsWrite) else {
            try? RootVolume.volume.close(inode)
            return -1
        }
        guard let fd = installDescriptor(file) else {
            OpenFiles.release(file)
            return -1
        }
        return fd
    }

    /// Fills a user `struct stat` (`StatRecord`).
    @inline(never) static func fstat(fd: UInt64, _ destination: VirtualAddress) -> Int {
        guard let file = openFile(fd), let status = OpenFiles.status(file) else { return -1 }
        var record = StatRecord(status).bytes
        let copied = withUnsafeBytes(of: &record) { UserMemory.copyOut(to: destination, from: $0) }
        return copied ? 0 : -1
    }

    /// chdir(path): the process's current directory becomes `path`.
    @inline(never) static func chdir(_ pathAddress: VirtualAddress) -> Int {
        let entered: InodeReference? = withPath(pathAddress) { path, cwd in
            try? RootVolume.volume.changeDirectory(path, from: cwd)
        }
        guard let directory = entered else { return -1 }
        let slot = Processes.current
        let old = Processes.slots[slot].cwd
        Processes.slots[slot].cwd = directory
        if let old { try? RootVolume.volume.close(old) }
        return 0
    }

    @inline(never) static func mkdir(_ pathAddress: VirtualAddress) -> Int {
        let made: Bool? = withPath(pathAddress) { path, cwd in
            (try? RootVolume.volume.makeDirectory(path, from: cwd)) != nil
        }
        return made == true ? 0 : -1
    }

    /// mknod(path, major, minor): a device file.
    @inline(never) static func mknod(_ pathAddress: VirtualAddress, major: UInt64, minor: UInt64) -> Int {
        let major = Int16(truncatingIfNeeded: major)
        let minor = Int16(truncatingIfNeeded: minor)
        let made: Bool? = withPath(pathAddress) { path, cwd in
            (try? RootVolume.volume.makeDevice(path, from: cwd, major: major, minor: minor)) != nil
        }
        return made == true ? 0 : -1
    }

    @inline(never) static func unlink(_ pathAddress: VirtualAddress) -> Int {
        let removed: Bool? = withPath(pathAddress) { path, cwd in
            (try? RootVolume.volume.unlink(path, from: cwd)) != nil
        }
        return removed == true ? 0 : -1
    }

    /// link(existing, new): a second name for a file.
    @inline(never) static func link(_ existingAddress: VirtualAddress, _ newAddress: VirtualAddress) -> Int {
        var new = PathBuffer()
        guard new.copyIn(from: newAddress) != nil else { return -1 }
        let linked: Bool? = withPath(existingAddress) { existing, cwd in
            new.withBytes { (try? RootVolume.volume.link(existing, to: $0, from: cwd)) != nil }
        }
        return linked == true ? 0 : -1
    }

    /// Copies the user path at `address` in and calls `body` with its bytes
    /// and the caller's current directory; nil for a bad or too long path,
    /// or when there is no file system.
    @inline(never) static func withPath<R>(
        _ address: VirtualAddress, _ body: (UnsafeRawBufferPointer, InodeReference) -> R?
    ) -> R? {
        var path = PathBuffer()
        guard path.copyIn(from: address) != nil, RootVolume.isMounted,
            let cwd = Processes.slots[Processes.current].cwd
        else { return nil }
        return path.withBytes { body($0, cwd) }
    }

    @inline(never) static func pipe(_ destination: VirtualAddress) -> Int {
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
