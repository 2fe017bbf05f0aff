/// Traps taken while the kernel runs (trap.S saved the registers in
/// `frame`): timer and device interrupts are served and execution resumes;
/// a breakpoint a self-check expects is stepped over; any other exception
/// is a kernel bug, reported and fatal.
@_cdecl("swiftlet_kernel_trap")
func kernelTrap(_ savedFrame: UnsafeMutableRawPointer) {
    // A raw pointer because @_cdecl cannot name a Swift struct.
    let frame = savedFrame.assumingMemoryBound(to: TrapFrame.self)
    let cause = readScause()
    if frame.pointee.sstatus & Sstatus.previousPrivilegeSupervisor == 0 {
        reportTrap("kernel trap vector entered from user mode", cause: cause, frame: frame)
    }
    if cause & scauseInterruptBit != 0 {
        switch cause & ~scauseInterruptBit {
        case InterruptCode.supervisorTimer:
            SupervisorTimer.interrupt()
        case InterruptCode.supervisorExternal:
            RiscV64.serveDeviceInterrupts()
        case InterruptCode.supervisorSoftware:
            RiscV64.serveSoftwareInterrupt()
        default:
            reportTrap("unexpected interrupt in kernel mode", cause: cause, frame: frame)
        }
        return
    }
    if cause == ExceptionCode.loadPageFault && FaultProbe.catchFault(frame, cause: cause) { return }
    if cause == ExceptionCode.breakpoint,
        TrapProbe.catchBreakpoint(cause: cause, address: frame.pointee.sepc)
    {
        frame.pointee.sepc += instructionLength(at: frame.pointee.sepc)
        return
    }
    reportTrap("exception in kernel mode", cause: cause, frame: frame)
}

/// 2 for a compressed instruction, 4 otherwise: the low two bits of the
/// first halfword are 0b11 only for 32-bit (and longer) instructions.
private func instructionLength(at address: UInt64) -> UInt64 {
    firstHalfword(at: address) & 0b11 == 0b11 ? 4 : 2
}

private func firstHalfword(at address: UInt64) -> UInt16 {
    UnsafePointer<UInt16>(bitPattern: UInt(address))!.pointee
}

private func reportTrap(_ message: StaticString, cause: UInt64, frame: UnsafeMutablePointer<TrapFrame>) -> Never {
    Console.newline()
    Console.write("kernel trap: ")
    Console.write(trapName(cause))
    Console.write(" scause=")
    Console.write(hex: cause)
    Console.write(" sepc=")
    Console.write(hex: frame.pointee.sepc)
    Console.write(" stval=")
    Console.write(hex: readStval())
    Console.write(" sp=")
    Console.write(hex: frame.pointee.registers[2])
    Console.newline()
    if cause == ExceptionCode.loadPageFault || cause == ExceptionCode.storePageFault,
        GuardedStacks.reportGuard(VirtualAddress(readStval()))
    {
        kernelPanic("kernel stack overflow")
    }
    if cause == ExceptionCode.illegalInstruction && firstHalfword(at: frame.pointee.sepc) == 0 {
        // Swift's runtime checks (overflow, nil unwrap, bounds, precondition)
        // compile to `unimp`, the all-zero instruction.
        Console.line("(an `unimp`: a Swift runtime check failed; llvm-symbolizer names sepc)")
    }
    kernelPanic(message)
}

/// The privileged specification's name for a cause.
private func trapName(_ cause: UInt64) -> StaticString {
    if cause & scauseInterruptBit != 0 {
        switch cause & ~scauseInterruptBit {
        case 1: return "supervisor software interrupt"
        case 5: return "supervisor timer interrupt"
        case 9: return "supervisor external interrupt"
        default: return "interrupt"
        }
    }
    switch cause {
    case 0: return "instruction address misaligned"
    case 1: return "instruction access fault"
    case 2: return "illegal instruction"
    case 3: return "breakpoint"
    case 4: return "load address misaligned"
    case 5: return "load access fault"
    case 6: return "store address misaligned"
    case 7: return "store access fault"
    case 8: return "environment call from user mode"
    case 9: return "environment call from supervisor mode"
    case 12: return "instruction page fault"
    case 13: return "load page fault"
    case 15: return "store page fault"
    default: return "exception"
    }
}
