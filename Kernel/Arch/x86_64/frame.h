// The 15 general registers of a TrapFrame (TrapFrame.swift), in its order:
// pushed after the vector and error code, popped before them. The interrupt
// entry (vectors.S) and the system-call entry (syscall.S) build the same
// frame, so one leaves through the other's exit.
.macro PUSH_GENERAL_REGISTERS
    pushq   %rax
    pushq   %rbx
    pushq   %rcx
    pushq   %rdx
    pushq   %rsi
    pushq   %rdi
    pushq   %rbp
    pushq   %r8
    pushq   %r9
    pushq   %r10
    pushq   %r11
    pushq   %r12
    pushq   %r13
    pushq   %r14
    pushq   %r15
.endm

.macro POP_GENERAL_REGISTERS
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %r11
    popq    %r10
    popq    %r9
    popq    %r8
    popq    %rbp
    popq    %rdi
    popq    %rsi
    popq    %rdx
    popq    %rcx
    popq    %rbx
    popq    %rax
.endm
