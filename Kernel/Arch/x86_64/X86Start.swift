/// Long-mode start on the boot processor: entry.S calls this on the boot
/// stack, in the higher half, interrupts off, with the multiboot magic and
/// the physical address of the multiboot information. Prepares descriptors,
/// memory, interrupt controllers and the timer, then hands over to the
/// portable kernel.
@_cdecl("swiftlet_x86_start")
func x86Start(magic: UInt64, information: UInt64) -> Never {
    X86_64.serial.initialize()
    Descriptors.install(cpu: 0)
    // The GS base must hold this CPU's record before anything (the console's
    // lock, a trap) asks for it, and after the descriptor load (loading gs
    // sets the base to the descriptor's, 0).
    CPUs.start(index: 0)
    InterruptStacks.useEarlyStacks()
    InterruptTable.install()
    CPUProtections.enable()

    Console.newline()
    Console.line("x86-64 boot  long mode, higher half, descriptors and exception vectors ready")
    // frame.h and TrapFrame must agree before the first trap is taken.
    FrameLayoutCheck.verify()
    CPUProtections.log()
    if UInt32(truncatingIfNeeded: magic) != Multiboot.bootloaderMagic { kernelPanic("not started by a multiboot loader") }
    BootMemory.initialize(information: PhysicalAddress(information))
    BootMemory.log()

    let layout = X86_64.kernelLayout
    X86Paging.buildAndSwitch(layout)
    // The RAM above 128 MiB goes into the kernel-extra window first, before
    // ACPI and the APICs take their places there.
    HighMemory.start()
    HighMemory.log()
    guard let stacks = layout.region(named: "interrupt stacks") else { kernelPanic("the layout has no interrupt stacks") }
    InterruptStacks.useLayoutStacks(stacks)
    SystemCallEntry.install()
    // The rest runs on slot 0 of the interrupt stacks, above its guard page;
    // the boot stack in .bss is left behind.
    runOnStack(stacks.slot(InterruptStacks.kernelSlot).end.raw, x86StartOnKernelStack, 0)
    kernelPanic("the start on the kernel stack returned")
}

/// Second half of the start, on the kernel stack, with the kernel's own page
/// table: paging audit, ACPI, interrupt controllers, timer, then the
/// portable kernel.
@_cdecl("swiftlet_x86_start_on_kernel_stack")
func x86StartOnKernelStack(_ unused: UInt64) {
    logPaging()
    let controllers = startInterruptControllers()
    TimerSetup.calibrate()
    TimerSetup.log()
    TimerSetup.start()
    ApplicationProcessors.startAll(controllers)
    #if SWIFTLET_SCRATCH_OVERFLOW_CHECK
    Console.line("check: running the scratch stack into its guard page (a panic must follow)")
    _ = ScratchStack.run(overflowScratchStack, 0)
    #endif
    #if SWIFTLET_STACK_OVERFLOW_CHECK
    Console.line("check: running the kernel stack into its guard page (a panic must follow)")
    overflowStackInstruction()
    #endif
    kernelMain()
}

private func logPaging() {
    Console.write("paging       4-level, kernel page table from the layout at ")
    Console.write(KernelPaging.root)
    Console.write(" (")
    Console.write(decimal: KernelPaging.tablePages)
    Console.line(" table pages, frames from the frame allocator); identity map dropped")
    Console.write("stacks       kernel ")
    Console.write(hex: X86_64.kernelLayout.region(named: "interrupt stacks")!.slot(InterruptStacks.kernelSlot).end.raw)
    Console.write(", IST1-4 ")
    Console.write(hex: Descriptors.interruptStack(1))
    Console.write(" ... ")
    Console.write(hex: Descriptors.interruptStack(InterruptStacks.istEntries))
    Console.write(" (tops, 128 KiB each above a guard page); RSP0 and system calls ")
    Console.write(hex: Descriptors.privilegeStack)
    Console.line(" (the process kernel stack)")
}

/// The PICs out of the way, the local APIC on, the I/O APIC routing COM1's
/// receive interrupt to this processor. Addresses come from ACPI's MADT.
private func startInterruptControllers() -> InterruptControllers {
    LegacyPIC.remapAndMask(base: UInt8(Vector.legacyPICBase))
    guard let controllers = ACPI.interruptControllers() else { kernelPanic("no ACPI MADT: cannot find the APICs") }
    guard let ioAPICAddress = controllers.ioAPIC else { kernelPanic("the MADT lists no I/O APIC") }
    // Every table was unmapped once read (the RAM above 128 MiB stays).
    let mappedAfterACPI = PhysicalWindow.liveRegions - (HighMemory.window == nil ? 0 : 1)

    guard let localBase = PhysicalWindow.mapDevice(.localAPIC, physical: controllers.localAPIC, size: 4096) else {
        kernelPanic("cannot map the local APIC")
    }
    LocalAPIC.enable(at: localBase)
    guard let ioBase = PhysicalWindow.mapDevice(.ioAPIC, physical: ioAPICAddress, size: 4096) else {
        kernelPanic("cannot map the I/O APIC")
    }
    IOAPIC.initialize(at: ioBase, gsiBase: controllers.ioAPICGSIBase)

    let serialRoute = controllers.isaRoute(SerialPort.com1IRQ)
    guard
        IOAPIC.route(
            gsi: serialRoute.gsi, to: Vector.serial, apicID: LocalAPIC.id,
            activeLow: serialRoute.activeLow, levelTriggered: serialRoute.levelTriggered)
    else { kernelPanic("the I/O APIC does not serve COM1's interrupt") }

    Console.write("apic         local APIC ")
    Console.write(controllers.localAPIC)
    Console.write(" (id ")
    Console.write(decimal: UInt64(LocalAPIC.id))
    Console.write(", version ")
    Console.write(hex: UInt64(LocalAPIC.version))
    Console.write("), I/O APIC ")
    Console.write(ioAPICAddress)
    Console.write(" (")
    Console.write(decimal: UInt64(IOAPIC.inputCount))
    Console.write(" inputs), ")
    Console.write(decimal: UInt64(controllers.processors))
    Console.write(" processors; COM1 on GSI ")
    Console.write(decimal: UInt64(serialRoute.gsi))
    Console.newline()
    Console.write("mapper       kernel extra: ")
    Console.write(decimal: UInt64(mappedAfterACPI))
    Console.write(" regions left after ACPI; kept: ")
    if let window = HighMemory.window {
        Console.write("RAM above 128 MiB at ")
        Console.write(hex: window.start.raw)
        Console.write(", ")
    }
    Console.write("local APIC at ")
    Console.write(hex: UInt64(localBase))
    Console.write(", I/O APIC at ")
    Console.write(hex: UInt64(ioBase))
    Console.newline()
    return controllers
}

#if SWIFTLET_SCRATCH_OVERFLOW_CHECK
/// The scratch-stack overflow check: runs the stack down until its guard
/// page stops it.
@_cdecl("swiftlet_x86_overflow_scratch_stack")
func overflowScratchStack(_ unused: UInt64) -> Int64 {
    overflowStackInstruction()
    return 0
}
#endif
