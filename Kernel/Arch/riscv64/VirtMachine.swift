import _Volatile

/// Facts about QEMU's `virt` machine that are not part of the memory layout
/// (the layout's addresses are in `RiscV64Layout`, the one place that spells
/// them).
enum VirtMachine {
    /// The SiFive "test finisher": a store here powers QEMU off. Not in the
    /// layout table because the kernel only uses it before paging and from
    /// check images.
    static let testDevice: UInt = 0x10_0000
    /// The `time` counter's rate (QEMU virt: 10 MHz).
    static let timebaseFrequency: UInt64 = 10_000_000

    /// Powers QEMU off: it exits with `status` (0 = pass).
    static func powerOff(status: UInt16) -> Never {
        let finisher = VolatileMappedRegister<UInt32>(unsafeBitPattern: testDevice)
        finisher.store(status == 0 ? 0x5555 : UInt32(status) << 16 | 0x3333)
        // Not reached under QEMU; on a machine without the device, stop here.
        while true { waitForInterruptInstruction() }
    }
}
