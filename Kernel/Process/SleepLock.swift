/// A lock that may be held across a sleep (a disk wait): a process that
/// finds it taken sleeps until the holder releases it, instead of spinning.
/// Taking and releasing run in kernel mode with interrupts off, which on
/// one CPU makes the test and the set one step; with several CPUs a
/// spinlock around `holder` completes it (the waiters and wakeups stay).
///
/// Only code running for a process, or the boot code before the scheduler
/// starts (no current process: slot -1, never contended), takes one.
struct SleepLock {
    /// The channel waiters sleep on; unique to this lock.
    let channel: SleepChannel
    /// Whether the lock is taken, and by which process slot (-1 at boot).
    private(set) var isHeld = false
    private(set) var holder = -1

    init(_ channel: SleepChannel) { self.channel = channel }

    /// Takes the lock at `lock`, sleeping while another process holds it.
    /// Through a pointer: the caller's access must not span the sleep.
    static func acquire(_ lock: UnsafeMutablePointer<SleepLock>) {
        while lock.pointee.isHeld {
            if lock.pointee.holder == Processes.current { kernelPanic("sleep lock taken twice by one process") }
            Scheduler.sleep(on: lock.pointee.channel)
        }
        lock.pointee.isHeld = true
        lock.pointee.holder = Processes.current
    }

    /// Releases the lock at `lock` and wakes its waiters (one of them takes it).
    static func release(_ lock: UnsafeMutablePointer<SleepLock>) {
        if !lock.pointee.isHeld { kernelPanic("sleep lock released while free") }
        lock.pointee.isHeld = false
        lock.pointee.holder = -1
        Scheduler.wakeup(lock.pointee.channel)
    }

    /// True when the current process (or the boot code) holds it.
    var isHeldByCurrent: Bool { isHeld && holder == Processes.current }
}
