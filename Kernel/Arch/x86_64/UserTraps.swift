@_extern(c, "swiftlet_x86_system_call_entry_address") func systemCallEntryAddress() -> UInt64
@_extern(c, "swiftlet_x86_compatibility_system_call_entry_address") func compatibilitySystemCallEntryAddress() -> UInt64
@_extern(c, "swiftlet_x86_process_stack_top_address") func processStackTopAddress() -> UnsafeMutablePointer<UInt64>

/// System calls and other traps from user mode. A process enters the kernel
/// with `syscall` (syscall.S builds its TrapFrame at the top of the process
/// kernel stack) or by an interrupt or exception (the processor switches to
/// TSS.RSP0, the same top, and vectors.S builds the frame there; a page
/// fault arrives on its IST stack instead and its frame is moved there).
/// Either way the portable kernel handles the trap and the process leaves
/// through `returnToUser`, which restores that frame.
enum SystemCallEntry {
    /// RFLAGS bits `syscall` clears: interrupts (the entry must not be
    /// interrupted before it is on the kernel stack), trap, direction,
    /// nested task, alignment check.
    static let maskedFlags: UInt64 = 1 << 9 | 1 << 8 | 1 << 10 | 1 << 14 | 1 << 18

    /// Turns `syscall` on. STAR (segments) is set with the GDT. CSTAR, where
    /// `syscall` from a 32-bit code segment goes, kills the caller: left 0,
    /// it would run ring 0 at address 0, the user's own memory. SYSENTER_CS
    /// 0 makes `sysenter` fault (#GP, or #UD where the processor has no
    /// `sysenter` in long mode) whatever the firmware left there.
    static func install() {
        processStackTopAddress().pointee = ProcessKernelStack.top
        writeMSR(MSR.lstar, systemCallEntryAddress())
        writeMSR(MSR.cstar, compatibilitySystemCallEntryAddress())
        writeMSR(MSR.sysenterCS, 0)
        writeMSR(MSR.sysenterESP, 0)
        writeMSR(MSR.sysenterEIP, 0)
        writeMSR(MSR.flagMask, maskedFlags)
        writeMSR(MSR.efer, readMSR(MSR.efer) | eferSystemCallEnable)
        // User programs may use x87 and SSE: each process's registers are
        // saved and loaded by FloatingPointStates (the kernel uses neither).
        X86_64.enableFloatingPoint()
    }
}

/// syscall.S jumps here with the frame at the top of the process kernel stack.
@_cdecl("swiftlet_x86_system_call")
func x86SystemCall(_ frame: UnsafeMutableRawPointer) {
    UserTrap.handle(.systemCall)
    X86_64.returnToUser()
}

/// CSTAR's entry (syscall.S): a `syscall` from a 32-bit code segment. The
/// process is killed with the usual report, at the instruction after it.
@_cdecl("swiftlet_x86_compatibility_system_call")
func x86CompatibilitySystemCall(_ frame: UnsafeMutableRawPointer) {
    let pc = VirtualAddress(frame.assumingMemoryBound(to: TrapFrame.self).pointee.rip)
    UserTrap.handle(.fault(.named("system call from 32-bit mode"), address: pc, pc: pc))
    X86_64.returnToUser()
}

enum UserTraps {
    /// An interrupt or exception from user mode (`x86Trap` found CS at
    /// privilege 3; NMIs never get here, machine checks only when the
    /// process can be killed and the kernel go on). Moves the frame to the
    /// process kernel stack's top if it arrived on an IST stack (page fault,
    /// machine check), then handles it there. Never returns.
    static func enter(_ frame: UnsafeMutablePointer<TrapFrame>, handlerStack: UInt64) -> Never {
        let vector = frame.pointee.vector
        if vector == Vector.doubleFault { Fault.report(frame, handlerStack: handlerStack) }
        if vector == Vector.pageFault { CPUs.this.pointee.faultAddress = readCR2() }
        let home = ProcessKernelStack.userFrame
        if UInt64(UInt(bitPattern: frame)) == home { handle(frame) }
        // An IST stack (the page fault's): copy the frame home and continue
        // on the process kernel stack; the IST stack is left as it is.
        guard let target = UnsafeMutablePointer<TrapFrame>(bitPattern: UInt(home)) else { kernelPanic("no process kernel stack") }
        target.pointee = frame.pointee
        runOnStack(home, userTrapAtHome, 0)
        kernelPanic("user trap returned")
    }

    static func handle(_ frame: UnsafeMutablePointer<TrapFrame>) -> Never {
        let vector = frame.pointee.vector
        let pc = VirtualAddress(frame.pointee.rip)
        let cause: TrapCause
        switch vector {
        case Vector.timer:
            X86_64.serveTimer()
            cause = .timer
        case Vector.crossCPU:
            X86_64.serveCrossCPUInterrupt()
            cause = .device
        case Vector.serial:
            while let byte = X86_64.serial.receivedByte() { ConsoleInput.received(byte) }
            ConsoleInput.interruptHandled()
            LocalAPIC.endOfInterrupt()
            cause = .device
        case Vector.disk:
            Disk.interrupt()
            LocalAPIC.endOfInterrupt()
            cause = .device
        case Vector.spurious:
            cause = .device
        case Vector.legacyPICBase..<Vector.legacyPICBase + 16:
            if vector == Vector.legacyPICBase + 15 { outb(0x20, 0x20) }
            cause = .device
        case Vector.pageFault:
            let address = VirtualAddress(CPUs.this.pointee.faultAddress)
            let code = frame.pointee.errorCode
            // Error code: bit 1 write, bit 4 instruction fetch.
            let kind: FaultKind = code & 16 != 0 ? .execute : (code & 2 != 0 ? .write : .read)
            cause = .fault(kind, address: address, pc: pc)
        case 6:  // invalid opcode
            cause = .fault(.illegalInstruction, address: pc, pc: pc)
        case 17:  // alignment check
            cause = .fault(.misaligned, address: pc, pc: pc)
        case Vector.breakpoint:
            cause = .fault(.breakpoint, address: pc, pc: pc)
        case 0..<32:
            cause = .fault(.named(Fault.exceptionName(vector)), address: pc, pc: pc)
        default:
            cause = .fault(.other(vector), address: pc, pc: pc)
        }
        UserTrap.handle(cause)
        X86_64.returnToUser()
    }
}

/// `UserTraps.handle` on the process kernel stack, below the frame.
@_cdecl("swiftlet_x86_user_trap_at_home")
func userTrapAtHome(_ unused: UInt64) {
    UserTraps.handle(UnsafeMutablePointer<TrapFrame>(bitPattern: UInt(ProcessKernelStack.userFrame))!)
}
