@_extern(c, "swiftlet_x86_fxsave") func fxsave(_ area: UnsafeMutableRawPointer)
@_extern(c, "swiftlet_x86_fxrstor") func fxrstor(_ area: UnsafeMutableRawPointer)

/// User floating point: x87 and SSE, whose registers FXSAVE and FXRSTOR
/// move as one 512-byte area. The kernel is compiled with -mno-sse and
/// never touches them, so enabling the unit for user programs shares
/// nothing with the kernel.
extension X86_64 {
    static var floatingPointStateBytes: Int { 512 }

    /// CR0.MP with CR0.EM and TS clear: x87 instructions run; CR4.OSFXSR
    /// turns on SSE and FXSAVE/FXRSTOR, CR4.OSXMMEXCPT reports SIMD
    /// floating-point exceptions as #XM (which kills the process).
    static func enableFloatingPoint() {
        let cr0MonitorCoprocessor: UInt64 = 1 << 1
        let cr0Emulation: UInt64 = 1 << 2
        let cr0TaskSwitched: UInt64 = 1 << 3
        let cr4FXSaveRestore: UInt64 = 1 << 9
        let cr4SIMDExceptions: UInt64 = 1 << 10
        writeCR0((readCR0() & ~(cr0Emulation | cr0TaskSwitched)) | cr0MonitorCoprocessor)
        writeCR4(readCR4() | cr4FXSaveRestore | cr4SIMDExceptions)
    }

    /// The processor's state after FNINIT, with SSE exceptions masked:
    /// x87 control word 0x37F, MXCSR 0x1F80, every register zero.
    static func initialFloatingPointState(_ area: UnsafeMutableRawPointer) {
        area.initializeMemory(as: UInt8.self, repeating: 0, count: floatingPointStateBytes)
        area.storeBytes(of: 0x037F as UInt16, toByteOffset: 0, as: UInt16.self)
        area.storeBytes(of: 0x1F80 as UInt32, toByteOffset: 24, as: UInt32.self)
    }

    static func saveFloatingPoint(_ area: UnsafeMutableRawPointer) { fxsave(area) }

    static func loadFloatingPoint(_ area: UnsafeMutableRawPointer) { fxrstor(area) }
}
