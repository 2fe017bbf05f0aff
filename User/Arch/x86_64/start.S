# Process entry on x86-64. exec leaves argc in rdi and argv in rsi; the
# stack is aligned here so that main sees the alignment the ABI promises.
# A returning main's value becomes the exit status.
    .section .text._start, "ax", @progbits
    .globl _start
    .type _start, @function
    .p2align 4
_start:
    xorl %ebp, %ebp     # no caller: ends backtraces here
    andq $-16, %rsp
    call main
    movl %eax, %edi
    call exit
1:  ud2
    jmp 1b
    .size _start, . - _start
