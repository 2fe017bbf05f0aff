@_extern(c, "swiftlet_x86_probe_read") func probeReadInstruction(_ address: UInt64) -> UInt64
@_extern(c, "swiftlet_x86_probe_read_instruction_address") func probeReadInstructionAddress() -> UInt64
@_extern(c, "swiftlet_x86_probe_read_resume_address") func probeReadResumeAddress() -> UInt64
@_extern(c, "swiftlet_x86_probe_call") func probeCallInstruction(_ address: UInt64)

/// The processor's own guards against a kernel that is tricked into using
/// user memory, and against user programs reading kernel addresses:
/// - SMEP: the kernel never executes a user page (a fetch faults);
/// - SMAP: the kernel never reads or writes a user page (it copies user
///   memory through the direct map, after walking the process's page table,
///   so it needs no `stac`/`clac` window at all);
/// - UMIP: `sgdt`, `sidt`, `sldt`, `smsw` and `str` fault in user mode, so a
///   process cannot learn where the GDT or IDT lie.
/// Each is turned on where CPUID offers it (the Makefile's `-cpu` makes QEMU
/// offer all three); the boot log says which are on. CR4.MCE is set too, so
/// a machine check is reported as one instead of resetting the machine.
enum CPUProtections {
    private static let cr4UMIP: UInt64 = 1 << 11
    private static let cr4SMEP: UInt64 = 1 << 20
    private static let cr4SMAP: UInt64 = 1 << 21
    private static let cr4MachineCheck: UInt64 = 1 << 6

    /// What CPUID leaf 7 offers.
    struct Offered {
        var smep = false
        var smap = false
        var umip = false
    }

    static var offered: Offered {
        guard cpuid(0).eax >= 7 else { return Offered() }
        let leaf7 = cpuid(7, 0)
        return Offered(smep: leaf7.ebx & 1 << 7 != 0, smap: leaf7.ebx & 1 << 20 != 0, umip: leaf7.ecx & 1 << 2 != 0)
    }

    /// CPUID leaf 1 EDX: machine-check exception (bit 7) and architecture (bit 14).
    static var machineCheckOffered: Bool { cpuid(1).edx & (1 << 7 | 1 << 14) == (1 << 7 | 1 << 14) }

    static func enable() {
        let cpu = offered
        var cr4 = readCR4()
        if cpu.smep { cr4 |= cr4SMEP }
        if cpu.smap { cr4 |= cr4SMAP }
        if cpu.umip { cr4 |= cr4UMIP }
        if machineCheckOffered { cr4 |= cr4MachineCheck }
        writeCR4(cr4)
        if machineCheckOffered { MachineCheck.enableReporting() }
    }

    static var smepOn: Bool { readCR4() & cr4SMEP != 0 }
    static var smapOn: Bool { readCR4() & cr4SMAP != 0 }
    static var umipOn: Bool { readCR4() & cr4UMIP != 0 }

    static func log() {
        Console.write("protection   SMEP ")
        Console.write(smepOn ? "on" : "off (not offered)")
        Console.write(", SMAP ")
        Console.write(smapOn ? "on" : "off (not offered)")
        Console.write(", UMIP ")
        Console.write(umipOn ? "on" : "off (not offered)")
        Console.write(", machine checks ")
        Console.write(readCR4() & cr4MachineCheck != 0 ? "reported" : "off (not offered)")
        Console.line(" (CPUID leaves 1 and 7)")
    }
}

/// A page fault the self-checks cause on purpose, in kernel mode, at the
/// probe instructions of cpu.S: the trap handler records it and resumes
/// after the probe. Any other kernel fault stays fatal. Its state belongs
/// to the boot CPU while the check image's self-checks run (no process
/// yet); with SMP it would be per CPU.
enum FaultProbe {
    struct Record {
        let errorCode: UInt64
        let address: UInt64
    }

    nonisolated(unsafe) private static var armed = false
    nonisolated(unsafe) private static var record: Record? = nil

    /// Called by `x86Trap` for a kernel-mode page fault. A fault at the
    /// read probe resumes after it; one whose rip is the called user page
    /// (SMEP) returns to the probe's caller, as the `ret` there would.
    static func catchFault(_ frame: UnsafeMutablePointer<TrapFrame>) -> Bool {
        guard armed else { return false }
        let rip = frame.pointee.rip
        let address = readCR2()
        if rip == probeReadInstructionAddress() {
            frame.pointee.rip = probeReadResumeAddress()
        } else if rip == address && frame.pointee.errorCode & 16 != 0 {
            guard let stack = UnsafePointer<UInt64>(bitPattern: UInt(frame.pointee.rsp)) else { return false }
            frame.pointee.rip = stack.pointee
            frame.pointee.rsp += 8
        } else {
            return false
        }
        armed = false
        record = Record(errorCode: frame.pointee.errorCode, address: address)
        return true
    }

    /// Runs `body` with the probe armed; the fault it caught, if any.
    static func expectFault(_ body: () -> Void) -> Record? {
        record = nil
        armed = true
        body()
        armed = false
        let taken = record
        record = nil
        return taken
    }
}

