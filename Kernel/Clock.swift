/// Time as the timer interrupt counts it.
enum Clock {
    /// Timer interrupts taken since boot. Written only by the timer interrupt
    /// handler; readers in a wait loop must call something opaque (such as
    /// `Platform.waitForInterrupt()`) between reads so the compiler reloads it.
    nonisolated(unsafe) static var ticks: UInt64 = 0

    /// Called by the architecture's timer interrupt handler.
    static func tick() { ticks &+= 1 }
}
