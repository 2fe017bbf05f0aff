@_extern(c, "uservec") func uservecSymbol()
@_extern(c, "userret") func userretSymbol()
@_extern(c, "trampoline_start") func trampolineStartSymbol()

/// The xv6 process model on RISC-V: each process's page table maps the
/// trampoline and its own trap frame at the top; its kernel stack is the
/// fixed KSTACK(slot) of the kernel page table, built at boot.
extension RiscV64: ProcessArchitecture {
    typealias Paging = Sv39
    typealias UserFrame = UserTrapFrame

    static var largestKernelPage: PageSize { .size2M }
    static var elfMachine: ElfMachine { .riscv64 }
    static var userWindow: UserWindow {
        UserWindow(VirtualRange(start: VirtualAddress(0), end: VirtualAddress(RiscV64Layout.trapFrame))!)
    }
    static var processLayout: LayoutTable { RiscV64Layout.userSpace(imageParts) }
    static var userRules: UserRegionRules { UserImageLayout.xv6Rules() }
    @inline(__always)  // returned through a call, the layout is copied once more
    static func userImageLayout(for plan: LoadPlan) throws(UserLayoutError) -> UserImageLayout {
        try UserImageLayout.xv6(plan: plan)
    }

    /// satp value that selects the kernel's page table (set when paging starts).
    nonisolated(unsafe) static var kernelSatp: UInt64 = 0

    /// satp for Sv39 (mode 8) with the root table at `root`.
    static func satp(root: PhysicalAddress) -> UInt64 { (8 << 60) | root.frame.value }

    static func prepareProcessSpace(_ space: inout ProcessSpace, slot: Int) -> UnsafeMutablePointer<UserTrapFrame>? {
        do throws(MapError) {
            try space.mapKernelPage(
                VirtualAddress(RiscV64Layout.trampoline), to: imageParts.trampoline,
                permissions: .readExecute)
            // Not cleared: fork copies the whole frame in, exec's `start`
            // sets every register, `returnToUser` the rest, before any read.
            let frame = try space.mapOwnedKernelPage(
                VirtualAddress(RiscV64Layout.trapFrame), permissions: .readWrite, zeroed: false)
            return physicalMemory.pointer(to: frame, count: pageBytes)?.assumingMemoryBound(to: UserTrapFrame.self)
        } catch {
            return nil
        }
    }

    static func finishImage(_ space: inout ProcessSpace, plan: LoadPlan, layout: UserImageLayout, pid: Int) -> Bool {
        true  // the xv6 layout has no metadata page
    }

    static func prepareKernelEntry(slot: Int, context: inout KernelContext) {
        context = KernelContext()
        context.ra = functionAddress(processFirstRun)
        context.sp = RiscV64Layout.kernelStack(slot) + RiscV64Layout.pageSize
    }

    /// The slot's trap frame page, through the direct map.
    static func locateUserFrame(_ slot: Int) -> UnsafeMutablePointer<UserTrapFrame> {
        let translation = Processes.slots[slot].space!.translate(VirtualAddress(RiscV64Layout.trapFrame))!
        let raw = physicalMemory.pointer(to: translation.physicalAddress, count: pageBytes)!
        return raw.assumingMemoryBound(to: UserTrapFrame.self)
    }

    static func willRun(slot: Int, space: borrowing ProcessSpace) {}

    /// In the kernel every hart runs on the kernel's own page table: nothing
    /// of the process stays in use.
    static func leftProcess(slot: Int) {}

    /// Kernel stacks live in the kernel page table: nothing moves.
    static func willReplaceSpace(slot: Int, with space: borrowing ProcessSpace) {}

    /// usertrapret: prepares the trap frame and stvec for the next trap,
    /// then jumps to userret in the trampoline, which switches satp and
    /// returns to user mode with sret.
    static func returnToUser() -> Never {
        LockChecks.mayReturnToUser()
        clearSstatus(Sstatus.interruptsEnabled)
        let slot = Processes.current
        writeStvec(TrapAddresses.userVector)
        let frame = UserFrames.of(slot)
        frame.pointee.kernelSatp = kernelSatp
        frame.pointee.kernelStack = RiscV64Layout.kernelStack(slot) + RiscV64Layout.pageSize
        frame.pointee.kernelTrap = TrapAddresses.userTrap
        frame.pointee.cpuRecord = UInt64(UInt(bitPattern: CPUs.this))
        // sret goes to user mode (SPP = 0) with interrupts enabled (SPIE = 1).
        clearSstatus(Sstatus.previousPrivilegeSupervisor)
        setSstatus(Sstatus.previousInterruptsEnabled)
        writeSepc(frame.pointee.userPC)
        FloatingPointStates.resume(slot)
        let userSatp = satp(root: Processes.slots[slot].space!.pageTable.rootAddress)
        let jump = unsafeBitCast(UInt(TrapAddresses.userReturn), to: (@convention(c) (UInt64, UInt64) -> Void).self)
        jump(userSatp, RiscV64Layout.trapFrame)
        kernelPanic("userret returned")
    }
}

/// The address of a C-callable function, for trap vectors and contexts.
func functionAddress(_ function: @convention(c) () -> Void) -> UInt64 {
    UInt64(UInt(bitPattern: unsafeBitCast(function, to: UnsafeRawPointer.self)))
}

extension RiscV64 {
    /// `startPaging` builds the kernel table; boot runs with paging off until then.
    static func adoptKernelPageTable() -> Bool { false }

    static func enablePaging(root: PhysicalAddress) {
        kernelSatp = satp(root: root)
        flushTranslations()
        writeSatp(kernelSatp)
        flushTranslations()
        #if SWIFTLET_STACK_OVERFLOW_CHECK
        // The overflow check image: run process slot 0's kernel stack into
        // the guard page below it; the trap handler must say so and panic.
        Console.line("check: running a kernel stack into its guard page (a panic must follow)")
        let top = UnsafeMutableRawPointer(bitPattern: UInt(RiscV64Layout.kernelStack(0) + RiscV64Layout.pageSize)).unsafelyUnwrapped
        _ = callOnStack(0, unsafeBitCast(overflowStackInstruction as @convention(c) () -> Void, to: UnsafeRawPointer.self), top)
        #endif
        #if SWIFTLET_BOOT_STACK_OVERFLOW_CHECK
        // Hart 0's boot stack, which the scheduler keeps: its guard page.
        Console.line("check: running the boot stack into its guard page (a panic must follow)")
        overflowStackInstruction()
        #endif
    }

    /// The xv6 layout has no heap region: the heap takes a run of
    /// direct-mapped frames from the allocator.
    static let kernelHeapFrames: UInt64 = 64

    static func startKernelHeap() {
        guard let first = try? PhysicalFrames.allocator.pointee.allocateContiguous(count: kernelHeapFrames),
            let region = physicalMemory.pointer(to: first.address, count: kernelHeapFrames * pageBytes)
        else { kernelPanic("no frames for the kernel heap") }
        KernelHeapArea.initialize(region: region, bytes: Int(kernelHeapFrames * pageBytes))
    }
}

@_extern(c, "swiftlet_overflow_stack") func overflowStackInstruction()
