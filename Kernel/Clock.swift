/// Time as the timer interrupt counts it.
enum Clock {
    /// Timer interrupts taken since boot. Written only by the timer interrupt
    /// handler, under `lock` ("tick counter"); a sleeper reads it under the
    /// lock too (see `sleep`). Readers that only want a snapshot read it
    /// without (one aligned word); in a wait loop they must call something
    /// opaque (such as `Platform.waitForInterrupt()`) between reads so the
    /// compiler reloads it.
    nonisolated(unsafe) static var ticks: UInt64 = 0
    nonisolated(unsafe) static var lock = Spinlock("tick counter")
    static var tickLock: UnsafeMutablePointer<Spinlock> { withUnsafeMutablePointer(to: &lock) { $0 } }

    static let channel = SleepChannel(kind: .tick, index: 0)

    /// Called by the architecture's timer interrupt handler.
    static func tick() {
        Spinlock.acquire(tickLock)
        ticks &+= 1
        Spinlock.release(tickLock)
        if Processes.isReady { Scheduler.wakeup(channel) }
    }

    /// sleep(n): blocks the caller for `n` ticks; -1 if it is killed
    /// meanwhile. The count is checked under the tick counter's lock, which
    /// `Scheduler.sleep(on:releasing:)` gives up only once the process table
    /// is locked: the tick's wakeup cannot slip in between.
    static func sleep(ticks count: Int64) -> Int {
        guard count > 0 else { return 0 }
        Spinlock.acquire(tickLock)
        let end = ticks &+ UInt64(count)
        while ticks < end {
            guard !Processes.currentIsKilled else {
                Spinlock.release(tickLock)
                return -1
            }
            Scheduler.sleep(on: channel, releasing: tickLock)
        }
        Spinlock.release(tickLock)
        return 0
    }
}
