/// The file-system core's view of the kernel: its spinlocks and its sleeps.
///
/// One CPU with interrupts off in kernel mode: a spinlock has nothing to
/// exclude, so `acquire` and `release` only keep the books that catch a
/// misuse (taking a spinlock twice, releasing a free one, sleeping with
/// one held). More CPUs make them real spinlocks; the callers stay.
/// The books (`held`) are touched only by the core's calls here.
struct KernelFileSystemHost: FileSystemHost {
    nonisolated(unsafe) private static var held: UInt8 = 0

    private static func bit(_ lock: FileSystemSpinlock) -> UInt8 {
        switch lock {
        case .bufferCache: return 1
        case .inodeTable: return 2
        case .log: return 4
        }
    }

    func acquire(_ lock: FileSystemSpinlock) {
        let bit = Self.bit(lock)
        if Self.held & bit != 0 { kernelPanic("file system: spinlock taken twice") }
        Self.held |= bit
    }

    func release(_ lock: FileSystemSpinlock) {
        let bit = Self.bit(lock)
        if Self.held & bit == 0 { kernelPanic("file system: spinlock released while free") }
        Self.held &= ~bit
    }

    func sleep(on channel: FileSystemChannel, releasing lock: FileSystemSpinlock) {
        release(lock)
        if Self.held != 0 { kernelPanic("file system: sleeping with a spinlock held") }
        // Before the first process runs nothing else can hold what the
        // core waits for: a wait then is a core bug, not a contended lock.
        if Processes.current < 0 { kernelPanic("file system: wait with no process to sleep") }
        Scheduler.sleep(on: Self.kernelChannel(channel))
        acquire(lock)
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
