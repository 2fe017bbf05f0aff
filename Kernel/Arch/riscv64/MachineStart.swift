/// Machine-mode start, on each hart's boot stack (entry.S), the same on
/// every hart: silences its machine timer, hands everything the supervisor
/// needs over to it, and installs the machine trap vector that carries
/// inter-processor interrupts (machine.S). entry.S then `mret`s into
/// supervisor mode (hart 0 at once, the others once hart 0 releases them).
@_cdecl("swiftlet_machine_start")
func machineStart(hart: UInt64) {
    CoreLocalInterruptor.silenceMachineTimer(hart: hart)

    // `mret` goes to supervisor mode.
    writeMstatus(readMstatus() & ~Mstatus.previousPrivilegeMask | Mstatus.previousPrivilegeSupervisor)
    // Paging off until the kernel builds its page table.
    writeSatp(0)
    // Every exception and interrupt goes to the supervisor's trap vector
    // (the bits that cannot be delegated read as zero), except the
    // supervisor's ecall: that is how it asks machine mode for an
    // inter-processor interrupt (machine.S).
    writeMedeleg(0xFFFF & ~(1 << MachineTrap.environmentCallFromSupervisor))
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
    // Machine mode takes only the machine software interrupt, which it
    // passes on to the supervisor (machine.S).
    writeMtvec(machineTrapAddress())
    writeMscratch(machineScratchAddress(hart))
    writeMie(1 << MachineTrap.softwareInterrupt)
}

/// Numbers machine.S and machineStart share.
enum MachineTrap {
    static let environmentCallFromSupervisor: UInt64 = 9
    static let softwareInterrupt: UInt64 = 3
}

@_extern(c, "swiftlet_machine_trap_address") func machineTrapAddress() -> UInt64
@_extern(c, "swiftlet_machine_scratch_address") func machineScratchAddress(_ hart: UInt64) -> UInt64
@_extern(c, "swiftlet_riscv_send_ipi") func sendMachineSoftwareInterrupt(_ hart: UInt64)
