/// Every interrupt and exception lands here (vectors.S built `frame` on the
/// stack). An NMI is logged and execution goes on, wherever it was; a
/// machine check kills the process it interrupted when the processor says
/// that is enough, else panics. Traps from user mode go to `UserTraps`. In kernel mode the timer
/// and the serial port are served and execution resumes; a breakpoint a
/// self-check expects is stepped over; any other exception is a kernel bug,
/// reported and fatal.
@_cdecl("swiftlet_x86_trap")
func x86Trap(_ savedFrame: UnsafeMutableRawPointer) {
    // A raw pointer because @_cdecl cannot name a Swift struct.
    let frame = savedFrame.assumingMemoryBound(to: TrapFrame.self)
    let vector = frame.pointee.vector
    if vector == Vector.nonMaskable {
        NonMaskableInterrupt.taken(frame)
        return
    }
    if vector == Vector.machineCheck && !MachineCheck.recoverable(frame) { MachineCheck.fatal(frame) }
    if frame.pointee.fromUserMode {
        UserTraps.enter(frame, handlerStack: UInt64(UInt(bitPattern: savedFrame)))
    }
    switch vector {
    case Vector.timer:
        X86_64.serveTimer()
    case Vector.crossCPU:
        X86_64.serveCrossCPUInterrupt()
    case Vector.serial:
        while let byte = X86_64.serial.receivedByte() { ConsoleInput.received(byte) }
        ConsoleInput.interruptHandled()
        LocalAPIC.endOfInterrupt()
    case Vector.disk:
        Disk.interrupt()
        LocalAPIC.endOfInterrupt()
    case Vector.spurious:
        // Needs no end-of-interrupt.
        break
    case Vector.legacyPICBase..<Vector.legacyPICBase + 16:
        // Only the masked PICs' spurious IRQ 7 or 15 can get here; the
        // secondary's also needs the primary told it is done.
        if vector == Vector.legacyPICBase + 15 { outb(0x20, 0x20) }
    case Vector.breakpoint where TrapProbe.catchBreakpoint(cause: vector, address: frame.pointee.rip &- 1):
        // `int3` is a trap: RIP already points past it.
        break
    case Vector.pageFault where FaultProbe.catchFault(frame):
        break
    default:
        Fault.report(frame, handlerStack: UInt64(UInt(bitPattern: savedFrame)))
    }
}

/// Fatal traps: one report with everything needed to find the cause, then
/// a panic. A page fault (or the double fault one leads to) on a kernel
/// stack's guard page is named for what it is: a kernel stack overflow.
enum Fault {
    static func report(_ frame: UnsafeMutablePointer<TrapFrame>, handlerStack: UInt64) -> Never {
        let vector = frame.pointee.vector
        let isPageFault = vector == Vector.pageFault
        let cr2 = readCR2()
        let table = X86_64.kernelLayout

        Console.newline()
        Console.write("kernel trap: ")
        Console.write(exceptionName(vector))
        Console.write(" (vector ")
        Console.write(decimal: vector)
        Console.write(") error=")
        Console.write(hex: frame.pointee.errorCode)
        if isPageFault { writePageFaultCause(frame.pointee.errorCode) }
        Console.newline()
        Console.write("  rip=")
        Console.write(hex: frame.pointee.rip)
        Console.write(" in ")
        writeRegion(table, frame.pointee.rip)
        Console.write(", rsp=")
        Console.write(hex: frame.pointee.rsp)
        Console.write(", cs=")
        Console.write(hex: frame.pointee.cs)
        Console.write(", rflags=")
        Console.write(hex: frame.pointee.rflags)
        Console.newline()
        Console.write("  cr2=")
        Console.write(hex: cr2)
        if isPageFault || vector == Vector.doubleFault {
            // The faulting address (for a double fault, the page fault's
            // that led to it, if one did).
            Console.write(" in ")
            writeRegion(table, cr2)
        } else {
            Console.write(" (the last page fault's, not this trap's)")
        }
        Console.newline()
        Console.write("  handled on ")
        writeHandlerStack(handlerStack)
        Console.newline()

        if vector == 6 && isUndefinedInstruction(frame.pointee.rip) {
            // Swift's runtime checks (overflow, nil unwrap, bounds,
            // precondition) compile to `ud2`.
            Console.line("  (a `ud2`: a Swift runtime check failed; llvm-symbolizer names rip)")
        }
        let otherCPUGuard = CPUStacks.guardOwner(cr2)
        let overflow =
            (isPageFault || vector == Vector.doubleFault) && !frame.pointee.fromUserMode
            && (isKernelStackGuard(table, cr2) || otherCPUGuard != nil)
        if overflow {
            if let stacks = table.region(named: "interrupt stacks"), stacks.range.contains(VirtualAddress(cr2)) {
                Console.write("  the guard page below ")
                Console.line(InterruptStacks.name(ofSlot: (cr2 - stacks.range.start.raw) / stacks.slotBytes))
            } else if let owner = otherCPUGuard {
                Console.write("  the guard page below cpu ")
                Console.write(decimal: UInt64(owner.cpu))
                Console.write("'s ")
                Console.line(InterruptStacks.name(ofSlot: UInt64(owner.slot)))
            }
            kernelPanic("kernel stack overflow")
        }
        if frame.pointee.fromUserMode { kernelPanic("fatal trap from user mode") }
        kernelPanic(vector < 32 ? "exception in kernel mode" : "unexpected interrupt vector")
    }

    /// True for a guard page of kernel (not user) memory: a kernel or
    /// interrupt stack's guard.
    private static func isKernelStackGuard(_ table: LayoutTable, _ address: UInt64) -> Bool {
        guard let region = table.region(containing: VirtualAddress(address)) else { return false }
        return region.owner != .user && region.isGuard(VirtualAddress(address))
    }

    private static func writeRegion(_ table: LayoutTable, _ address: UInt64) {
        guard let region = table.region(containing: VirtualAddress(address)) else {
            Console.write(X86_64.addressRule.allows(address) ? "no layout region" : "no layout region (not canonical)")
            return
        }
        Console.write(region.name)
        if region.isGuard(VirtualAddress(address)) {
            if region.slots != nil {
                Console.write(" (guard page of slot ")
                Console.write(decimal: (address - region.range.start.raw) / region.slotBytes)
                Console.write(")")
            } else {
                Console.write(" (guard page)")
            }
        }
    }

    /// Which stack the handler runs on: an interrupt-stack-table entry
    /// (the frame lies just below its top) or the interrupted stack.
    private static func writeHandlerStack(_ stack: UInt64) {
        if let index = InterruptStacks.istEntry(containing: stack) {
            Console.write("IST")
            Console.write(decimal: UInt64(index))
            Console.write(" (the ")
            Console.write(istName(index))
            Console.write(" stack, top ")
            Console.write(hex: Descriptors.interruptStack(index))
            Console.write(")")
        } else {
            Console.write("the interrupted stack (")
            Console.write(hex: stack)
            Console.write(")")
        }
    }

    private static func istName(_ index: Int) -> StaticString {
        switch index {
        case InterruptStackIndex.doubleFault: return "double-fault"
        case InterruptStackIndex.nonMaskable: return "NMI"
        case InterruptStackIndex.machineCheck: return "machine-check"
        case InterruptStackIndex.pageFault: return "page-fault"
        default: return "interrupt"
        }
    }

    private static func writePageFaultCause(_ code: UInt64) {
        Console.write(code & 1 != 0 ? " (protection violation" : " (page not present")
        Console.write(code & 2 != 0 ? ", write" : ", read")
        if code & 16 != 0 { Console.write(", instruction fetch") }
        Console.write(code & 4 != 0 ? ", user mode" : ", kernel mode")
        if code & 8 != 0 { Console.write(", reserved bit set") }
        Console.write(")")
    }

    /// `ud2` is 0F 0B.
    private static func isUndefinedInstruction(_ address: UInt64) -> Bool {
        guard X86_64.kernelLayout.region(named: "kernel text")?.range.contains(VirtualAddress(address)) == true,
            let bytes = UnsafePointer<UInt8>(bitPattern: UInt(address))
        else { return false }
        return bytes[0] == 0x0F && bytes[1] == 0x0B
    }

    /// The names the processor manuals give vectors 0-31.
    static func exceptionName(_ vector: UInt64) -> StaticString {
        switch vector {
        case 0: return "divide error"
        case 1: return "debug"
        case 2: return "non-maskable interrupt"
        case 3: return "breakpoint"
        case 4: return "overflow"
        case 5: return "bound range exceeded"
        case 6: return "invalid opcode"
        case 7: return "device not available"
        case 8: return "double fault"
        case 9: return "coprocessor segment overrun"
        case 10: return "invalid TSS"
        case 11: return "segment not present"
        case 12: return "stack-segment fault"
        case 13: return "general protection"
        case 14: return "page fault"
        case 16: return "x87 floating-point error"
        case 17: return "alignment check"
        case 18: return "machine check"
        case 19: return "SIMD floating-point exception"
        case 20: return "virtualization exception"
        case 21: return "control protection"
        case 28: return "hypervisor injection"
        case 29: return "VMM communication"
        case 30: return "security exception"
        case 0..<32: return "reserved exception"
        default: return "interrupt"
        }
    }
}
