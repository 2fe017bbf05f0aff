/// What a sleeping process waits for. A typed value rather than an address,
/// so a wakeup can only reach the sleepers it is meant for.
struct SleepChannel: Equatable {
    enum Kind: Equatable {
        case consoleInput
        case pipeRead
        case pipeWrite
        /// A parent waiting for a child of process slot `index` to exit.
        case childExit
        /// The clock, for sleep(ticks).
        case tick
        /// The file-system core's waits (`FileSystemChannel`): a buffer's
        /// or an inode's sleep lock (`index` is its slot), the log.
        case fileSystemBuffer
        case fileSystemInode
        case fileSystemLog
        /// A disk request in flight, by the head descriptor of its chain.
        case diskRequest
        /// Free descriptors in the disk's queue (it was full).
        case diskDescriptors
        /// A sleep lock's waiters (`index` names the lock; see `scratchStackLock`).
        case sleepLock
    }
    var kind: Kind
    var index: Int

    /// `.sleepLock` indices of the kernel's own sleep locks.
    static let scratchStackLock = 0
    /// Open-file table entry `i` uses `openFileLockBase + i`.
    static let openFileLockBase = 1
}
