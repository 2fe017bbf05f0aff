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

    /// Takes the lock if it is free; false when another process holds it.
    /// Callers loop, each access to the lock its own statement so that none
    /// spans the sleep: `while !lock.tryAcquire() { Scheduler.sleep(on:
    /// lock.channel) }`. Taking it a
    /// second time by its holder is a kernel bug, which panics.
    mutating func tryAcquire() -> Bool {
        if isHeld {
            if holder == Processes.current { kernelPanic("sleep lock taken twice by one process") }
            return false
        }
        isHeld = true
        holder = Processes.current
        return true
    }

    /// Releases the lock and wakes its waiters (one of them takes it).
    mutating func release() {
        if !isHeld { kernelPanic("sleep lock released while free") }
        isHeld = false
        holder = -1
        Scheduler.wakeup(channel)
    }

    /// True when the current process (or the boot code) holds it.
    var isHeldByCurrent: Bool { isHeld && holder == Processes.current }
}
