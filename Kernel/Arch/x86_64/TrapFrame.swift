/// What vectors.S leaves on the stack for every interrupt and exception,
/// lowest address first: the general registers it pushed (r15 last, so
/// first here), the vector number and error code (0 when the processor gives
/// none), then what the processor pushed. vectors.S restores everything from
/// here before `iretq`, so a handler changes where execution resumes by
/// changing `rip`.
struct TrapFrame {
    var r15: UInt64
    var r14: UInt64
    var r13: UInt64
    var r12: UInt64
    var r11: UInt64
    var r10: UInt64
    var r9: UInt64
    var r8: UInt64
    var rbp: UInt64
    var rdi: UInt64
    var rsi: UInt64
    var rdx: UInt64
    var rcx: UInt64
    var rbx: UInt64
    var rax: UInt64
    var vector: UInt64
    var errorCode: UInt64
    var rip: UInt64
    var cs: UInt64
    var rflags: UInt64
    var rsp: UInt64
    var ss: UInt64

    /// The size vectors.S assumes (22 slots).
    static let expectedSize = 176

    /// True when the interrupted code ran in user mode (CS's privilege level 3).
    var fromUserMode: Bool { cs & 3 == 3 }
}
