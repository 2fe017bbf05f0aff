# switch_context(from, to): saves the callee-saved registers of the running
# kernel thread into *from and resumes the one saved in *to. Everything else
# was saved by the caller under the calling convention. Layout: ra, sp, s0-s11
# (14 slots of 8 bytes), matching KernelContext in Context.swift.
.section .text
.globl switch_context
switch_context:
    sd ra, 0(a0)
    sd sp, 8(a0)
    sd s0, 16(a0)
    sd s1, 24(a0)
    sd s2, 32(a0)
    sd s3, 40(a0)
    sd s4, 48(a0)
    sd s5, 56(a0)
    sd s6, 64(a0)
    sd s7, 72(a0)
    sd s8, 80(a0)
    sd s9, 88(a0)
    sd s10, 96(a0)
    sd s11, 104(a0)

    ld ra, 0(a1)
    ld sp, 8(a1)
    ld s0, 16(a1)
    ld s1, 24(a1)
    ld s2, 32(a1)
    ld s3, 40(a1)
    ld s4, 48(a1)
    ld s5, 56(a1)
    ld s6, 64(a1)
    ld s7, 72(a1)
    ld s8, 80(a1)
    ld s9, 88(a1)
    ld s10, 96(a1)
    ld s11, 104(a1)
    ret

# call_on_stack(argument, function, stackTop): runs function(argument) on
# another stack and returns its result. exec loads a program on its own
# larger stack (see Exec.swift): a process's kernel stack is one page.
.section .text
.globl call_on_stack
call_on_stack:
    addi sp, sp, -16
    sd ra, 8(sp)
    sd s0, 0(sp)
    mv s0, sp
    mv sp, a2
    jalr a1
    mv sp, s0
    ld s0, 0(sp)
    ld ra, 8(sp)
    addi sp, sp, 16
    ret

# overflow_stack: runs the stack down until it faults, for the check image
# that proves a kernel stack overflow hits the guard page below the stack.
.section .text
.globl swiftlet_overflow_stack
swiftlet_overflow_stack:
1:  addi sp, sp, -512
    sd zero, 0(sp)
    j 1b
