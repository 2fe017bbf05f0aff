/// Supervisor-mode start on hart 0: `mret` from entry.S lands here, paging
/// and interrupts off. Prepares the trap vector and the devices, then hands
/// over to the portable kernel.
@_cdecl("swiftlet_supervisor_start")
func supervisorStart() -> Never {
    // trap.S hard-codes the frame's size and the sepc and sstatus slots.
    if MemoryLayout<TrapFrame>.size != 272 { kernelPanic("TrapFrame does not match trap.S") }
    TrapAddresses.compute()
    writeStvec(TrapAddresses.kernelVector)  // direct mode: every trap to one vector
    RiscV64.uart.initialize()
    PLIC.setPriority(source: RiscV64Layout.uart0IRQ, priority: 1)
    PLIC.enable(source: RiscV64Layout.uart0IRQ, supervisorOf: RiscV64.bootHart)
    setSie(1 << InterruptCode.supervisorExternal)
    SupervisorTimer.start()
    // User programs may read time, cycle and instret (rdtime and friends).
    writeScounteren(0b111)
    kernelMain()
}
