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
// again at the call. The kernel uses no gs: no swapgs.

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
    cld
    // RFLAGS.AC from user mode (popf may set it) would lift SMAP for the
    // whole handler: clear it, as `syscall` does through SFMASK.
    pushfq
    andq    $~(1 << 18), (%rsp)
    popfq
    movq    %rsp, %rdi
    call    swiftlet_x86_trap
    RESTORE_REGISTERS
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
