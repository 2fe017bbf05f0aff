/// Time as the timer interrupt counts it.
enum Clock {
    /// Timer interrupts taken since boot. Written only by the timer interrupt
    /// handler; readers in a wait loop must call something opaque (such as
    /// `Platform.waitForInterrupt()`) between reads so the compiler reloads it.
    nonisolated(unsafe) static var ticks: UInt64 = 0

    static let channel = SleepChannel(kind: .tick, index: 0)

    /// Called by the architecture's timer interrupt handler.
    static func tick() {
        ticks &+= 1
        if Processes.isReady { Scheduler.wakeup(channel) }
    }

    /// sleep(n): blocks the caller for `n` ticks; -1 if it is killed meanwhile.
    static func sleep(ticks count: Int64) -> Int {
        guard count > 0 else { return 0 }
        let end = ticks &+ UInt64(count)
        while ticks < end {
            guard !Processes.currentIsKilled else { return -1 }
            Scheduler.sleep(on: channel)
        }
        return 0
    }
}
