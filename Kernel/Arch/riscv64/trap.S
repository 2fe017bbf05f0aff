// Supervisor trap vector for traps taken while the kernel runs. Assembly
// because only assembly can save every register before any Swift code runs
// and return with `sret`.
//
// It builds a TrapFrame (TrapFrame.swift) on the current stack (for an
// interrupt) or on the fault stack (for an exception): slot i holds
// register x_i (slot 0 is unused, slot 2 holds sp as it was before the trap),
// then sepc and sstatus. `swiftlet_kernel_trap` may change the saved sepc,
// for example to step over a breakpoint; sepc and sstatus are written back
// from the frame before `sret`, so a nested trap cannot clobber them.

#define FRAME_BYTES 272
#define SEPC_SLOT 256
#define SSTATUS_SLOT 264
// CPURecord.faultStackTop (Kernel/Process/CPURecord.swift, checked at boot).
#define CPU_FAULT_STACK_TOP 16

    .section .text.kernel_trap_vector, "ax"
    .globl swiftlet_kernel_trap_vector
    .balign 4
swiftlet_kernel_trap_vector:
    // Exceptions in kernel mode move to the fault stack: the current stack
    // may be the reason for the trap (an overflow into its guard page), and
    // pushing a frame there would fault again. Interrupts stay where they
    // are. sscratch is free in kernel mode (userret sets it on the way out).
    csrw    sscratch, t0
    csrr    t0, scause
    bltz    t0, 1f
    mv      t0, sp
    // This hart's fault stack (tp is its CPURecord in kernel mode).
    ld      sp, CPU_FAULT_STACK_TOP(tp)
    addi    sp, sp, -FRAME_BYTES
    sd      t0, (2 * 8)(sp)
    j       2f
1:  addi    sp, sp, -FRAME_BYTES
    addi    t0, sp, FRAME_BYTES
    sd      t0, (2 * 8)(sp)
2:
    .irp    n, 1,3,4,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd      x\n, (\n * 8)(sp)
    .endr
    csrr    t0, sscratch
    sd      t0, (5 * 8)(sp)
    csrr    t0, sepc
    sd      t0, SEPC_SLOT(sp)
    csrr    t0, sstatus
    sd      t0, SSTATUS_SLOT(sp)

    mv      a0, sp
    call    swiftlet_kernel_trap

    ld      t0, SEPC_SLOT(sp)
    csrw    sepc, t0
    ld      t0, SSTATUS_SLOT(sp)
    csrw    sstatus, t0
    .irp    n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld      x\n, (\n * 8)(sp)
    .endr
    ld      sp, (2 * 8)(sp)
    sret

// The frame's size and slots as assembled, for the boot check against
// TrapFrame.swift (FrameLayoutCheck.swift): bytes, sepc slot, sstatus slot,
// and x1's slot (x_n at 8 * n).
    .section .rodata.kernel_frame_offsets, "a"
    .balign 8
    .globl swiftlet_kernel_frame_offsets
swiftlet_kernel_frame_offsets:
    .quad FRAME_BYTES, SEPC_SLOT, SSTATUS_SLOT, 8
