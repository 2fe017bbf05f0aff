// The little machine mode keeps doing after boot: inter-processor
// interrupts. Supervisor mode cannot raise another hart's interrupt itself
// (the CLINT's msip words are machine-mode business here), so:
//
// - `swiftlet_riscv_send_ipi(hart)` is an `ecall` from supervisor mode
//   (the one exception machineStart does not delegate); the machine trap
//   vector sets the CLINT's msip word of hart a0 and returns past the ecall.
// - The machine software interrupt that msip raises on the target lands in
//   the same vector, which clears the target's msip and sets its sip.SSIP:
//   the supervisor takes a supervisor software interrupt (KernelTrap.swift,
//   UserTrapEntry.swift) and serves the TLB shootdown.
//
// The vector saves the three registers it uses in this hart's machine
// scratch area (mscratch holds its address). Any other trap into machine
// mode cannot be reported from here: the hart stops.

#define CLINT_BASE 0x02000000
#define MAX_HARTS 8
#define SCRATCH_BYTES 32

    .section .text.machine.trap, "ax"
    .balign 4
    .globl swiftlet_machine_trap
swiftlet_machine_trap:
    csrrw   sp, mscratch, sp
    sd      t0, 0(sp)
    sd      t1, 8(sp)
    sd      t2, 16(sp)
    csrr    t0, mcause
    bltz    t0, software_interrupt
    li      t1, 9               // environment call from supervisor mode
    bne     t0, t1, stop_hart
    li      t1, CLINT_BASE      // msip[a0] = 1
    slli    t2, a0, 2
    add     t1, t1, t2
    li      t2, 1
    sw      t2, 0(t1)
    csrr    t0, mepc
    addi    t0, t0, 4
    csrw    mepc, t0
    j       machine_return
software_interrupt:
    csrr    t1, mhartid         // msip[this hart] = 0
    slli    t1, t1, 2
    li      t2, CLINT_BASE
    add     t1, t1, t2
    sw      zero, 0(t1)
    li      t1, 2               // sip.SSIP for the supervisor
    csrs    mip, t1
machine_return:
    ld      t2, 16(sp)
    ld      t1, 8(sp)
    ld      t0, 0(sp)
    csrrw   sp, mscratch, sp
    mret
stop_hart:
    csrw    mie, zero
1:  wfi
    j       1b

// send_ipi(hart = a0): see above.
    .section .text.machine.send_ipi, "ax"
    .globl swiftlet_riscv_send_ipi
swiftlet_riscv_send_ipi:
    fence   iorw, iorw          // what this hart wrote is seen before the interrupt
    ecall
    ret

// The start of hart a0's machine scratch area.
    .section .text.machine.scratch_address, "ax"
    .globl swiftlet_machine_scratch_address
swiftlet_machine_scratch_address:
    la      t0, machine_scratch
    li      t1, SCRATCH_BYTES
    mul     t1, t1, a0
    add     a0, t0, t1
    ret

// The vector's address, for mtvec (direct mode: 4-byte aligned).
    .section .text.machine.trap_address, "ax"
    .globl swiftlet_machine_trap_address
swiftlet_machine_trap_address:
    la      a0, swiftlet_machine_trap
    ret

    .section .bss.machine_scratch, "aw", @nobits
    .balign 16
machine_scratch:
    .space  MAX_HARTS * SCRATCH_BYTES
