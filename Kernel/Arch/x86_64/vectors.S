// Interrupt and exception entry for all 256 vectors. Assembly because only
// assembly can save every register before Swift runs and return with iretq.
//
// Stub n sits at swiftlet_x86_vector_stubs + 16 * n (the IDT is filled from
// that). It makes every frame look alike: vectors where the CPU pushes no
// error code push a zero, then every stub pushes its vector number. The
// common part saves the general registers and the segment state, so the
// stack holds a TrapFrame (frame.h, TrapFrame.swift), and passes its address
// to `swiftlet_x86_trap`. Swift may change the saved registers (RIP, for
// one); they are restored from the frame before iretq.
//
// The CPU aligns RSP to 16 bytes before it pushes SS, RSP, RFLAGS, CS, RIP
// (5 slots); with the error code, the vector, 15 registers and 6 slots of
// segment state the frame is 28 slots, 224 bytes, so RSP is 16-byte aligned
// again at the call.
//
// The GS base: in kernel mode it holds the CPU's record (CPURecord.swift),
// in user mode the user's; swapgs exchanges it with KERNEL_GS_BASE. An entry
// from user mode (CS at privilege 3) swaps. An entry from kernel mode
// normally finds the kernel's base in use, except when an NMI or machine
// check lands between a swapgs and its iretq, or on the first instruction
// of the system-call entry: then the base in use is the user's, which is
// never a kernel address (TrapFrame.sanitizeForUser keeps it in the lower
// half), so its sign bit says which one it is. r12 (callee-saved) remembers
// whether this entry swapped, so the exit swaps back.

#include "frame.h"

#define STUB_BYTES 16

    .section .text.vectors, "ax"
    .balign STUB_BYTES
    .globl swiftlet_x86_vector_stubs
swiftlet_x86_vector_stubs:
    .set vector, 0
    .rept 256
    .balign STUB_BYTES
    // The vectors whose exceptions push an error code: #DF, #TS, #NP, #SS,
    // #GP, #PF, #AC, #CP, #VC, #SX.
    .if (vector == 8) || (vector == 10) || (vector == 11) || (vector == 12) || (vector == 13) || (vector == 14) || (vector == 17) || (vector == 21) || (vector == 29) || (vector == 30)
    pushq   $vector
    .else
    pushq   $0
    pushq   $vector
    .endif
    jmp     trap_common
    .set vector, vector + 1
    .endr
    .globl swiftlet_x86_vector_stubs_end
swiftlet_x86_vector_stubs_end:

trap_common:
    SAVE_REGISTERS
    xorl    %r12d, %r12d
    testb   $3, FRAME_CS(%rsp)
    jnz     1f
    movl    $MSR_GS_BASE, %ecx
    rdmsr
    testl   %edx, %edx
    js      2f                      // the kernel's base: nothing to swap
1:  swapgs
    movl    $1, %r12d
2:  SAVE_USER_GS_BASE
    cld
    // RFLAGS.AC from user mode (popf may set it) would lift SMAP for the
    // whole handler: clear it, as `syscall` does through SFMASK.
    pushfq
    andq    $~(1 << 18), (%rsp)
    popfq
    movq    %rsp, %rdi
    call    swiftlet_x86_trap
    testl   %r12d, %r12d
    jz      3f
    testb   $3, FRAME_CS(%rsp)
    jz      4f
    RESTORE_FOR_USER                // an NMI from user mode returns here
    addq    $16, %rsp
    iretq
4:  RESTORE_FOR_KERNEL              // an entry or exit window: swap back
    swapgs
    addq    $16, %rsp
    iretq
3:  RESTORE_FOR_KERNEL
    addq    $16, %rsp       // vector and error code
    iretq

// The frame's offsets as assembled, for the boot check that compares them
// with Swift's TrapFrame (FrameLayoutCheck.swift), in TrapFrame's field order.
    .section .rodata.frame_offsets, "a"
    .balign 8
    .globl swiftlet_x86_frame_offsets
swiftlet_x86_frame_offsets:
    .quad FRAME_FS_BASE, FRAME_GS_BASE, FRAME_DS, FRAME_ES, FRAME_FS, FRAME_GS
    .quad FRAME_R15, FRAME_R14, FRAME_R13, FRAME_R12, FRAME_R11, FRAME_R10, FRAME_R9, FRAME_R8
    .quad FRAME_RBP, FRAME_RDI, FRAME_RSI, FRAME_RDX, FRAME_RCX, FRAME_RBX, FRAME_RAX
    .quad FRAME_VECTOR, FRAME_ERROR_CODE, FRAME_RIP, FRAME_CS, FRAME_RFLAGS, FRAME_RSP, FRAME_SS
    .quad FRAME_BYTES

    .section .text.frame_offsets_address, "ax"
    .globl swiftlet_x86_frame_offsets_address
swiftlet_x86_frame_offsets_address:
    leaq    swiftlet_x86_frame_offsets(%rip), %rax
    ret
