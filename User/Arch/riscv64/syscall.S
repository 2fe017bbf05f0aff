# Swiftlet system-call stubs for RISC-V: the number goes in a7, the
# arguments are already in a0-a5 where the C calling convention put them,
# and the kernel's result comes back in a0.

.macro syscall_stub name, number
    .section .text.\name, "ax", @progbits
    .globl \name
    .type \name, @function
    .p2align 2
\name:
    li a7, \number
    ecall
    ret
    .size \name, . - \name
.endm

#define SYSCALL(name, number) syscall_stub name, number
#include "syscalls.def"

# long usyscall(long number, long a0, ..., long a5): any call, raw arguments.
    .section .text.usyscall, "ax", @progbits
    .globl usyscall
    .type usyscall, @function
    .p2align 2
usyscall:
    mv a7, a0
    mv a0, a1
    mv a1, a2
    mv a2, a3
    mv a3, a4
    mv a4, a5
    mv a5, a6
    ecall
    ret
    .size usyscall, . - usyscall
