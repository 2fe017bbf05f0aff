/// A 16550-compatible UART reached through I/O ports (COM1 at 0x3F8 on a PC).
/// Output is polled; input is interrupt driven (ISA IRQ 4 for COM1, routed by
/// the I/O APIC).
struct SerialPort {
    let base: UInt16

    static let com1 = SerialPort(base: 0x3F8)
    /// COM1's ISA interrupt line.
    static let com1IRQ: UInt8 = 4

    // Register offsets. With the divisor latch bit set in the line control
    // register, offsets 0 and 1 hold the baud-rate divisor instead.
    private static let data: UInt16 = 0
    private static let interruptEnable: UInt16 = 1
    private static let fifoControl: UInt16 = 2
    private static let lineControl: UInt16 = 3
    private static let modemControl: UInt16 = 4
    private static let lineStatus: UInt16 = 5

    private static let lineStatusDataReady: UInt8 = 1 << 0
    private static let lineStatusTransmitEmpty: UInt8 = 1 << 5
    /// DTR, RTS, and OUT2, which connects the UART's interrupt to the ISA line.
    private static let modemControlNormal: UInt8 = 0x0B
    private static let modemControlLoopback: UInt8 = 1 << 4

    /// 38400 baud, 8 data bits, no parity, one stop bit, FIFOs on and
    /// cleared, interrupt on received data only.
    func initialize() {
        outb(base + Self.interruptEnable, 0)
        outb(base + Self.lineControl, 0x80)  // divisor latch access
        outb(base + 0, 3)  // divisor 3: 38400 baud
        outb(base + 1, 0)
        outb(base + Self.lineControl, 0x03)  // 8N1, latch off
        outb(base + Self.fifoControl, 0x07)  // enable and clear FIFOs
        outb(base + Self.modemControl, Self.modemControlNormal)
        outb(base + Self.interruptEnable, 0x01)  // received data available
    }

    func put(_ byte: UInt8) {
        while inb(base + Self.lineStatus) & Self.lineStatusTransmitEmpty == 0 {}
        outb(base + Self.data, byte)
    }

    /// The next received byte, or nil when none is waiting.
    func receivedByte() -> UInt8? {
        guard inb(base + Self.lineStatus) & Self.lineStatusDataReady != 0 else { return nil }
        return inb(base + Self.data)
    }

    /// Loopback: transmitted bytes come back as received bytes (and raise the
    /// receive interrupt) instead of leaving the device.
    func setLoopback(_ on: Bool) {
        outb(base + Self.modemControl, on ? Self.modemControlNormal | Self.modemControlLoopback : Self.modemControlNormal)
    }
}