/// The self-checks of the x86-64 protections, run in a throwaway address
/// space that holds one user page (a `ret` in it) besides the shared kernel.
enum CPUProtectionChecks {
    /// Kept in a global, never a local: see `startPaging`.
    nonisolated(unsafe) private static var probe: ProcessSpace? = nil
    private static let userPage: UInt64 = 0x40_0000

    /// SMEP, SMAP and UMIP are on (the check image's CPU offers them all).
    static func allOn() -> Bool {
        CPUProtections.smepOn && CPUProtections.smapOn && CPUProtections.umipOn
    }

    /// A kernel read of the user page faults: a protection violation, a
    /// read, in kernel mode, at the page's address.
    static func kernelReadOfUserPageFaults() -> Bool {
        withUserPage { page in
            let fault = FaultProbe.expectFault { _ = probeReadInstruction(page) }
            guard let fault else { return false }
            return fault.address == page && fault.errorCode & 0x1F == 0x01
        }
    }

    /// The kernel calling into the user page faults on the fetch.
    static func kernelCallOfUserPageFaults() -> Bool {
        withUserPage { page in
            let fault = FaultProbe.expectFault { probeCallInstruction(page) }
            guard let fault else { return false }
            return fault.address == page && fault.errorCode & 0x1F == 0x11
        }
    }

    /// Builds the address space, runs `body` on it with the page's address,
    /// and puts everything back (CR3, every frame).
    private static func withUserPage(_ body: (UInt64) -> Bool) -> Bool {
        let before = PhysicalFrames.freeFrames
        guard let range = VirtualRange(start: VirtualAddress(userPage), size: pageBytes) else { return false }
        var held = false
        do throws(MapError) {
            probe = try ProcessSpace(memory: Platform.physicalMemory, frames: PhysicalFrames.allocator, userWindow: Platform.userWindow)
            try probe!.linkShared(X86Paging.sharedKernelRange, atLevel: 2, from: KernelPaging.table!)
            try probe!.mapUserPages(range, permissions: .readWrite.union(.execute))
            guard let (root, page) = probePlacement(),
                let bytes = Platform.physicalMemory.pointer(to: page, count: pageBytes)
            else { throw .outOfMemory }
            bytes.storeBytes(of: 0xC3, as: UInt8.self)  // ret
            let kernelRoot = readCR3()
            writeCR3(root.raw)
            held = body(userPage)
            writeCR3(kernelRoot)
        } catch {
            held = false
        }
        probe = nil
        return held && PhysicalFrames.freeFrames == before
    }

    /// The probe space's root table and the frame of its user page.
    private static func probePlacement() -> (PhysicalAddress, PhysicalAddress)? {
        switch probe {
        case .some(let space):
            guard let translation = space.translate(VirtualAddress(userPage)) else { return nil }
            return (space.rootAddress, translation.physicalAddress)
        case .none:
            return nil
        }
    }

    /// Only the breakpoint gate may be used by `int` from ring 3: every
    /// other gate's privilege is 0 (so `int n` faults), each gate is an
    /// interrupt gate into the kernel code segment.
    static func interruptGatesClosedToUser() -> Bool {
        guard let idt = UnsafePointer<UInt64>(bitPattern: UInt(idtAddress())) else { return false }
        for vector in 0..<256 {
            let low = idt[2 * vector]
            let privilege = low >> 45 & 3
            let wanted: UInt64 = UInt64(vector) == Vector.breakpoint ? 3 : 0
            let type = low >> 40 & 0xF
            if privilege != wanted || type != 0xE || low >> 16 & 0xFFFF != UInt64(Descriptors.kernelCode) { return false }
        }
        return true
    }

    /// No descriptor ring 3 can load leads anywhere but the 64-bit user code
    /// and user data segments: the 32-bit user code is not present, kernel
    /// descriptors have privilege 0, and there is no call gate (no LDT is
    /// loaded at all).
    static func descriptorsClosedToUser() -> Bool {
        for index in 1..<Descriptors.count {
            let descriptor = Descriptors.descriptor(index)
            let present = descriptor >> 47 & 1 != 0
            let privilege = descriptor >> 45 & 3
            let system = descriptor >> 44 & 1 == 0
            let selector = UInt64(index * 8)
            if selector == UInt64(Descriptors.userCode32 & ~3) {
                if present { return false }
            } else if selector == UInt64(Descriptors.userData & ~3) || selector == UInt64(Descriptors.userCode & ~3) {
                if !present || privilege != 3 || system { return false }
            } else if selector == UInt64(Descriptors.taskState) {
                if privilege != 0 { return false }
                return true  // the TSS takes two slots: the last one is its upper half
            } else if privilege != 0 {
                return false
            }
        }
        return true
    }

    /// `syscall` from a 32-bit segment lands in the entry that kills the
    /// caller; `sysenter` has no code segment to load, so it faults.
    static func systemCallEntriesSet() -> Bool {
        readMSR(MSR.cstar) == compatibilitySystemCallEntryAddress() && readMSR(MSR.lstar) == systemCallEntryAddress()
            && readMSR(MSR.sysenterCS) == 0
    }
}
