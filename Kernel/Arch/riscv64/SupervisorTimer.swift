/// The supervisor timer through the Sstc extension: supervisor mode writes
/// its next deadline to stimecmp and takes the interrupt itself, with no
/// machine-mode timer code. The interrupt stays pending until stimecmp is
/// moved past the current time.
enum SupervisorTimer {
    static let ticksPerSecond: UInt64 = 100
    static let interval: UInt64 = VirtMachine.timebaseFrequency / ticksPerSecond

    /// Sets the first deadline and enables the timer interrupt (it is taken
    /// once sstatus lets interrupts in).
    static func start() {
        writeStimecmp(readTime() + interval)
        setSie(1 << InterruptCode.supervisorTimer)
    }

    /// Timer interrupt: count the tick and set the next deadline.
    static func interrupt() {
        writeStimecmp(readTime() + interval)
        Clock.tick()
    }
}
