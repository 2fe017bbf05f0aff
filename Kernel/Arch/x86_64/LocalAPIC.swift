import _Volatile

/// The local APIC (xAPIC, memory-mapped): it delivers interrupts to its
/// CPU, takes their end-of-interrupt, sends inter-processor interrupts, and
/// owns the timer that preempts its CPU (the boot processor's also drives
/// `Clock`). Every CPU reaches its own APIC at the same address, `base`, a
/// virtual address the platform code provides once (`enable`); each other
/// CPU turns its own on with `enableOnThisCPU`.
enum LocalAPIC {
    nonisolated(unsafe) private(set) static var base: UInt = 0

    // Register offsets.
    private static let idRegister: UInt = 0x20
    private static let versionRegister: UInt = 0x30
    private static let taskPriority: UInt = 0x80
    private static let endOfInterruptRegister: UInt = 0xB0
    private static let spuriousVector: UInt = 0xF0
    private static let timerVector: UInt = 0x320
    private static let lint0: UInt = 0x350
    private static let lint1: UInt = 0x360
    private static let errorVector: UInt = 0x370
    private static let timerInitialCount: UInt = 0x380
    private static let timerCurrentCount: UInt = 0x390
    private static let timerDivide: UInt = 0x3E0
    private static let interruptCommandLow: UInt = 0x300
    private static let interruptCommandHigh: UInt = 0x310

    /// Interrupt command: delivery modes (bits 10:8), "assert" (bit 14),
    /// delivery still pending (bit 12), the "all but me" shorthand (19:18).
    private static let deliveryINIT: UInt32 = 5 << 8
    private static let deliveryStartup: UInt32 = 6 << 8
    private static let levelAssert: UInt32 = 1 << 14
    private static let deliveryPending: UInt32 = 1 << 12
    private static let allButSelf: UInt32 = 3 << 18

    private static let masked: UInt32 = 1 << 16
    private static let softwareEnable: UInt32 = 1 << 8
    /// Divide configuration value for "divide by 16".
    private static let divideBy16: UInt32 = 0x3

    private static func register(_ offset: UInt) -> VolatileMappedRegister<UInt32> {
        VolatileMappedRegister<UInt32>(unsafeBitPattern: base + offset)
    }

    /// The physical address of the registers, from the APIC base MSR.
    static var physicalBase: UInt64 { readMSR(MSR.apicBase) & 0xF_FFFF_F000 }

    /// LINT1 as PCs wire it: the NMI line (delivery mode 4, NMI), so a
    /// watchdog's or the hypervisor's NMI reaches the kernel, which logs it
    /// (NonMaskableInterrupt) instead of the APIC dropping it.
    private static let nonMaskableDelivery: UInt32 = 4 << 8

    /// Turns the APIC on with every local source but the NMI line masked and
    /// accepting every priority; registers at virtual address `virtualBase`.
    static func enable(at virtualBase: UInt) {
        base = virtualBase
        enableOnThisCPU()
    }

    /// The same for the CPU running this, at the address `enable` set.
    static func enableOnThisCPU() {
        // Globally enabled (bit 11 of the base MSR; firmware normally sets it).
        writeMSR(MSR.apicBase, readMSR(MSR.apicBase) | 1 << 11)
        register(spuriousVector).store(softwareEnable | UInt32(Vector.spurious))
        register(taskPriority).store(0)
        register(timerVector).store(masked)
        register(lint0).store(masked)
        register(lint1).store(nonMaskableDelivery)
        register(errorVector).store(masked)
        endOfInterrupt()
    }

    static var id: UInt32 { register(idRegister).load() >> 24 }
    static var version: UInt32 { register(versionRegister).load() & 0xFF }

    static func endOfInterrupt() { register(endOfInterruptRegister).store(0) }

    /// Sends one interrupt command to the APIC with id `apicID` (or, with
    /// `allButSelf` in `command`, to every other CPU) and waits until the
    /// APIC has delivered it.
    private static func send(_ command: UInt32, to apicID: UInt8) {
        register(interruptCommandHigh).store(UInt32(apicID) << 24)
        register(interruptCommandLow).store(command)
        while register(interruptCommandLow).load() & deliveryPending != 0 {}
    }

    /// INIT: the target CPU resets and waits for a startup IPI (Intel SDM
    /// vol. 3, "MP initialization").
    static func sendINIT(to apicID: UInt8) { send(deliveryINIT | levelAssert, to: apicID) }

    /// Startup IPI: the target starts in real mode at physical page `page`.
    static func sendStartup(to apicID: UInt8, page: UInt8) { send(deliveryStartup | levelAssert | UInt32(page), to: apicID) }

    /// A fixed interrupt on `vector` to every CPU but this one.
    static func sendToOthers(vector: UInt64) { send(UInt32(vector) | levelAssert | allButSelf, to: 0) }

    /// One-shot countdown from the largest count, masked: for calibration.
    static func startCalibrationCount() {
        register(timerDivide).store(divideBy16)
        register(timerVector).store(masked)
        register(timerInitialCount).store(UInt32.max)
    }

    /// Counts the timer has gone down since `startCalibrationCount`.
    static var calibrationElapsed: UInt32 { UInt32.max - register(timerCurrentCount).load() }

    static func stopTimer() { register(timerInitialCount).store(0) }

    /// One interrupt on `Vector.timer` after `count` timer counts (input
    /// clock divided by 16); `rearmTimer` starts the next one.
    static func startOneShotTimer(count: UInt32) {
        oneShotCount = count
        register(timerDivide).store(divideBy16)
        register(timerVector).store(UInt32(Vector.timer))
        register(timerInitialCount).store(count)
    }

    nonisolated(unsafe) private static var oneShotCount: UInt32 = 0

    /// Counts down the same interval again, from now.
    static func rearmTimer() { register(timerInitialCount).store(oneShotCount) }
}
