/// What the file-system core needs from the system it runs in: the kernel
/// implements it with its scheduler, host tests with their own checks.
///
/// Concurrency model. The kernel runs the core on one CPU with interrupts
/// off, but a process may sleep inside it (the disk driver sleeps the
/// caller, a sleep lock or the log may make it wait), and another process
/// may then enter the core. So:
/// - each cache (buffers, inodes, the log) has a spinlock, named by
///   `FileSystemSpinlock`, that guards its bookkeeping; it is held only
///   for short stretches that never sleep. Single CPU: `acquire` and
///   `release` may do nothing. SMP fills them in.
/// - buffers and inodes have sleep locks (guarded by their cache's
///   spinlock) that are held across disk I/O.
/// - waiting is `sleep(on:releasing:)`, which gives up the spinlock while
///   asleep (so a wakeup cannot be lost on SMP) and takes it again before
///   returning. Every wait is in a loop that re-checks its condition.
/// Lock order: a buffer or inode sleep lock may be held while taking a
/// spinlock; no spinlock is held while taking a sleep lock or doing I/O.
/// Inode sleep locks are taken before buffer sleep locks; a parent
/// directory's before its child's.
public protocol FileSystemHost {
    /// Takes the spinlock `lock` (does not sleep).
    func acquire(_ lock: FileSystemSpinlock)
    /// Gives `lock` back.
    func release(_ lock: FileSystemSpinlock)
    /// Sleeps until `wakeup(channel)`, with `lock` (held by the caller)
    /// released meanwhile and held again on return.
    func sleep(on channel: FileSystemChannel, releasing lock: FileSystemSpinlock)
    /// Makes every caller sleeping on `channel` runnable.
    func wakeup(_ channel: FileSystemChannel)
}

/// The spinlocks of the core, one per shared structure.
public enum FileSystemSpinlock: Equatable, Sendable {
    /// Buffer slots' block numbers, reference counts, LRU order, and the
    /// buffers' sleep-lock words.
    case bufferCache
    /// Inode slots' numbers and reference counts, and the inodes'
    /// sleep-lock words.
    case inodeTable
    /// The log's outstanding-operation count, committing flag and header.
    case log
}

/// What a caller of the core waits for: a typed value, so the kernel can
/// map it onto its own sleep channels.
public struct FileSystemChannel: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// The sleep lock of buffer slot `index`; index -1: any buffer
        /// becoming free when all were in use.
        case buffer
        /// The sleep lock of inode slot `index`.
        case inode
        /// Room in the log, or the end of a commit (`index` is 0).
        case log
    }
    public var kind: Kind
    public var index: Int
    public init(kind: Kind, index: Int) {
        self.kind = kind
        self.index = index
    }
}
