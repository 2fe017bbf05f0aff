/// What vectors.S leaves on the stack for every interrupt and exception,
/// lowest address first: the interrupted segment state (FS and GS bases, the
/// ds, es, fs and gs selectors), the general registers, the vector number
/// and error code (0 when the processor gives none), then what the processor
/// pushed. frame.h states the offsets; the boot check (FrameLayoutCheck)
/// holds this struct to them. vectors.S restores everything from here before
/// `iretq`, so a handler changes where execution resumes by changing `rip`.
/// For a process, all of it is the saved user state: cs and ss as well as
/// the segment selectors and bases go back exactly as they were taken.
struct TrapFrame {
    var fsBase: UInt64
    var gsBase: UInt64
    var ds: UInt64
    var es: UInt64
    var fs: UInt64
    var gs: UInt64
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

    /// True when the interrupted code ran in user mode (CS's privilege level 3).
    var fromUserMode: Bool { cs & 3 == 3 }
}

/// A process's saved user registers are a TrapFrame at the top of its kernel
/// stack (syscall.S), whether it entered by `syscall` or by an interrupt.
/// System calls: number in rax, arguments in rdi, rsi, rdx, r10, r8, r9,
/// result in rax.
extension TrapFrame: UserRegisterFile {
    var syscallNumber: UInt64 { rax }

    func argument(_ index: Int) -> UInt64 {
        switch index {
        case 0: return rdi
        case 1: return rsi
        case 2: return rdx
        case 3: return r10
        case 4: return r8
        case 5: return r9
        default: return 0
        }
    }

    var result: UInt64 {
        get { rax }
        set { rax = newValue }
    }
    var programCounter: UInt64 {
        get { rip }
        set { rip = newValue }
    }
    var stackPointer: UInt64 {
        get { rsp }
        set { rsp = newValue }
    }

    /// `syscall` saved the address after itself (in rcx, now `rip`): nothing to do.
    mutating func advancePastSystemCall() {}

    /// argc in rdi and argv in rsi, as the user's `_start` expects them.
    mutating func start(entry: VirtualAddress, stack: VirtualAddress, argc: UInt64, argv: VirtualAddress) {
        self = TrapFrame(
            fsBase: 0, gsBase: 0, ds: 0, es: 0, fs: 0, gs: 0, r15: 0, r14: 0, r13: 0, r12: 0, r11: 0, r10: 0, r9: 0, r8: 0, rbp: 0,
            rdi: argc, rsi: argv.raw, rdx: 0, rcx: 0, rbx: 0, rax: 0,
            vector: 0, errorCode: 0, rip: entry.raw, cs: UInt64(Descriptors.userCode),
            rflags: TrapFrame.userFlagsFixed, rsp: stack.raw, ss: UInt64(Descriptors.userData))
    }

    /// RFLAGS bits a user program may set: carry, parity, adjust, zero, sign,
    /// direction and overflow. The rest (IOPL, trap, nested task, ...) come
    /// from the kernel: the saved value is the user's r11 after a system call.
    static let userFlagsAllowed: UInt64 = 0xCD5
    /// Interrupts on, and bit 1, which is always set.
    static let userFlagsFixed: UInt64 = rflagsInterruptsEnabled | 0x2

    /// Makes the frame safe to return to user mode with: harmless flags, and
    /// segments a user program could have loaded itself. Only the 64-bit
    /// user code segment exists for it (Descriptors), so any other cs or ss
    /// means the frame was damaged; a data selector outside the user's set
    /// becomes null. The saved bases came from the MSRs, so they are
    /// canonical (a wrmsr of anything else would fault in the kernel). The
    /// GS base must also be a lower-half address: the entry code tells the
    /// user's GS base from the kernel's (a CPU record, upper half) by its
    /// sign bit (vectors.S).
    mutating func sanitizeForUser() {
        cs = UInt64(Descriptors.userCode)
        ss = UInt64(Descriptors.userData)
        rflags = rflags & TrapFrame.userFlagsAllowed | TrapFrame.userFlagsFixed
        ds = Descriptors.userLoadable(ds) ? ds : 0
        es = Descriptors.userLoadable(es) ? es : 0
        fs = Descriptors.userLoadable(fs) ? fs : 0
        gs = Descriptors.userLoadable(gs) ? gs : 0
        if !X86_64.addressRule.allows(fsBase) { fsBase = 0 }
        if !X86_64.addressRule.allows(gsBase) || gsBase >= TrapFrame.lowerHalfEnd { gsBase = 0 }
    }

    /// The first address above the lower canonical half.
    static let lowerHalfEnd: UInt64 = 1 << 47

    /// `iretq` to a non-canonical rip faults in kernel mode on Intel and AMD
    /// processors (the fault's frame is the kernel's, at iretq): a `syscall`
    /// in the last bytes below 0x0000_8000_0000_0000 returns to such an
    /// address. X86_64.returnToUser kills the process instead.
    var returnsToCanonicalAddress: Bool { X86_64.addressRule.allows(rip) }
}
