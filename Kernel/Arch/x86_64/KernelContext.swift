/// A kernel thread's callee-saved registers while it is switched out, and
/// where it resumes: rip, rsp, rbx, rbp, r12-r15, in the order switch.S
/// stores them.
struct KernelContext {
    var rip: UInt64 = 0
    var rsp: UInt64 = 0
    var rbx: UInt64 = 0
    var rbp: UInt64 = 0
    var r12: UInt64 = 0
    var r13: UInt64 = 0
    var r14: UInt64 = 0
    var r15: UInt64 = 0
}

/// switch.S; raw pointers because a C declaration cannot name a Swift struct.
@_extern(c, "switch_context")
func switchContext(_ from: UnsafeMutableRawPointer, _ to: UnsafeMutableRawPointer)

/// Saves the running kernel thread's context into `from` and resumes `to`.
func switch_context(_ from: UnsafeMutablePointer<KernelContext>, _ to: UnsafeMutablePointer<KernelContext>) {
    switchContext(UnsafeMutableRawPointer(from), UnsafeMutableRawPointer(to))
}

/// switch.S: runs `function(argument)` with the stack pointer at `stackTop`.
@_extern(c, "call_on_stack")
func callOnStack(_ argument: UInt64, _ function: UnsafeRawPointer, _ stackTop: UnsafeMutableRawPointer) -> UInt64

/// switch.S: the word where `call_on_stack` keeps the stack pointer it left.
@_extern(c, "swiftlet_x86_call_on_stack_left_address")
func callOnStackLeftAddress() -> UnsafeMutablePointer<UInt64>

/// The address of a C-callable function, for contexts and MSRs.
func functionAddress(_ function: @convention(c) () -> Void) -> UInt64 {
    UInt64(UInt(bitPattern: unsafeBitCast(function, to: UnsafeRawPointer.self)))
}
