/// Where every architecture's start-up code lands: on the boot CPU, with
/// kernel privilege, interrupts off, the console and trap vector ready.
func kernelMain() -> Never {
    CoreInvariant.handler = coreInvariantViolated
    Console.newline()
    Console.write("Swiftlet kernel (Embedded Swift) on ")
    Console.line(Platform.machineName)
    Console.write("kernel image ")
    Console.write(Platform.kernelImage)
    Console.write(", ")
    Console.write(decimal: Platform.kernelImage.size / 1024)
    Console.line(" KiB")

    PhysicalFrames.initialize()
    PhysicalFrames.startCaches()
    Console.write("free memory  ")
    Console.write(Platform.freeMemory)
    if let high = PhysicalFrames.highRAM {
        Console.write(" and ")
        Console.write(high)
    }
    Console.write(", ")
    Console.write(decimal: PhysicalFrames.freeFrames)
    Console.write(" free frames of 4 KiB (")
    Console.write(decimal: PhysicalFrames.freeFrames * pageBytes / (1024 * 1024))
    Console.line(" MiB)")

    Console.write("timer        ")
    Console.write(decimal: Platform.tickRate)
    Console.line(" Hz")
    Platform.enableInterrupts()
    if BootMode.current == .check { SelfCheck.runAll() }
    _ = Platform.disableInterrupts()
    #if SWIFTLET_LOCK_PANIC_CHECK
    LockSelfChecks.takeTwiceForReal()
    #endif

    startPaging()
    if BootMode.current == .check { SelfCheck.runArchitectureChecks() }
    Platform.startKernelHeap()
    Disk.start()
    if BootMode.current == .check { DiskChecks.runAll() }
    Processes.initialize()
    Console.write("processes    ")
    Console.write(decimal: UInt64(Processes.capacity))
    Console.write(" slots; ")
    Console.write(decimal: PhysicalFrames.freeFrames)
    Console.line(" frames free")

    // The programs come from the disk's file system. Without one (no disk,
    // or an image the file system refuses) the kernel says so and idles:
    // a bad disk must not bring it down. The check and bench images run
    // in-guest programs, and init powers off; without init they power off
    // at once with a failure.
    // The other CPUs join the scheduler now, before the first process.
    if RootVolume.mount() {
        CPUs.startOthers()
        if BootMode.current == .check { SelfCheck.runCPUChecks() }
        if Processes.startFirst("/init", argument: BootMode.current.initArgument) { Scheduler.run() }
        Console.line("init         cannot start /init from the file system")
    }
    Console.line("no init: the kernel runs on without processes")
    if BootMode.current != .interactive { Platform.powerOff(status: 1) }
    Scheduler.run()
}

/// Builds the kernel page table from the layout table, turns paging on and
/// audits the live tables against the table. An architecture whose boot code
/// needed the final table early (x86-64) has built it the same way already;
/// it is adopted and audited here like a fresh one.
func startPaging() {
    Layouts.initialize()
    let layout = Layouts.kernel
    LayoutLog.print(layout)
    // RISC-V gives processes a table of their own (x86-64 has one for all).
    if !equalNames(Layouts.process.name, layout.name) { LayoutLog.print(Layouts.process) }
    if !Platform.adoptKernelPageTable() {
        // The table is built in place in its global, never as a local:
        // a force unwrap near a live generic ~Copyable local crashes the Embedded
        // compiler of Swift 6.3 (an unspecialized destroy on the failure path).
        do throws(MapError) {
            KernelPaging.table = try KernelTable(memory: Platform.physicalMemory, frames: PhysicalFrames.allocator)
            try KernelPaging.build(from: layout, into: &KernelPaging.table!)
        } catch {
            kernelPanic(error == .outOfMemory ? "kernel page table: out of memory" : "kernel page table: a layout region cannot be mapped")
        }
        Platform.enablePaging(root: KernelPaging.root)
    }
    let root = KernelPaging.root
    Console.write("paging       on, root table at ")
    Console.write(root)
    Console.write(", ")
    Console.write(decimal: KernelPaging.tablePages)
    Console.line(" table pages")
    let mismatches = KernelPaging.audit(against: layout)
    if mismatches != 0 { kernelPanic("the live page tables do not match the layout") }
}
