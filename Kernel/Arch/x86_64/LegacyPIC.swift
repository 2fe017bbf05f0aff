/// The two 8259 interrupt controllers of the PC. Swiftlet uses the APICs, so
/// the PICs are moved off the exception vectors (where a spurious IRQ 7
/// would look like a fault) and masked for good.
enum LegacyPIC {
    private static let primaryCommand: UInt16 = 0x20
    private static let primaryData: UInt16 = 0x21
    private static let secondaryCommand: UInt16 = 0xA0
    private static let secondaryData: UInt16 = 0xA1

    static func remapAndMask(base: UInt8) {
        // ICW1: initialise, ICW4 follows. ICW2: vector base. ICW3: the
        // secondary hangs off line 2. ICW4: 8086 mode.
        outb(primaryCommand, 0x11)
        outb(secondaryCommand, 0x11)
        outb(primaryData, base)
        outb(secondaryData, base + 8)
        outb(primaryData, 0x04)
        outb(secondaryData, 0x02)
        outb(primaryData, 0x01)
        outb(secondaryData, 0x01)
        outb(primaryData, 0xFF)
        outb(secondaryData, 0xFF)
    }
}
