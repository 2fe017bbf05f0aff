// The system calls as Swift sees them. The stubs are assembly
// (User/Arch/<arch>/syscall.S); these declarations use the C types of
// User/include/user.h so that Swift and C callers agree on every register.

@_extern(c, "fork") func c_fork() -> Int32
@_extern(c, "exit") func c_exit(_ status: Int32)
@_extern(c, "wait") func c_wait(_ status: UnsafeMutablePointer<Int32>?) -> Int32
@_extern(c, "pipe") func c_pipe(_ fds: UnsafeMutablePointer<Int32>?) -> Int32
@_extern(c, "read") func c_read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int32) -> Int32
@_extern(c, "kill") func c_kill(_ pid: Int32) -> Int32
@_extern(c, "exec") func c_exec(_ path: UnsafePointer<CChar>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32
@_extern(c, "fstat") func c_fstat(_ fd: Int32, _ stat: UnsafeMutableRawPointer?) -> Int32
@_extern(c, "chdir") func c_chdir(_ path: UnsafePointer<CChar>?) -> Int32
@_extern(c, "dup") func c_dup(_ fd: Int32) -> Int32
@_extern(c, "getpid") func c_getpid() -> Int32
@_extern(c, "sbrk") func c_sbrk(_ increment: Int32) -> UnsafeMutableRawPointer?
@_extern(c, "sleep") func c_sleep(_ ticks: Int32) -> Int32
@_extern(c, "uptime") func c_uptime() -> Int32
@_extern(c, "open") func c_open(_ path: UnsafePointer<CChar>?, _ flags: Int32) -> Int32
@_extern(c, "write") func c_write(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int32) -> Int32
@_extern(c, "mknod") func c_mknod(_ path: UnsafePointer<CChar>?, _ major: Int16, _ minor: Int16) -> Int32
@_extern(c, "unlink") func c_unlink(_ path: UnsafePointer<CChar>?) -> Int32
@_extern(c, "link") func c_link(_ old: UnsafePointer<CChar>?, _ new: UnsafePointer<CChar>?) -> Int32
@_extern(c, "mkdir") func c_mkdir(_ path: UnsafePointer<CChar>?) -> Int32
@_extern(c, "close") func c_close(_ fd: Int32) -> Int32
@_extern(c, "freeframes") func c_freeframes() -> Int
@_extern(c, "memmap") func c_memmap(_ records: UnsafeMutableRawPointer?, _ max: Int32) -> Int32
@_extern(c, "kheap") func c_kheap() -> Int
@_extern(c, "halt") func c_halt(_ status: Int32) -> Int32
@_extern(c, "waitinfo") func c_waitinfo(_ info: UnsafeMutableRawPointer?) -> Int32
@_extern(c, "usyscall") func c_usyscall(_ number: Int, _ a0: Int, _ a1: Int, _ a2: Int, _ a3: Int, _ a4: Int, _ a5: Int) -> Int

/// open() flags.
public struct OpenFlags {
    public let raw: Int32
    public init(raw: Int32) { self.raw = raw }
    public static let readOnly = OpenFlags(raw: 0x000)
    public static let writeOnly = OpenFlags(raw: 0x001)
    public static let readWrite = OpenFlags(raw: 0x002)
    public static let create = OpenFlags(raw: 0x200)
    public static let truncate = OpenFlags(raw: 0x400)
    public static func | (a: OpenFlags, b: OpenFlags) -> OpenFlags { OpenFlags(raw: a.raw | b.raw) }
}

/// The two ends of a pipe.
public struct PipeEnds {
    public let read: Int32
    public let write: Int32
}

/// The system calls, with Swift types. Paths are CString or StaticString,
/// never UnsafePointer<CChar>: a string literal would silently convert to
/// that through String, which -no-allocations rejects. Results follow the kernel: -1 (or
/// nil) for failure.
public enum Sys {
    public static func fork() -> Int32 { c_fork() }

    public static func exit(_ status: Int32) -> Never {
        // The stub cannot be declared as not returning; it never does.
        while true { c_exit(status) }
    }

    /// Waits for a child to exit: its pid and exit status, or nil when there is none.
    public static func wait() -> (pid: Int32, status: Int32)? {
        var status: Int32 = 0
        let pid = c_wait(&status)
        return pid < 0 ? nil : (pid, status)
    }

    /// Waits for a child to exit: its pid, status and how it ended (a
    /// fault's kind and address), or nil when there is none.
    public static func waitInfo() -> ExitInfo? {
        var record = ExitInfo.Record(repeating: 0)
        let r = withUnsafeMutableBytes(of: &record) { c_waitinfo($0.baseAddress) }
        return r < 0 ? nil : ExitInfo(record)
    }

    public static func pipe() -> PipeEnds? {
        var fds: (Int32, Int32) = (-1, -1)
        let r = withUnsafeMutableBytes(of: &fds) { c_pipe($0.baseAddress?.assumingMemoryBound(to: Int32.self)) }
        return r < 0 ? nil : PipeEnds(read: fds.0, write: fds.1)
    }

    public static func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
        Int(c_read(fd, buffer, Int32(truncatingIfNeeded: count)))
    }

    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        read(fd, buffer.baseAddress, buffer.count)
    }

    public static func write(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
        Int(c_write(fd, buffer, Int32(truncatingIfNeeded: count)))
    }

    public static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
        write(fd, bytes.baseAddress, bytes.count)
    }

    public static func kill(_ pid: Int32) -> Int32 { c_kill(pid) }

    public static func exec(_ path: CString, _ argv: ArgumentVector) -> Int32 {
        c_exec(path.pointer, argv)
    }

    /// exec with a literal path and up to two literal arguments after argv[0] = path.
    public static func exec(_ path: StaticString, _ arg1: StaticString? = nil, _ arg2: StaticString? = nil) -> Int32 {
        var argv: InlineArray<4, UnsafeMutablePointer<CChar>?> = .init(repeating: nil)
        argv[0] = CString.literal(path)
        if let arg1 {
            argv[1] = CString.literal(arg1)
            if let arg2 { argv[2] = CString.literal(arg2) }
        }
        return withUnsafeMutableBytes(of: &argv) { raw in
            c_exec(CString.literal(path), raw.baseAddress?.assumingMemoryBound(to: UnsafeMutablePointer<CChar>?.self))
        }
    }

    public static func fstat(_ fd: Int32) -> FileStatus? {
        var record = FileStatus.Record(repeating: 0)
        let r = withUnsafeMutableBytes(of: &record) { c_fstat(fd, $0.baseAddress) }
        return r < 0 ? nil : FileStatus(record)
    }

    /// open() then fstat() then close(), as C's stat().
    public static func stat(_ path: CString) -> FileStatus? {
        let fd = c_open(path.pointer, OpenFlags.readOnly.raw)
        guard fd >= 0 else { return nil }
        defer { _ = c_close(fd) }
        return fstat(fd)
    }

    public static func chdir(_ path: CString) -> Int32 { c_chdir(path.pointer) }
    public static func dup(_ fd: Int32) -> Int32 { c_dup(fd) }
    public static func getpid() -> Int32 { c_getpid() }

    /// Grows (or shrinks) the heap; the old break, or nil on failure.
    public static func sbrk(_ increment: Int) -> UnsafeMutableRawPointer? {
        guard let increment = Int32(exactly: increment) else { return nil }
        let old = c_sbrk(increment)
        return UInt(bitPattern: old) == UInt.max ? nil : old
    }

    /// The current break, without moving it.
    public static func currentBreak() -> UInt { UInt(bitPattern: c_sbrk(0)) }

    public static func sleep(_ ticks: Int32) -> Int32 { c_sleep(ticks) }
    public static func uptime() -> Int32 { c_uptime() }
    public static func open(_ path: CString, _ flags: OpenFlags) -> Int32 { c_open(path.pointer, flags.raw) }
    public static func open(_ path: StaticString, _ flags: OpenFlags) -> Int32 { c_open(CString.literal(path), flags.raw) }
    public static func mknod(_ path: StaticString, major: Int16, minor: Int16) -> Int32 {
        c_mknod(CString.literal(path), major, minor)
    }
    public static func unlink(_ path: CString) -> Int32 { c_unlink(path.pointer) }
    public static func link(_ old: CString, _ new: CString) -> Int32 { c_link(old.pointer, new.pointer) }
    public static func mkdir(_ path: CString) -> Int32 { c_mkdir(path.pointer) }
    public static func close(_ fd: Int32) -> Int32 { c_close(fd) }

    /// Free physical frames, or -1.
    public static func freeFrames() -> Int { c_freeframes() }
    /// Kernel-heap bytes in use, or -1.
    public static func kernelHeap() -> Int { c_kheap() }
    /// Fills `records` with up to `max` 72-byte memregion records; the number written or -1.
    public static func memmap(_ records: UnsafeMutableRawPointer, max: Int) -> Int {
        Int(c_memmap(records, Int32(truncatingIfNeeded: max)))
    }
    /// Powers the machine off with `status`; returns only if the kernel refused.
    public static func halt(_ status: Int32) -> Int32 { c_halt(status) }

    /// Any call with raw 64-bit arguments: for tests that pass values the typed
    /// wrappers would never produce.
    public static func raw(
        _ number: Int, _ a0: Int = 0, _ a1: Int = 0, _ a2: Int = 0,
        _ a3: Int = 0, _ a4: Int = 0, _ a5: Int = 0
    ) -> Int {
        c_usyscall(number, a0, a1, a2, a3, a4, a5)
    }
}

/// System-call numbers, for `Sys.raw` (the same list as User/include/syscalls.def).
public enum SyscallNumber {
    public static let fork = 1, exit = 2, wait = 3, pipe = 4, read = 5, kill = 6, exec = 7
    public static let fstat = 8, chdir = 9, dup = 10, getpid = 11, sbrk = 12, sleep = 13
    public static let uptime = 14, open = 15, write = 16, mknod = 17, unlink = 18, link = 19
    public static let mkdir = 20, close = 21, freeframes = 22, memmap = 23, kheap = 24, halt = 25
    public static let idlecount = 26
    public static let waitinfo = 27, cpucount = 28
}
