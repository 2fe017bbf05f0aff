# Swiftlet system-call stubs for x86-64: the number goes in rax and the
# arguments in rdi, rsi, rdx, r10, r8, r9. The C convention passes the
# fourth argument in rcx, which `syscall` overwrites, hence the move to
# r10. The result comes back in rax; rcx and r11 are clobbered, and both
# are caller-saved in C anyway.

.macro syscall_stub name, number
    .section .text.\name, "ax", @progbits
    .globl \name
    .type \name, @function
    .p2align 4
\name:
    movl $\number, %eax
    movq %rcx, %r10
    syscall
    ret
    .size \name, . - \name
.endm

#define SYSCALL(name, number) syscall_stub name, number
#include "syscalls.def"

# long usyscall(long number, long a0, ..., long a5): any call, raw arguments.
# The seventh C argument (a5) is on the stack above the return address.
    .section .text.usyscall, "ax", @progbits
    .globl usyscall
    .type usyscall, @function
    .p2align 4
usyscall:
    movq %rdi, %rax
    movq %rsi, %rdi
    movq %rdx, %rsi
    movq %rcx, %rdx
    movq %r8, %r10
    movq %r9, %r8
    movq 8(%rsp), %r9
    syscall
    ret
    .size usyscall, . - usyscall
