# cpuattack's RISC-V attacks (cases.c names them). Each is a function whose
# faulting instruction carries the label NAME_fault; none of them should
# get past it. If one does, it returns NOT_STOPPED (7).

#include "../attacks.h"

.macro NOT_STOPPED
    li      a0, 7
    ret
.endm

# Supervisor and machine state from user mode.
ATTACK read_sstatus
FAULT read_sstatus
    csrr    a0, sstatus
    NOT_STOPPED

ATTACK write_satp
FAULT write_satp
    csrw    satp, zero
    NOT_STOPPED

ATTACK write_stvec
FAULT write_stvec
    csrw    stvec, zero
    NOT_STOPPED

ATTACK read_mstatus
FAULT read_mstatus
    csrr    a0, mstatus
    NOT_STOPPED

ATTACK sret
FAULT sret
    sret
    NOT_STOPPED

ATTACK mret
FAULT mret
    mret
    NOT_STOPPED

ATTACK wfi
FAULT wfi
    wfi
    NOT_STOPPED

ATTACK sfence
FAULT sfence
    sfence.vma zero, zero
    NOT_STOPPED

# The trampoline's first instruction (uservec), called from user mode: the
# page is mapped in every process, but never for user mode.
ATTACK call_trampoline
    li      t0, 0x3FFFFFF000
    jalr    t0
    NOT_STOPPED

# The trap frame page, just below it: the kernel's record of this process.
ATTACK read_trap_frame
    li      t0, 0x3FFFFFE000
FAULT read_trap_frame
    ld      a0, 0(t0)
    NOT_STOPPED
