/// A mounted file system: the API the kernel's system calls call.
///
/// Overview (every call throws `FileSystemError`, never traps):
///
///     memoryNeeded(buffers:inodes:)      bytes of memory to hand to mount
///     mount(device:host:memory:...)      check the superblock, replay the log
///     root()                             a reference to `/` (a first cwd)
///     open(path, from: cwd, create:, truncate:, writable:)  -> InodeReference
///     read(inode, at:, count:, into: &sink) / write(inode, at:, count:, from: &source)
///     truncate(inode), status(inode) -> FileStatus, directoryEntry(inode, at:) for directory reads
///     link(existing, to: new, from: cwd), unlink(path, from: cwd)
///     makeDirectory(path, from: cwd), makeDevice(path, from: cwd, major:, minor:)
///     changeDirectory(path, from: cwd) -> InodeReference (a directory)
///     duplicate(inode) (fork, dup), close(inode) (last close of an
///     unlinked file frees it)
///
/// Paths are bytes without a terminating NUL; relative paths start at the
/// `cwd` reference the caller holds. An `InodeReference` is a counted
/// reference; each one the volume hands out (open, root, changeDirectory,
/// duplicate) goes back through `close`. Reads and writes take the byte
/// offset; the kernel keeps the file offset. The volume is a small value
/// of pointers into the owner's memory: copies of it share one state, so
/// the kernel keeps it in a global and several processes may be inside it
/// at once (see `FileSystemHost` for the locking).
public struct FileSystemVolume<Device: BlockDevice, Host: FileSystemHost> {
    public let superblock: Superblock
    public let cache: BufferCache<Device, Host>
    let log: TransactionLog<Device, Host>
    let inodeSlots: UnsafeMutablePointer<InodeSlot>
    let inodeFields: UnsafeMutablePointer<DiskInode>
    let inodeSlotCount: Int
    var host: Host { cache.host }

    /// Buffers and in-memory inodes a kernel volume uses by default.
    public static var defaultBuffers: Int { 30 }
    public static var defaultInodes: Int { 50 }

    /// Bytes of memory `mount` needs for these table sizes.
    public static func memoryNeeded(buffers: Int = defaultBuffers, inodes: Int = defaultInodes) -> Int {
        BufferCache<Device, Host>.memoryNeeded(buffers: buffers) + MemoryCarver.bytesNeeded(1, of: LogState.self)
            + MemoryCarver.bytesNeeded(inodes, of: InodeSlot.self) + MemoryCarver.bytesNeeded(inodes, of: DiskInode.self)
    }

    /// Mounts the file system on `device`: checks the superblock, replays a
    /// committed log, checks that the root is a directory. `memory` (at
    /// least `memoryNeeded` bytes) holds every table and buffer from now on.
    public static func mount(
        device: Device, host: Host, memory: UnsafeMutableRawBufferPointer, buffers: Int = defaultBuffers,
        inodes: Int = defaultInodes
    ) throws(FileSystemError) -> Self {
        var carver = MemoryCarver(memory)
        guard buffers >= 3 * TransactionLog<Device, Host>.operationBlocks, inodes > 0,
            let cache = BufferCache(buffers: buffers, carving: &carver, device: device, host: host),
            let logState = carver.takeZeroed(1, of: LogState.self),
            let slots = carver.takeZeroed(inodes, of: InodeSlot.self),
            let fields = carver.takeZeroed(inodes, of: DiskInode.self)
        else { throw .notEnoughMemory }

        let buffer = try cache.read(DiskFormat.superblockBlock)
        let superblock = Superblock(decoding: UnsafeRawBufferPointer(cache.bytes(buffer)))
        cache.release(buffer)
        if let problem = superblock.validate(deviceBlocks: device.blockCount) { throw .badSuperblock(problem) }

        // Room for the pinned blocks of a transaction and, besides them, a
        // buffer for each operation that holds one while it waits for
        // another (at most capacity / operationBlocks of them run) and
        // three more, so that a wait for a free buffer always ends.
        var capacity = min(Int(superblock.logBlocks) - 1, LogHeader.capacity)
        while capacity > 0 && capacity + capacity / TransactionLog<Device, Host>.operationBlocks + 3 > buffers {
            capacity -= 1
        }
        guard capacity >= TransactionLog<Device, Host>.operationBlocks else { throw .logTooSmall }
        logState.pointee.start = BlockNumber(superblock.logStart)
        logState.pointee.capacity = capacity
        let log = TransactionLog(cache: cache, state: logState)
        try log.recover(
            logBlocks: superblock.logBlocks, homeBlocks: superblock.inodeStart..<superblock.totalBlocks)

        let volume = Self(
            superblock: superblock, cache: cache, log: log, inodeSlots: slots, inodeFields: fields, inodeSlotCount: inodes)
        let root = try volume.inode(DiskFormat.rootInode)
        defer { volume.dropReference(root) }
        try volume.lock(root)
        let isDirectory = volume.fields(root).pointee.inodeType == .directory
        volume.unlock(root)
        guard isDirectory else { throw .corrupt(.rootNotDirectory) }
        return volume
    }

    /// Runs `body` as one operation of the log: its writes commit together.
    func operation<Result>(_ body: () throws(FileSystemError) -> Result) throws(FileSystemError) -> Result {
        try log.begin()
        let result: Result
        do throws(FileSystemError) {
            result = try body()
        } catch {
            try? log.end()
            throw error
        }
        try log.end()
        return result
    }
}

/// What fstat reports, and the device numbers of a device inode.
public struct FileStatus: Equatable, Sendable {
    public var type: InodeType
    public var inode: InodeNumber
    public var linkCount: Int16
    public var size: UInt32
    public var major: Int16
    public var minor: Int16
}
