// Interrupt and exception entry for all 256 vectors. Assembly because only
// assembly can save every register before Swift runs and return with iretq.
//
// Stub n sits at swiftlet_x86_vector_stubs + 16 * n (the IDT is filled from
// that). It makes every frame look alike: vectors where the CPU pushes no
// error code push a zero, then every stub pushes its vector number. The
// common part saves the general registers, so the stack holds a TrapFrame
// (TrapFrame.swift), and passes its address to `swiftlet_x86_trap`. Swift may
// change the saved registers (RIP, for one); they are restored from the
// frame before iretq.
//
// The CPU aligns RSP to 16 bytes before it pushes SS, RSP, RFLAGS, CS, RIP
// (5 slots); with the error code, the vector and 15 registers the frame is 22
// slots, 176 bytes, so RSP is 16-byte aligned again at the call.
// Kernel-mode traps only so far: no swapgs.

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
    PUSH_GENERAL_REGISTERS
    cld
    movq    %rsp, %rdi
    call    swiftlet_x86_trap
    POP_GENERAL_REGISTERS
    addq    $16, %rsp       // vector and error code
    iretq
