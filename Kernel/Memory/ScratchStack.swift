/// A larger stack for kernel work that handles kilobyte-sized values (an
/// ELF load plan, a process image layout, a layout table): loading a program
/// in exec, reporting a fault, listing a memory map. A process's kernel
/// stack is one page on RISC-V (the xv6 layout), too small for those.
/// The work done here never sleeps and the kernel is never preempted, so
/// one stack serves everything in turn; `run` refuses to nest.
enum ScratchStack {
    static let bytes = 16 * 1024
    nonisolated(unsafe) static var storage: InlineArray<16384, UInt8> = .init(repeating: 0)
    nonisolated(unsafe) static var inUse = false

    /// Runs `function(argument)` on the scratch stack and returns its result.
    static func run(_ function: @convention(c) (UInt64) -> Int64, _ argument: UInt64) -> Int64 {
        if inUse { kernelPanic("scratch stack used twice") }
        inUse = true
        let top = withUnsafeMutableBytes(of: &storage) { $0.baseAddress.unsafelyUnwrapped + bytes }
        let result = callOnStack(argument, unsafeBitCast(function, to: UnsafeRawPointer.self), top)
        inUse = false
        return Int64(bitPattern: result)
    }
}
