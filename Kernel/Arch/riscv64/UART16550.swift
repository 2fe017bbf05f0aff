import _Volatile

/// A 16550-compatible UART (QEMU virt's UART0). Output is polled: wait for
/// room, then write. Input is interrupt driven: the device raises its
/// interrupt when a byte arrives and the handler drains it.
struct UART16550 {
    let base: UInt

    // Register offsets (byte registers). With the divisor latch bit set in
    // LCR, offsets 0 and 1 are the baud-rate divisor instead.
    private static let receive: UInt = 0  // RBR, read
    private static let transmit: UInt = 0  // THR, write
    private static let interruptEnable: UInt = 1
    private static let fifoControl: UInt = 2
    private static let lineControl: UInt = 3
    private static let modemControl: UInt = 4
    private static let lineStatus: UInt = 5

    private static let lineStatusDataReady: UInt8 = 1 << 0
    private static let lineStatusTransmitEmpty: UInt8 = 1 << 5
    private static let modemControlLoopback: UInt8 = 1 << 4

    private func register(_ offset: UInt) -> VolatileMappedRegister<UInt8> {
        VolatileMappedRegister<UInt8>(unsafeBitPattern: base + offset)
    }

    /// 38400 baud, 8 data bits, no parity, one stop bit, FIFOs on and
    /// cleared, interrupt on received data only.
    func initialize() {
        register(Self.interruptEnable).store(0)
        register(Self.lineControl).store(0x80)  // divisor latch access
        register(0).store(0x03)  // divisor low: 38400 baud
        register(1).store(0x00)  // divisor high
        register(Self.lineControl).store(0x03)  // 8N1, latch off
        register(Self.fifoControl).store(0x07)  // enable and clear FIFOs
        register(Self.interruptEnable).store(0x01)  // received data available
    }

    func put(_ byte: UInt8) {
        while register(Self.lineStatus).load() & Self.lineStatusTransmitEmpty == 0 {}
        register(Self.transmit).store(byte)
    }

    /// The next received byte, or nil when none is waiting. Reading it also
    /// clears the device's receive interrupt once the FIFO is empty.
    func receivedByte() -> UInt8? {
        guard register(Self.lineStatus).load() & Self.lineStatusDataReady != 0 else { return nil }
        return register(Self.receive).load()
    }

    /// Loopback: transmitted bytes come back as received bytes (and raise
    /// the receive interrupt) instead of leaving the device.
    func setLoopback(_ on: Bool) {
        let control = register(Self.modemControl)
        let value = control.load()
        control.store(on ? value | Self.modemControlLoopback : value & ~Self.modemControlLoopback)
    }
}
