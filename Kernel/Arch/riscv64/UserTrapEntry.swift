/// usertrap: where uservec (Trampoline.S) jumps, on the process's kernel
/// stack with the kernel page table, after saving the user registers in the
/// trap frame. Classifies the trap, lets the portable kernel handle it, and
/// returns to user mode (usertrapret), possibly in another process.
@_cdecl("swiftlet_user_trap")
func userTrapEntry() {
    // Traps from here on are kernel traps.
    writeStvec(kernelTrapVectorAddress())
    let frame = RiscV64.userFrame(Processes.current)
    frame.pointee.userPC = readSepc()
    let scause = readScause()
    let cause: TrapCause
    if scause & scauseInterruptBit != 0 {
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

/// A new process's first switch lands here (its context's ra): leave for
/// user mode through the same path as every trap return.
@_cdecl("swiftlet_process_first_run")
func processFirstRun() {
    RiscV64.returnToUser()
}
