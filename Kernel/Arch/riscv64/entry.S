// Swiftlet's first instructions on RISC-V. QEMU `virt` with -bios none starts
// every hart here, in machine mode, at 0x8000_0000. Assembly only because no
// Swift can run before there is a stack.
//
// Each hart below MAX_HARTS gets its own boot stack and runs the machine-mode
// setup (`swiftlet_machine_start`). Hart 0 clears .bss first, then `mret`s
// into supervisor mode at `swiftlet_supervisor_start` and boots the kernel.
// Every other hart counts itself in `swiftlet_harts_arrived` and waits (wfi)
// until hart 0 sets `swiftlet_harts_released` and wakes it with a machine
// software interrupt (`RiscV64.startOtherCPUs`); then it `mret`s into
// `swiftlet_secondary_start`, which joins the scheduler. Harts from
// MAX_HARTS on are parked for good.

#include "symbol_address.h"

#define MAX_HARTS 8
// Each boot stack is one slot of stacks.S: a guard page, then the stack.
#define BOOT_SLOT_BYTES (4096 + 32768)

    .section .text.entry, "ax"
    .globl _entry
_entry:
    csrr    t0, mhartid
    li      t1, MAX_HARTS
    bgeu    t0, t1, park_without_stack

    // sp = boot_stacks + (hartid + 1) * BOOT_SLOT_BYTES (stacks grow down).
    la      sp, boot_stacks
    li      t1, BOOT_SLOT_BYTES
    addi    t2, t0, 1
    mul     t1, t1, t2
    add     sp, sp, t1
    // tp holds the hart id from here on: supervisor mode cannot read mhartid.
    mv      tp, t0

    bnez    t0, secondary_hart
    // Hart 0 clears .bss (QEMU leaves RAM zero, a real loader need not). The
    // boot stacks are in their own section (stacks.S), outside the cleared range.
    la      t1, __bss_start
    la      t2, __bss_end
1:  bgeu    t1, t2, enter_swift
    sd      zero, 0(t1)
    addi    t1, t1, 8
    j       1b

enter_swift:
    mv      a0, tp
    call    swiftlet_machine_start
    // mstatus.MPP = supervisor now.
    la      t0, swiftlet_supervisor_start
    csrw    mepc, t0
    mret

secondary_hart:
    la      t1, swiftlet_harts_arrived
    li      t2, 1
    amoadd.w.aqrl zero, t2, (t1)
    mv      a0, tp
    call    swiftlet_machine_start
    // Wait for hart 0. mstatus.MIE is clear, so the machine software
    // interrupt that wakes the wfi is not taken; it is cleared below.
    la      t1, swiftlet_harts_released
1:  lw      t2, 0(t1)
    bnez    t2, 2f
    wfi
    j       1b
2:  fence   r, rw
    li      t1, 0x02000000      // the CLINT: msip[this hart] = 0
    slli    t2, tp, 2
    add     t1, t1, t2
    sw      zero, 0(t1)
    la      t0, swiftlet_secondary_start
    csrw    mepc, t0
    mret

park_without_stack:
    csrw    mie, zero
2:  wfi
    j       2b

// Written by the harts before hart 0 clears .bss, so kept in .data.
    .section .data.harts, "aw"
    .balign 4
    .globl swiftlet_harts_arrived
swiftlet_harts_arrived:
    .word   0
    .globl swiftlet_harts_released
swiftlet_harts_released:
    .word   0

// Their addresses, for Swift (Platform.swift).
SYMBOL_ADDRESS swiftlet_harts_arrived_address, swiftlet_harts_arrived
SYMBOL_ADDRESS swiftlet_harts_released_address, swiftlet_harts_released
