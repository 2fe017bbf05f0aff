/// Machine-mode start, on each hart's boot stack (entry.S). Every hart
/// silences its machine timer; all but hart 0 then park for good. Hart 0
/// hands everything the supervisor needs over to it and returns; entry.S
/// then `mret`s into supervisor mode.
@_cdecl("swiftlet_machine_start")
func machineStart(hart: UInt64) {
    CoreLocalInterruptor.silenceMachineTimer(hart: hart)
    guard hart == 0 else { parkHart() }

    // `mret` goes to supervisor mode.
    writeMstatus(readMstatus() & ~Mstatus.previousPrivilegeMask | Mstatus.previousPrivilegeSupervisor)
    // Paging off until the kernel builds its page table.
    writeSatp(0)
    // Every exception and interrupt goes to the supervisor's trap vector
    // (the bits that cannot be delegated read as zero).
    writeMedeleg(0xFFFF)
    writeMideleg(0xFFFF)
    // Supervisor and user mode may touch all physical memory: one PMP entry,
    // top-of-range up to the largest address (pmpaddr holds address >> 2),
    // readable, writable, executable.
    writePmpaddr0((1 << 54) - 1)
    writePmpcfg0(0x0F)
    // Sstc: the supervisor programs its own timer (stimecmp), so machine
    // mode needs no timer code at all.
    setMenvcfg(1 << 63)
    // Supervisor (and, with scounteren, user) mode may read cycle, time and
    // instret.
    writeMcounteren(0b111)
    // No machine-mode interrupts: machine mode never runs again.
    writeMie(0)
}

/// A hart the kernel does not use yet: no interrupts reach it (mie = 0), so
/// `wfi` sleeps for good; the loop only guards against spurious wake-ups.
func parkHart() -> Never {
    writeMie(0)
    while true { waitForInterruptInstruction() }
}
