import _Volatile

/// The CLINT's machine timer. Swiftlet does not use it (supervisor mode has
/// its own timer through Sstc), but QEMU resets each hart's machine compare
/// register to 0, which keeps a machine timer interrupt pending forever and
/// slows the guest. Every hart sets its own to the far future at boot.
enum CoreLocalInterruptor {
    static func silenceMachineTimer(hart: UInt64) {
        let compare = VolatileMappedRegister<UInt64>(unsafeBitPattern: UInt(RiscV64Layout.clint) + 0x4000 + 8 * UInt(hart))
        compare.store(UInt64.max)
    }
}
