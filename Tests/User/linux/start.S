# Process entry for running Swiftlet's x86-64 user programs as Linux
# processes (host tests only): Linux leaves argc at (%rsp) and argv above it,
# where Swiftlet's exec passes them in rdi and rsi.
    .text
    .globl _start
    .type _start, @function
_start:
    xorl %ebp, %ebp
    movq (%rsp), %rdi
    leaq 8(%rsp), %rsi
    andq $-16, %rsp
    call main
    movl %eax, %edi
    call exit
    ud2
