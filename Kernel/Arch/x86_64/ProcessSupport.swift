@_extern(c, "swiftlet_x86_return_to_user") func returnToUserInstruction(_ frame: UInt64)

/// The process kernel stack of the Emerald layout: 256 KiB at the same
/// address in every process, each mapping frames of its own there, above an
/// unmapped guard page. Its top holds the process's saved user registers.
enum ProcessKernelStack {
    static var range: VirtualRange {
        VirtualRange(start: VirtualAddress(X86_64Layout.processKernelStack), size: X86_64Layout.processKernelStackSize)!
    }
    static var top: UInt64 { X86_64Layout.processKernelStackTop }
    /// Where the user registers are (TSS.RSP0 and the system-call entry
    /// both start at `top`, so the frame lands here either way).
    static var userFrame: UInt64 { top - UInt64(MemoryLayout<TrapFrame>.size) }
}

/// The Emerald process model on x86-64: each process has its own PML4; the
/// kernel's top 2 GiB are two page directories every process links to; the
/// process-specific kernel region holds the process's own kernel stack; the
/// user's stack, its guard and the read-only metadata page sit at the top
/// of user space.
extension X86_64: ProcessArchitecture {
    typealias Paging = X86_64FourLevel
    typealias UserFrame = TrapFrame

    static var largestKernelPage: PageSize { .size2M }
    static var elfMachine: ElfMachine { .x86_64 }

    /// The lower canonical half, and the upper half up to the end of the
    /// metadata page (the rest of user space up to the process-specific
    /// kernel region is never mapped).
    static var userWindow: UserWindow {
        UserWindow(
            VirtualRange(start: VirtualAddress(X86_64Layout.userFirst), end: VirtualAddress(X86_64Layout.userLowEnd))!,
            VirtualRange(start: VirtualAddress(X86_64Layout.userHighStart), end: VirtualAddress(X86_64Layout.processMetadataEnd))!)
    }

    static var processLayout: LayoutTable { X86_64Layout.table(imageParts) }

    static var userRules: UserRegionRules {
        do throws(UserLayoutError) {
            return try UserImageLayout.emeraldRules()
        } catch {
            kernelPanic("the Emerald user rules do not hold")
        }
    }

    @inline(__always)  // returned through a call, the layout is copied once more
    static func userImageLayout(for plan: LoadPlan) throws(UserLayoutError) -> UserImageLayout {
        try UserImageLayout.emerald(plan: plan)
    }

    /// Links the shared kernel, maps a fresh kernel stack and, after a fork,
    /// gives the copied metadata page this process's pid.
    static func prepareProcessSpace(_ space: inout ProcessSpace, slot: Int) -> UnsafeMutablePointer<TrapFrame>? {
        do throws(MapError) {
            try space.linkShared(X86Paging.sharedKernelRange, atLevel: 2, from: KernelPaging.table!)
            try space.mapOwnedKernelPages(ProcessKernelStack.range, permissions: .readWrite, zeroed: false)
        } catch {
            return nil
        }
        if let page = metadataPage(in: space) {
            page.storeBytes(of: UInt64(Processes.slots[slot].pid).littleEndian, toByteOffset: ProcessMetadata.Offset.pid, as: UInt64.self)
        }
        return userFrame(in: space)
    }

    /// The saved user registers at the top of `space`'s kernel stack, through the direct map.
    private static func userFrame(in space: borrowing ProcessSpace) -> UnsafeMutablePointer<TrapFrame> {
        let translation = space.translate(VirtualAddress(ProcessKernelStack.userFrame))!
        let raw = physicalMemory.pointer(to: translation.physicalAddress, count: UInt64(MemoryLayout<TrapFrame>.size))!
        return raw.assumingMemoryBound(to: TrapFrame.self)
    }

    /// Maps the metadata page (user, read-only, owned by the space) and fills it.
    static func finishImage(_ space: inout ProcessSpace, plan: LoadPlan, layout: UserImageLayout, pid: Int) -> Bool {
        guard let range = layout.metadataPage else { return false }
        do throws(MapError) {
            try space.mapUserPages(range, permissions: .readOnly)
        } catch {
            return false
        }
        guard let page = metadataPage(in: space) else { return false }
        return ProcessMetadata(pid: UInt64(pid), plan: plan, layout: layout)
            .write(into: UnsafeMutableRawBufferPointer(start: page, count: Int(pageBytes)))
    }

    /// The kernel's view (direct map) of the metadata page of `space`, if mapped.
    private static func metadataPage(in space: borrowing ProcessSpace) -> UnsafeMutableRawPointer? {
        guard let translation = space.translate(VirtualAddress(X86_64Layout.processMetadata)) else { return nil }
        return physicalMemory.pointer(to: translation.physicalAddress, count: pageBytes)
    }

    /// The first switch to a process lands in `processFirstRun`, on its own
    /// kernel stack just below its saved user registers.
    static func prepareKernelEntry(slot: Int, context: inout KernelContext) {
        context = KernelContext()
        context.rip = functionAddress(processFirstRun)
        // As if called: rsp = 8 (mod 16) at a function's first instruction.
        context.rsp = ProcessKernelStack.userFrame - 8
    }

