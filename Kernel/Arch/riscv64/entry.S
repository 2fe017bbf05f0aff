// Swiftlet's first instructions on RISC-V. QEMU `virt` with -bios none starts
// every hart here, in machine mode, at 0x8000_0000. Assembly only because no
// Swift can run before there is a stack.
//
// Each hart below MAX_HARTS gets its own boot stack and enters Swift
// (`swiftlet_machine_start`), which parks every hart but hart 0. Hart 0
// returns from it with the machine-mode setup done, and `mret` drops it into
// supervisor mode at `swiftlet_supervisor_start`.

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

    bnez    t0, enter_swift
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
    // Only hart 0 gets back here, with mstatus.MPP = supervisor.
    la      t0, swiftlet_supervisor_start
    csrw    mepc, t0
    mret

park_without_stack:
    csrw    mie, zero
2:  wfi
    j       2b
