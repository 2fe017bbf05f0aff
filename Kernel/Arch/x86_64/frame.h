// The TrapFrame (TrapFrame.swift), lowest address first: the user's segment
// state (FS/GS bases, then ds, es, fs, gs), the 15 general registers, the
// vector and error code, then what the processor pushes for an interrupt
// (rip, cs, rflags, rsp, ss). The interrupt entry (vectors.S) and the
// system-call entries (syscall.S) build the same frame, so one leaves
// through the other's exit. These offsets are the one source of the layout:
// the macros below store and load by them, and swiftlet_x86_frame_offsets
// exports them so that the boot check (FrameLayoutCheck.swift) compares
// them with Swift's layout of TrapFrame.

#define FRAME_FS_BASE 0
#define FRAME_GS_BASE 8
#define FRAME_DS 16
#define FRAME_ES 24
#define FRAME_FS 32
#define FRAME_GS 40
#define FRAME_R15 48
#define FRAME_R14 56
#define FRAME_R13 64
#define FRAME_R12 72
#define FRAME_R11 80
#define FRAME_R10 88
#define FRAME_R9 96
#define FRAME_R8 104
#define FRAME_RBP 112
#define FRAME_RDI 120
#define FRAME_RSI 128
#define FRAME_RDX 136
#define FRAME_RCX 144
#define FRAME_RBX 152
#define FRAME_RAX 160
// What the stubs push (vector last, so lower), then the processor's part.
#define FRAME_VECTOR 168
#define FRAME_ERROR_CODE 176
#define FRAME_RIP 184
#define FRAME_CS 192
#define FRAME_RFLAGS 200
#define FRAME_RSP 208
#define FRAME_SS 216
#define FRAME_BYTES 224

#define MSR_FS_BASE 0xC0000100
#define MSR_GS_BASE 0xC0000101
#define MSR_KERNEL_GS_BASE 0xC0000102

// CPURecord's entry scratch word (Kernel/Process/CPURecord.swift; the boot
// checks the offset), reached through the GS base in kernel mode.
#define CPU_ENTRY_SCRATCH 8

// Below the vector: make room, then store every general register and the
// segment state but the GS base (SAVE_USER_GS_BASE, after the swapgs).
// Kernel code uses none of ds, es, fs, gs or the FS base, so a trap only has
// to keep the interrupted values; the GS base in kernel mode is the CPU's
// record, exchanged with the user's by swapgs on every entry from user mode.
.macro SAVE_REGISTERS
    subq    $FRAME_VECTOR, %rsp
    movq    %rax, FRAME_RAX(%rsp)
    movq    %rbx, FRAME_RBX(%rsp)
    movq    %rcx, FRAME_RCX(%rsp)
    movq    %rdx, FRAME_RDX(%rsp)
    movq    %rsi, FRAME_RSI(%rsp)
    movq    %rdi, FRAME_RDI(%rsp)
    movq    %rbp, FRAME_RBP(%rsp)
    movq    %r8, FRAME_R8(%rsp)
    movq    %r9, FRAME_R9(%rsp)
    movq    %r10, FRAME_R10(%rsp)
    movq    %r11, FRAME_R11(%rsp)
    movq    %r12, FRAME_R12(%rsp)
    movq    %r13, FRAME_R13(%rsp)
    movq    %r14, FRAME_R14(%rsp)
    movq    %r15, FRAME_R15(%rsp)
    xorl    %eax, %eax
    movw    %ds, %ax
    movq    %rax, FRAME_DS(%rsp)
    movw    %es, %ax
    movq    %rax, FRAME_ES(%rsp)
    movw    %fs, %ax
    movq    %rax, FRAME_FS(%rsp)
    movw    %gs, %ax
    movq    %rax, FRAME_GS(%rsp)
    movl    $MSR_FS_BASE, %ecx
    rdmsr
    movl    %eax, FRAME_FS_BASE(%rsp)
    movl    %edx, FRAME_FS_BASE + 4(%rsp)
.endm

// The user's GS base into the frame. Run after the entry's swapgs, when
// KERNEL_GS_BASE holds it (in kernel mode the GS base in use is the CPU's
// record, Kernel/Process/CPURecord.swift).
.macro SAVE_USER_GS_BASE
    movl    $MSR_KERNEL_GS_BASE, %ecx
    rdmsr
    movl    %eax, FRAME_GS_BASE(%rsp)
    movl    %edx, FRAME_GS_BASE + 4(%rsp)
.endm

// The reverse, ending with rsp at the vector. RESTORE_SEGMENTS_BUT_GS puts
// back ds, es, fs and the FS base: the selectors first, because loading fs
// also loads a base from the descriptor, which the saved base then replaces.
// The kernel checked the selectors and bases (TrapFrame.sanitizeForUser)
// for a return to user mode; a kernel-mode trap gets back what it had.
.macro RESTORE_SEGMENTS_BUT_GS
    movq    FRAME_DS(%rsp), %rax
    movw    %ax, %ds
    movq    FRAME_ES(%rsp), %rax
    movw    %ax, %es
    movq    FRAME_FS(%rsp), %rax
    movw    %ax, %fs
    movl    $MSR_FS_BASE, %ecx
    movl    FRAME_FS_BASE(%rsp), %eax
    movl    FRAME_FS_BASE + 4(%rsp), %edx
    wrmsr
.endm

.macro RESTORE_GENERAL_REGISTERS
    movq    FRAME_R15(%rsp), %r15
    movq    FRAME_R14(%rsp), %r14
    movq    FRAME_R13(%rsp), %r13
    movq    FRAME_R12(%rsp), %r12
    movq    FRAME_R11(%rsp), %r11
    movq    FRAME_R10(%rsp), %r10
    movq    FRAME_R9(%rsp), %r9
    movq    FRAME_R8(%rsp), %r8
    movq    FRAME_RBP(%rsp), %rbp
    movq    FRAME_RDI(%rsp), %rdi
    movq    FRAME_RSI(%rsp), %rsi
    movq    FRAME_RDX(%rsp), %rdx
    movq    FRAME_RCX(%rsp), %rcx
    movq    FRAME_RBX(%rsp), %rbx
    movq    FRAME_RAX(%rsp), %rax
    addq    $FRAME_VECTOR, %rsp
.endm

// Back to kernel mode: gs and both GS bases stay as they are (kernel code
// never changes them).
.macro RESTORE_FOR_KERNEL
    RESTORE_SEGMENTS_BUT_GS
    RESTORE_GENERAL_REGISTERS
.endm

// Back to user mode: swapgs leaves the CPU's record in KERNEL_GS_BASE for the
// next entry; then the user's gs selector (which loads base 0 from its
// descriptor) and the user's GS base from the frame. From the swapgs to the
// iretq the GS base in use is the user's: an NMI or machine check there
// finds it not a kernel address and swaps for itself (vectors.S).
.macro RESTORE_FOR_USER
    RESTORE_SEGMENTS_BUT_GS
    swapgs
    movq    FRAME_GS(%rsp), %rax
    movw    %ax, %gs
    movl    $MSR_GS_BASE, %ecx
    movl    FRAME_GS_BASE(%rsp), %eax
    movl    FRAME_GS_BASE + 4(%rsp), %edx
    wrmsr
    RESTORE_GENERAL_REGISTERS
.endm
