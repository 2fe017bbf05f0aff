/// usertrap: where uservec (Trampoline.S) jumps, on the process's kernel
/// stack with the kernel page table, after saving the user registers in the
/// trap frame. Classifies the trap, lets the portable kernel handle it, and
/// returns to user mode (usertrapret), possibly in another process.
@_cdecl("swiftlet_user_trap")
func userTrapEntry() {
    // Traps from here on are kernel traps.
    writeStvec(TrapAddresses.kernelVector)
    let frame = UserFrames.of(Processes.current)
    frame.pointee.userPC = readSepc()
    let scause = readScause()
    let cause: TrapCause
    if scause == ExceptionCode.environmentCallFromUser {
        cause = .systemCall  // the most frequent trap: no stval, no classifying
    } else if scause & scauseInterruptBit != 0 {
        switch scause & ~scauseInterruptBit {
        case InterruptCode.supervisorTimer:
            SupervisorTimer.interrupt()
            cause = .timer
        case InterruptCode.supervisorExternal:
            RiscV64.serveDeviceInterrupts()
            cause = .device
        default:
            cause = .device
        }
    } else {
        cause = classifyException(scause, address: VirtualAddress(readStval()), pc: VirtualAddress(frame.pointee.userPC))
    }
    UserTrap.handle(cause)
    RiscV64.returnToUser()
}

/// Exception codes of the privileged specification, for traps from U-mode.
private func classifyException(_ code: UInt64, address: VirtualAddress, pc: VirtualAddress) -> TrapCause {
    switch code {
    case 8: return .systemCall  // environment call from U-mode
    case 1, 12: return .fault(.execute, address: address, pc: pc)  // instruction access / page fault
    case 5, 13: return .fault(.read, address: address, pc: pc)  // load access / page fault
    case 7, 15: return .fault(.write, address: address, pc: pc)  // store access / page fault
    case 2: return .fault(.illegalInstruction, address: pc, pc: pc)
    case 0, 4, 6: return .fault(.misaligned, address: address, pc: pc)
    case 3: return .fault(.breakpoint, address: pc, pc: pc)
    default: return .fault(.other(code), address: address, pc: pc)
    }
}

/// Addresses the trap path needs on every trap, computed once at boot
/// (`compute`, before the first process runs) instead of on every return.
enum TrapAddresses {
    /// The kernel's trap vector (stvec while in the kernel).
    nonisolated(unsafe) static var kernelVector: UInt64 = 0
    /// uservec and userret where every process sees them: in the trampoline
    /// page at the top of the address space.
    nonisolated(unsafe) static var userVector: UInt64 = 0
    nonisolated(unsafe) static var userReturn: UInt64 = 0
    /// Where uservec jumps: `userTrapEntry`.
    nonisolated(unsafe) static var userTrap: UInt64 = 0

    static func compute() {
        let trampolineBase = functionAddress(trampolineStartSymbol)
        kernelVector = kernelTrapVectorAddress()
        userVector = RiscV64Layout.trampoline + (functionAddress(uservecSymbol) - trampolineBase)
        userReturn = RiscV64Layout.trampoline + (functionAddress(userretSymbol) - trampolineBase)
        userTrap = functionAddress(userTrapEntry)
    }
}

/// A new process's first switch lands here (its context's ra): leave for
/// user mode through the same path as every trap return.
@_cdecl("swiftlet_process_first_run")
func processFirstRun() {
    Scheduler.firstRunBegins()
    RiscV64.returnToUser()
}
