/// Supervisor-mode start on hart 0: `mret` from entry.S lands here, paging
/// and interrupts off. Prepares the trap vector and the devices, then hands
/// over to the portable kernel.
@_cdecl("swiftlet_supervisor_start")
func supervisorStart() -> Never {
    // tp holds the hart id (entry.S); from here on it holds the hart's record.
    CPUs.start(index: Int(readThreadPointer()))
    // The kernel never touches user pages by their user addresses.
    clearSstatus(Sstatus.supervisorUserMemory | Sstatus.makeExecutableReadable)
    TrapAddresses.compute()
    writeStvec(TrapAddresses.kernelVector)  // direct mode: every trap to one vector
    RiscV64.uart.initialize()
    // trap.S and Trampoline.S must agree with the Swift frames before a
    // trap is taken.
    FrameLayoutCheck.verify()
    // stacks.S must put the stacks where the layout's guards expect them.
    GuardedStacks.verify(RiscV64.kernelLayout)
    // Device interrupts go to hart 0 only: its PLIC context alone enables
    // them, and only it lets supervisor external interrupts in.
    PLIC.setPriority(source: RiscV64Layout.uart0IRQ, priority: 1)
    PLIC.enable(source: RiscV64Layout.uart0IRQ, supervisorOf: RiscV64.bootHart)
    setSie(1 << InterruptCode.supervisorExternal | 1 << InterruptCode.supervisorSoftware)
    SupervisorTimer.start()
    // User programs may read time, cycle and instret (rdtime and friends).
    writeScounteren(0b111)
    kernelMain()
}

/// Supervisor-mode start on every other hart, once hart 0 has released it
/// (`RiscV64.startOtherCPUs`, after the kernel page table, the process
/// table and the file system are ready): paging and interrupts off, on the
/// hart's boot stack. Takes the kernel's page table and trap vector, lets
/// inter-processor interrupts in (no device interrupts: those go to hart
/// 0), and joins the scheduler, which starts the hart's timer.
@_cdecl("swiftlet_secondary_start")
func secondaryStart() -> Never {
    let hart = Int(readThreadPointer())
    writeSatp(RiscV64.kernelSatp)
    flushTranslations()
    clearSstatus(Sstatus.supervisorUserMemory | Sstatus.makeExecutableReadable)
    writeStvec(TrapAddresses.kernelVector)
    setSie(1 << InterruptCode.supervisorSoftware)
    writeScounteren(0b111)
    CPUs.joinScheduler(index: hart)
}
