/// A kernel thread's callee-saved registers while it is switched out:
/// ra, sp, s0-s11, in the order Switch.S stores them.
struct KernelContext {
    var ra: UInt64 = 0
    var sp: UInt64 = 0
    var saved: InlineArray<12, UInt64> = .init(repeating: 0)
}

/// Switch.S; raw pointers because a C declaration cannot name a Swift struct.
@_extern(c, "switch_context")
func switchContext(_ from: UnsafeMutableRawPointer, _ to: UnsafeMutableRawPointer)

/// Saves the running kernel thread's context into `from` and resumes `to`.
func switch_context(_ from: UnsafeMutablePointer<KernelContext>, _ to: UnsafeMutablePointer<KernelContext>) {
    switchContext(UnsafeMutableRawPointer(from), UnsafeMutableRawPointer(to))
}

/// Switch.S: runs `function(argument)` with the stack pointer at `stackTop`.
@_extern(c, "call_on_stack")
func callOnStack(_ argument: UInt64, _ function: UnsafeRawPointer, _ stackTop: UnsafeMutableRawPointer) -> UInt64
