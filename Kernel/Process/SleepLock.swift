/// A lock that may be held across a sleep (a disk wait): a process that
/// finds it taken sleeps until the holder releases it, instead of spinning.
///
/// Who touches what: every sleep lock's `isHeld` and `holder` are guarded
/// by one spinlock, `SleepLock.guardLock` ("sleep locks"), held only for
/// the test and the change; a waiter sleeps through
/// `sleep(on:releasing:)` on it, so a release between its test and its
/// sleep cannot be missed. Only code running for a process, or the boot
/// code before the scheduler starts (no current process: slot -1, never
/// contended), takes one. A lock lives where it cannot move (a global, or
/// an entry of a global table), and is used through its address.
struct SleepLock {
    /// The channel waiters sleep on; unique to this lock.
    let channel: SleepChannel
    /// Whether the lock is taken, and by which process slot (-1 at boot).
    private(set) var isHeld = false
    private(set) var holder = -1

    init(_ channel: SleepChannel) { self.channel = channel }

    /// The spinlock of every sleep lock's own fields.
    nonisolated(unsafe) static var guardSpinlock = Spinlock("sleep locks")
    static var guardLock: UnsafeMutablePointer<Spinlock> { withUnsafeMutablePointer(to: &guardSpinlock) { $0 } }

    /// Takes the lock at `lock`, sleeping while another process holds it.
    /// Taking it a second time by its holder is a kernel bug, which panics.
    static func acquire(_ lock: UnsafeMutablePointer<SleepLock>) {
        Spinlock.acquire(guardLock)
        while lock.pointee.isHeld {
            if lock.pointee.holder == Processes.current { kernelPanic("sleep lock taken twice by one process") }
            Scheduler.sleep(on: lock.pointee.channel, releasing: guardLock)
        }
        lock.pointee.isHeld = true
        lock.pointee.holder = Processes.current
        Spinlock.release(guardLock)
    }

    /// Releases the lock at `lock` and wakes its waiters (one of them takes it).
    static func release(_ lock: UnsafeMutablePointer<SleepLock>) {
        Spinlock.acquire(guardLock)
        if !lock.pointee.isHeld { kernelPanic("sleep lock released while free") }
        lock.pointee.isHeld = false
        lock.pointee.holder = -1
        let channel = lock.pointee.channel
        Spinlock.release(guardLock)
        Scheduler.wakeup(channel)
    }

    /// True when the current process (or the boot code) holds it: only the
    /// holder can make this true or false, so no lock is needed to ask.
    var isHeldByCurrent: Bool { isHeld && holder == Processes.current }
}
