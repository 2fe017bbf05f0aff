/// Facts about QEMU's `virt` machine that are not part of the memory layout
/// (the layout's addresses are in `RiscV64Layout`, the one place that spells
/// them).
enum VirtMachine {
    /// The SiFive "test finisher": a store here powers QEMU off. Not in the
    /// layout table (xv6's layout does not map it): the store is made with
    /// paging off.
    static let testDevice: UInt = 0x10_0000
    /// The `time` counter's rate (QEMU virt: 10 MHz).
    static let timebaseFrequency: UInt64 = 10_000_000

    /// Powers QEMU off: it exits with `status` (0 = pass).
    static func powerOff(status: UInt16) -> Never {
        // On a machine without the device, this stops the hart instead.
        powerOffInstruction(status == 0 ? 0x5555 : UInt32(status) << 16 | 0x3333, UInt64(testDevice))
        while true { waitForInterruptInstruction() }  // never returns; @_extern cannot say Never
    }
}

@_extern(c, "swiftlet_power_off") func powerOffInstruction(_ value: UInt32, _ device: UInt64) -> Void
