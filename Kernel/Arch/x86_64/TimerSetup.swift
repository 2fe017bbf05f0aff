/// The clock: the local APIC timer interrupts 100 times a second, and the
/// time-stamp counter is the free-running counter. Neither has a rate the
/// processor reports reliably, so both are measured against the PIT, whose
/// input clock is fixed, over one 50 ms interval at boot.
///
/// The timer runs in one-shot mode, re-armed by each tick's handler, rather
/// than periodic: a tick delivered late (the CPU had interrupts off, or the
/// emulator was not scheduled) then pushes the next one back instead of
/// leaving it due early, so ticks are never closer than 10 ms.
enum TimerSetup {
    static let ticksPerSecond: UInt64 = 100
    /// 50 ms of PIT input clocks (fits its 16-bit counter).
    private static let calibrationCount: UInt16 = 59_659

    nonisolated(unsafe) private(set) static var counterFrequency: UInt64 = 1
    /// Local APIC timer counts (after its divide-by-16) per second.
    nonisolated(unsafe) private(set) static var apicTimerFrequency: UInt64 = 0

    static func calibrate() {
        var counterStart: UInt64 = 0
        IntervalTimer.wait(count: calibrationCount) {
            LocalAPIC.startCalibrationCount()
            counterStart = readTimeStampCounter()
        }
        let counterElapsed = readTimeStampCounter() - counterStart
        let apicElapsed = UInt64(LocalAPIC.calibrationElapsed)
        LocalAPIC.stopTimer()
        let pitCount = UInt64(calibrationCount)
        counterFrequency = counterElapsed * IntervalTimer.frequency / pitCount
        apicTimerFrequency = apicElapsed * IntervalTimer.frequency / pitCount
    }

    static func start() {
        let count = apicTimerFrequency / ticksPerSecond
        guard count > 0, count <= UInt64(UInt32.max) else { kernelPanic("local APIC timer calibration failed") }
        LocalAPIC.startOneShotTimer(count: UInt32(count))
    }

    static func log() {
        Console.write("clock        TSC ")
        Console.write(decimal: counterFrequency / 1000)
        Console.write(" kHz, APIC timer ")
        Console.write(decimal: apicTimerFrequency / 1000)
        Console.write(" kHz (/16), ")
        Console.write(decimal: ticksPerSecond)
        Console.line(" Hz ticks; measured against the PIT")
    }
}