    /// The process's frame through the direct map, so that it can be reached
    /// whichever address space is loaded (fork writes the child's).
    static func locateUserFrame(_ slot: Int) -> UnsafeMutablePointer<TrapFrame> {
        userFrame(in: Processes.slots[slot].space!)
    }

    /// The process's page table must be loaded before its kernel stack is
    /// touched; the scheduler runs on a stack in the shared kernel region.
    /// Loaded on every switch, even when CR3 already names it: the write
    /// drops whatever this CPU's TLB still holds of the process from an
    /// earlier run, which another CPU may have changed since (each CPU
    /// flushes only its own TLB when it changes a process's tables).
    static func willRun(slot: Int, space: borrowing ProcessSpace) {
        writeCR3(space.pageTable.rootFrame.address.raw)
    }

    /// The scheduler loop runs on the kernel half every table shares, but
    /// CR3 still names the table of the process that left. With other CPUs
    /// running, one of them may reap that process and free the table once
    /// the process table's lock is given back: move to the kernel's own.
    /// (With one CPU only this CPU reaps, after it has loaded another.)
    static func leftProcess(slot: Int) {
        if CPUs.running > 1 { writeCR3(KernelPaging.root.raw) }
    }

    /// exec in the running process: its kernel stack (the system call that
    /// is calling exec) lives in the old space, which is about to be freed.
    /// The live part moves to the same addresses in the new space, whose page
    /// table is loaded here. Exec runs on the scratch stack, so nothing on
    /// the process kernel stack changes between the copy and the switch.
    static func willReplaceSpace(slot: Int, with space: borrowing ProcessSpace) {
        guard slot == Processes.current else { return }  // the first process: not running yet
        guard ScratchStack.inUse else { kernelPanic("exec must run on the scratch stack") }
        let left = callOnStackLeftAddress().pointee
        let stack = ProcessKernelStack.range
        guard stack.contains(VirtualAddress(left)) else { kernelPanic("exec was not called on the process kernel stack") }
        var page = left & ~(pageBytes - 1)
        while page < stack.end.raw {
            guard let translation = space.translate(VirtualAddress(page)),
                let target = physicalMemory.pointer(to: translation.physicalAddress, count: pageBytes),
                let source = UnsafeRawPointer(bitPattern: UInt(page))
            else { kernelPanic("exec: the new kernel stack is not mapped") }
            target.copyMemory(from: source, byteCount: Int(pageBytes))
            page += pageBytes
        }
        writeCR3(space.pageTable.rootFrame.address.raw)
    }

    /// Leaves for user mode from the current process's saved registers.
    /// CR3 is not written again: the page tables drop each page they unmap
    /// or narrow from this CPU's TLB where they do it (`TranslationCache`,
    /// set to `invlpg` at boot), and a switch loads the process's own CR3
    /// (`willRun`, exec's `willReplaceSpace`).
    /// A frame whose rip is not canonical (a `syscall` in the last bytes of
    /// the lower half left it so) is never given to iretq: the process is
    /// killed with the usual report instead.
    static func returnToUser() -> Never {
        LockChecks.mayReturnToUser()
        _ = disableInterrupts()
        let slot = Processes.current
        let frame = UserFrames.of(slot)
        if !frame.pointee.returnsToCanonicalAddress {
            let rip = VirtualAddress(frame.pointee.rip)
            UserTrap.handle(.fault(.named("non-canonical return address"), address: rip, pc: rip))
            kernelPanic("a process with a non-canonical return address was not killed")
        }
        let root = Processes.slots[slot].space!.pageTable.rootFrame.address.raw
        if readCR3() & cr3AddressMask != root { kernelPanic("returning to user mode on another page table") }
        frame.pointee.sanitizeForUser()
        FloatingPointStates.resume(slot)
        returnToUserInstruction(ProcessKernelStack.userFrame)
        kernelPanic("iretq returned")
    }
}

/// A new process's first switch lands here: leave for user mode.
@_cdecl("swiftlet_x86_process_first_run")
func processFirstRun() {
    Scheduler.firstRunBegins()
    X86_64.returnToUser()
}

extension X86_64 {
    /// The boot code built the kernel table and runs on it (X86Paging).
    static func adoptKernelPageTable() -> Bool { KernelPaging.table != nil }

    static func enablePaging(root: PhysicalAddress) {
        writeCR3(root.raw)
    }

    /// The layout's 16 MiB heap region, mapped with frames at boot.
    static func startKernelHeap() {
        guard let heap = Layouts.kernel.region(named: "kernel heap"),
            let base = UnsafeMutableRawPointer(bitPattern: UInt(heap.range.start.raw))
        else { kernelPanic("the layout has no kernel heap") }
        KernelHeapArea.initialize(region: base, bytes: Int(heap.range.size))
    }
}
