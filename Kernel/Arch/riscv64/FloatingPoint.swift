@_extern(c, "swiftlet_fp_save") func saveFloatingPointRegisters(_ area: UnsafeMutableRawPointer)
@_extern(c, "swiftlet_fp_load") func loadFloatingPointRegisters(_ area: UnsafeMutableRawPointer)

/// User floating point (F and D): sstatus.FS enables the unit for user mode
/// and tracks whether its registers changed since they were loaded (Dirty),
/// so a process that computed nothing is never saved.
extension RiscV64 {
    /// f0-f31 and fcsr, padded to 16 bytes.
    static var floatingPointStateBytes: Int { 272 }

    static func initialFloatingPointState(_ area: UnsafeMutableRawPointer) {
        area.initializeMemory(as: UInt8.self, repeating: 0, count: floatingPointStateBytes)
    }

    static func saveFloatingPoint(_ area: UnsafeMutableRawPointer) {
        guard readSstatus() & Sstatus.floatingPointMask == Sstatus.floatingPointDirty else { return }
        saveFloatingPointRegisters(area)
        setFloatingPointClean()
    }

    static func loadFloatingPoint(_ area: UnsafeMutableRawPointer) {
        setFloatingPointClean()  // the unit must be on to load it
        loadFloatingPointRegisters(area)
        setFloatingPointClean()  // what the loads made Dirty matches the area
    }

    private static func setFloatingPointClean() {
        clearSstatus(Sstatus.floatingPointMask)
        setSstatus(Sstatus.floatingPointClean)
    }
}
