# The trampoline page: the only code mapped at the same virtual address
# (TRAMPOLINE = MAXVA - 4096) in the kernel and in every process, so it keeps
# running while satp switches between them. It is never user-accessible.
#
# The trap frame page (TRAPFRAME = TRAMPOLINE - 4096, mapped only in the
# process, never user-accessible) holds, at byte 8*n, user register xn, and
# after the 32 register slots the fields the kernel fills in before returning
# to user mode (see TrapFrame.swift, which must agree with these offsets).

.equ TRAPFRAME, 0x3FFFFFE000
.equ TF_KERNEL_SATP, 256
.equ TF_KERNEL_SP, 264
.equ TF_KERNEL_TRAP, 272
.equ TF_HART, 288

.macro SAVE_USER n
    sd x\n, (8 * \n)(a0)
.endm
.macro LOAD_USER n
    ld x\n, (8 * \n)(a0)
.endm

.section .text.trampoline, "ax"
.balign 4096
.globl trampoline_start
trampoline_start:

# stvec points here while a process runs. All registers still hold user
# values; sscratch is free, so a0 goes there while a0 addresses the frame.
.globl uservec
uservec:
    csrw sscratch, a0
    li a0, TRAPFRAME
    .irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    SAVE_USER \n
    .endr
    csrr t0, sscratch
    sd t0, (8 * 10)(a0)

    ld sp, TF_KERNEL_SP(a0)
    ld tp, TF_HART(a0)
    ld t0, TF_KERNEL_TRAP(a0)
    ld t1, TF_KERNEL_SATP(a0)
    # Order: finish the user-space accesses, switch, then drop stale entries.
    sfence.vma zero, zero
    csrw satp, t1
    sfence.vma zero, zero
    # The kernel's trap handler never returns here; it leaves through userret.
    jr t0

# userret(satp): switch to the process's page table and restore its registers.
# Called by the kernel through the trampoline's high address with sepc and
# sstatus already set for the return to user mode.
.globl userret
userret:
    sfence.vma zero, zero
    csrw satp, a0
    sfence.vma zero, zero
    li a0, TRAPFRAME
    .irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    LOAD_USER \n
    .endr
    ld a0, (8 * 10)(a0)
    sret

.balign 4096
.globl trampoline_end
trampoline_end:
