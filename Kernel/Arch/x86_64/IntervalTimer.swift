/// The 8254 programmable interval timer's channel 2, whose input clock is
/// fixed (1.193182 MHz) and whose output can be polled through port 0x61:
/// a known interval to measure the local APIC timer and the time-stamp
/// counter against.
enum IntervalTimer {
    static let frequency: UInt64 = 1_193_182

    private static let channel2Data: UInt16 = 0x42
    private static let command: UInt16 = 0x43
    /// Port B: bit 0 gates channel 2, bit 1 drives the speaker, bit 5 reads
    /// channel 2's output.
    private static let portB: UInt16 = 0x61

    /// Runs `count` input clocks (at most 65535) on channel 2 in mode 0 and
    /// returns once its output goes high. `started` runs right after the
    /// count is loaded, when counting begins.
    static func wait(count: UInt16, started: () -> Void) {
        // Gate on, speaker off.
        outb(portB, inb(portB) & ~0x02 | 0x01)
        // Channel 2, low byte then high byte, mode 0 (interrupt on terminal
        // count: output low until the count runs out), binary.
        outb(command, 0xB0)
        outb(channel2Data, UInt8(count & 0xFF))
        outb(channel2Data, UInt8(count >> 8))
        started()
        while inb(portB) & 0x20 == 0 {}
    }
}
