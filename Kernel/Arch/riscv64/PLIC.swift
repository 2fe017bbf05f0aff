import _Volatile

/// The platform-level interrupt controller: routes device interrupts (such
/// as the UART's) to a hart's supervisor mode. Each source has a priority;
/// each hart context has enable bits, a priority threshold and a
/// claim/complete register.
/// The register addresses come from the layout table (`RiscV64Layout`).
enum PLIC {
    private static func register(_ address: UInt64) -> VolatileMappedRegister<UInt32> {
        VolatileMappedRegister<UInt32>(unsafeBitPattern: UInt(address))
    }

    /// Gives `source` a non-zero priority (zero means never delivered).
    static func setPriority(source: UInt32, priority: UInt32) {
        register(RiscV64Layout.plic + UInt64(source) * 4).store(priority)
    }

    /// Lets `source` reach `hart`'s supervisor mode, and lets every source
    /// with a non-zero priority through that context's threshold.
    static func enable(source: UInt32, supervisorOf hart: Int) {
        let enable = register(RiscV64Layout.plicSupervisorEnable(hart: hart) + UInt64(source / 32) * 4)
        enable.store(enable.load() | 1 << (source % 32))
        register(RiscV64Layout.plicSupervisorPriority(hart: hart)).store(0)
    }

    /// The highest-priority pending source for `hart`, now claimed; nil if
    /// none (another hart may have claimed it first).
    static func claim(supervisorOf hart: Int) -> UInt32? {
        let source = register(RiscV64Layout.plicSupervisorClaim(hart: hart)).load()
        return source == 0 ? nil : source
    }

    /// Tells the PLIC that `source` has been served, so it may raise it again.
    static func complete(_ source: UInt32, supervisorOf hart: Int) {
        register(RiscV64Layout.plicSupervisorClaim(hart: hart)).store(source)
    }
}
