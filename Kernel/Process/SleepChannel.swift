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
}
