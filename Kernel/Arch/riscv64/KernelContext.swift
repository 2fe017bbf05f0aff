/// A kernel thread's callee-saved registers while it is switched out:
/// ra, sp, s0-s11, in the order Switch.S stores them.
struct KernelContext {
    var ra: UInt64 = 0
    var sp: UInt64 = 0
    var saved: InlineArray<12, UInt64> = .init(repeating: 0)
}

/// Saves the running kernel thread's context into `from` and resumes `to`.
@_extern(c, "switch_context")
func switch_context(_ from: UnsafeMutablePointer<KernelContext>, _ to: UnsafeMutablePointer<KernelContext>)
