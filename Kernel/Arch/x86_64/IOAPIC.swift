import _Volatile

/// The I/O APIC: routes device interrupt lines (global system interrupts,
/// GSIs) to a CPU's local APIC as vectors. Two registers in memory: a
/// select register and a data window onto the indirect registers.
enum IOAPIC {
    nonisolated(unsafe) private(set) static var base: UInt = 0
    /// The first GSI this I/O APIC serves (from the MADT).
    nonisolated(unsafe) private(set) static var gsiBase: UInt32 = 0
    nonisolated(unsafe) private(set) static var inputCount: UInt32 = 0

    private static let versionRegister: UInt32 = 0x01
    private static let redirectionTable: UInt32 = 0x10
    private static let masked: UInt64 = 1 << 16
    private static let activeLow: UInt64 = 1 << 13
    private static let levelTriggered: UInt64 = 1 << 15

    private static func read(_ index: UInt32) -> UInt32 {
        VolatileMappedRegister<UInt32>(unsafeBitPattern: base).store(index)
        return VolatileMappedRegister<UInt32>(unsafeBitPattern: base + 0x10).load()
    }

    private static func write(_ index: UInt32, _ value: UInt32) {
        VolatileMappedRegister<UInt32>(unsafeBitPattern: base).store(index)
        VolatileMappedRegister<UInt32>(unsafeBitPattern: base + 0x10).store(value)
    }

    private static func setEntry(_ input: UInt32, _ value: UInt64) {
        write(redirectionTable + 2 * input, UInt32(truncatingIfNeeded: value))
        write(redirectionTable + 2 * input + 1, UInt32(truncatingIfNeeded: value >> 32))
    }

    /// Registers at virtual address `virtualBase`; every input masked.
    static func initialize(at virtualBase: UInt, gsiBase: UInt32) {
        base = virtualBase
        self.gsiBase = gsiBase
        inputCount = (read(versionRegister) >> 16 & 0xFF) + 1
        for input in 0..<inputCount { setEntry(input, masked) }
    }

    /// Delivers `gsi` as `vector` to the local APIC `apicID`, fixed delivery,
    /// physical destination. Returns false if this I/O APIC does not serve it.
    @discardableResult
    static func route(gsi: UInt32, to vector: UInt64, apicID: UInt32, activeLow low: Bool, levelTriggered level: Bool) -> Bool {
        guard gsi >= gsiBase, gsi - gsiBase < inputCount else { return false }
        var entry = vector & 0xFF | UInt64(apicID) << 56
        if low { entry |= activeLow }
        if level { entry |= levelTriggered }
        setEntry(gsi - gsiBase, entry)
        return true
    }
}
