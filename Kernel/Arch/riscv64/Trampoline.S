# The trampoline page: the only code mapped at the same virtual address
# (TRAMPOLINE, the top page) in the kernel and in every process, so it keeps
# running while satp switches between the two. It is never user-accessible.
#
# The trap frame page (mapped below it in each process, never
# user-accessible) holds user register xn at byte 8*n, then the fields the
# kernel fills in before each return to user mode. UserTrapFrame.swift must
# agree with these offsets: swiftlet_user_frame_offsets exports them, and
# the boot check (FrameLayoutCheck.swift) compares them with Swift's layout
# and stops the boot if they differ. While a process
# runs, sscratch holds the trap frame's address, so no layout address is
# spelled here.

.equ TF_KERNEL_SATP, 256
.equ TF_KERNEL_SP, 264
.equ TF_KERNEL_TRAP, 272
.equ TF_CPU_RECORD, 288

.macro SAVE_USER n
    sd x\n, (8 * \n)(a0)
.endm
.macro LOAD_USER n
    ld x\n, (8 * \n)(a0)
.endm

# The linker script gives this section its own page (see kernel.ld).
.section .text.trampoline, "ax"
.globl trampoline_start
trampoline_start:

# stvec points here while a process runs. All registers hold user values.
.globl uservec
uservec:
    csrrw a0, sscratch, a0          # a0 = trap frame, sscratch = user a0
    .irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    SAVE_USER \n
    .endr
    csrr t0, sscratch
    sd t0, (8 * 10)(a0)

    ld sp, TF_KERNEL_SP(a0)
    ld tp, TF_CPU_RECORD(a0)          # the kernel's tp: this hart's CPURecord
    ld t0, TF_KERNEL_TRAP(a0)
    ld t1, TF_KERNEL_SATP(a0)
    # Finish the user-space accesses, switch, then drop stale translations.
    sfence.vma zero, zero
    csrw satp, t1
    sfence.vma zero, zero
    # The kernel's trap handler never returns here; it leaves through userret.
    jr t0

# userret(satp, trapFrame): switch to the process's page table and restore
# its registers. The kernel calls it through the trampoline's high address
# with sepc and sstatus already set for the return to user mode.
.globl userret
userret:
    sfence.vma zero, zero
    csrw satp, a0
    sfence.vma zero, zero
    csrw sscratch, a1
    mv a0, a1
    .irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    LOAD_USER \n
    .endr
    ld a0, (8 * 10)(a0)
    sret

.globl trampoline_end
trampoline_end:

# The offsets above, for the boot check (outside the trampoline page, which
# holds code only): x1's slot (x_n at 8 * n), then the kernel fields.
.section .rodata.user_frame_offsets, "a"
.balign 8
.globl swiftlet_user_frame_offsets
swiftlet_user_frame_offsets:
    .quad 8, TF_KERNEL_SATP, TF_KERNEL_SP, TF_KERNEL_TRAP, TF_CPU_RECORD
