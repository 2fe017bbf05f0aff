/// Why a process entered the kernel, in architecture-neutral terms.
enum TrapCause {
    case systemCall
    case timer
    /// A device interrupt the architecture has already serviced.
    case device
    case fault(FaultKind, address: VirtualAddress, pc: VirtualAddress)
}

/// The user-mode faults the kernel reports by name.
enum FaultKind {
    case read
    case write
    case execute
    case illegalInstruction
    case misaligned
    case breakpoint
    /// A lazy or copy-on-write page needed a frame and none was left.
    case outOfMemory
    case other(UInt64)
    /// A fault only one architecture has, by the name its manuals give it
    /// ("general protection", "segment not present", "machine check"), or a
    /// return the kernel refused ("non-canonical return address").
    case named(StaticString)

    /// What waitinfo tells the parent of a process this fault killed.
    var ending: (cause: EndCause, detail: UInt32) {
        switch self {
        case .read: return (.readFault, 0)
        case .write: return (.writeFault, 0)
        case .execute: return (.executeFault, 0)
        case .illegalInstruction: return (.illegalInstruction, 0)
        case .misaligned: return (.misaligned, 0)
        case .breakpoint: return (.breakpoint, 0)
        case .outOfMemory: return (.outOfMemory, 0)
        case .other(let code): return (.exception, UInt32(truncatingIfNeeded: code))
        case .named: return (.exception, 0)
        }
    }

    var description: StaticString {
        switch self {
        case .read: return "read fault"
        case .write: return "write fault"
        case .execute: return "instruction fetch fault"
        case .illegalInstruction: return "illegal instruction"
        case .misaligned: return "misaligned access"
        case .breakpoint: return "breakpoint"
        case .outOfMemory: return "page fault with no free frame"
        case .other: return "exception"
        case .named(let name): return name
        }
    }
}

/// The portable half of a trap from user mode: the architecture saves the
/// registers, classifies the trap and calls `handle`; when it returns, the
/// architecture resumes the current process (which may be another one).
enum UserTrap {
    /// A fault being reported, handed to `report` on the scratch stack by
    /// address (it stays on the faulting process's kernel stack: the scratch
    /// stack may be busy, and the process waits for it).
    struct FaultReport {
        var kind: FaultKind
        var address: VirtualAddress
        var pc: VirtualAddress
        var slot: Int
    }

    static func handle(_ cause: TrapCause) {
        let slot = Processes.current
        switch cause {
        case .systemCall:
            let frame = UserFrames.of(slot)
            frame.pointee.advancePastSystemCall()
            if Processes.slots[slot].killed { Lifecycle.exit(status: -1) }
            Syscalls.dispatch(frame)
        case .timer:
            if !Processes.slots[slot].killed { Scheduler.yield() }
        case .device:
            break
        case .fault(let kind, let address, let pc):
            guard !resolve(kind, at: address, slot: slot) else { break }
            kill(slot, for: kind, at: address, pc: pc)
        }
        if Processes.slots[slot].killed { Lifecycle.exit(status: -1) }
    }

    /// Resolves a read or write fault on a lazy or copy-on-write page (the
    /// process then retries the access); false when the fault is the
    /// program's own, or kills the process when the page needs a frame and
    /// none is left. The return to user mode flushes the TLB.
    static func resolve(_ kind: FaultKind, at address: VirtualAddress, slot: Int) -> Bool {
        let write: Bool
        switch kind {
        case .read: write = false
        case .write: write = true
        default: return false
        }
        do throws(MapError) {
            return try Processes.slots[slot].space!.resolveFault(at: address, write: write)
        } catch {
            kill(slot, for: .outOfMemory, at: address, pc: VirtualAddress(UserFrames.of(slot).pointee.programCounter))
            return true
        }
    }

    /// Reports the fault in one line and marks the process killed; it exits
    /// on its way out of the kernel.
    static func kill(_ slot: Int, for kind: FaultKind, at address: VirtualAddress, pc: VirtualAddress) {
        var fault = FaultReport(kind: kind, address: address, pc: pc, slot: slot)
        _ = withUnsafeMutablePointer(to: &fault) { ScratchStack.run(reportFaultEntry, UInt64(UInt(bitPattern: $0))) }
        let (cause, detail) = kind.ending
        Processes.slots[slot].ending = ProcessEnding(cause: cause, detail: detail, address: address.raw, pc: pc.raw)
        Processes.slots[slot].killed = true
    }

    /// One line that says who died, why, where, and what is there:
    /// `pid 5 (memtest): write fault at 0x3fffffe000 pc 0x1a4 [trap frame]: killed`
    static func report(_ kind: FaultKind, address: VirtualAddress, pc: VirtualAddress, slot: Int) {
        Console.write("pid ")
        Console.write(decimal: UInt64(Processes.slots[slot].pid))
        Console.write(" (")
        Console.writeName(Processes.slots[slot].name)
        Console.write("): ")
        Console.write(kind.description)
        if case .other(let code) = kind {
            Console.write(" ")
            Console.write(decimal: code)
        }
        Console.write(" at ")
        Console.write(hex: address.raw)
        Console.write(" pc ")
        Console.write(hex: pc.raw)
        Console.write(" [")
        ProcessMemoryMap.describe(address, slot: slot)
        Console.line("]: killed")
    }
}

/// `UserTrap.report` on the scratch stack: naming the region reads the
/// process's image layout and the layout table, kilobytes each.
@_cdecl("swiftlet_report_fault")
func reportFaultEntry(_ faultAddress: UInt64) -> Int64 {
    let fault = UnsafePointer<UserTrap.FaultReport>(bitPattern: UInt(faultAddress)).unsafelyUnwrapped.pointee
    UserTrap.report(fault.kind, address: fault.address, pc: fault.pc, slot: fault.slot)
    return 0
}
