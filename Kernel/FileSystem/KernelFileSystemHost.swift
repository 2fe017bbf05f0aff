/// The file-system core's view of the kernel: its spinlocks and its sleeps.
///
/// Each of the core's spinlocks (`FileSystemSpinlock`) is a kernel
/// `Spinlock` of its own, with the kernel's checks (taken twice, released
/// while not held, sleeping with one held: each a panic naming it), and the
/// core's sleep is `Scheduler.sleep(on:releasing:)` on that spinlock, so a
/// wakeup between the core's check and its sleep cannot be lost. The lock
/// order is in docs/locks.md.
struct KernelFileSystemHost: FileSystemHost {
    nonisolated(unsafe) static var bufferCacheLock = Spinlock("file system buffer cache")
    nonisolated(unsafe) static var inodeTableLock = Spinlock("file system inode table")
    nonisolated(unsafe) static var logLock = Spinlock("file system log")

    /// The kernel spinlock that stands for `lock` (a global's storage does
    /// not move).
    static func spinlock(_ lock: FileSystemSpinlock) -> UnsafeMutablePointer<Spinlock> {
        switch lock {
        case .bufferCache: return withUnsafeMutablePointer(to: &bufferCacheLock) { $0 }
        case .inodeTable: return withUnsafeMutablePointer(to: &inodeTableLock) { $0 }
        case .log: return withUnsafeMutablePointer(to: &logLock) { $0 }
        }
    }

    func acquire(_ lock: FileSystemSpinlock) { Spinlock.acquire(Self.spinlock(lock)) }

    func release(_ lock: FileSystemSpinlock) { Spinlock.release(Self.spinlock(lock)) }

    func sleep(on channel: FileSystemChannel, releasing lock: FileSystemSpinlock) {
        // Before the first process runs nothing else can hold what the
        // core waits for: a wait then is a core bug, not a contended lock.
        if Processes.current < 0 { kernelPanic("file system: wait with no process to sleep") }
        Scheduler.sleep(on: Self.kernelChannel(channel), releasing: Self.spinlock(lock))
    }

    func wakeup(_ channel: FileSystemChannel) {
        guard Processes.isReady else { return }
        Scheduler.wakeup(Self.kernelChannel(channel))
    }

    static func kernelChannel(_ channel: FileSystemChannel) -> SleepChannel {
        switch channel.kind {
        case .buffer: return SleepChannel(kind: .fileSystemBuffer, index: channel.index)
        case .inode: return SleepChannel(kind: .fileSystemInode, index: channel.index)
        case .log: return SleepChannel(kind: .fileSystemLog, index: channel.index)
        }
    }
}
