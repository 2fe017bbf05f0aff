# Process entry on RISC-V. exec leaves argc in a0, argv in a1 and a
# 16-byte-aligned stack; a returning main's value becomes the exit status.
    .section .text._start, "ax", @progbits
    .globl _start
    .type _start, @function
    .p2align 2
_start:
    li ra, 0            # no caller: ends backtraces here
    li s0, 0
    call main
    call exit           # status already in a0
1:  j 1b
    .size _start, . - _start
