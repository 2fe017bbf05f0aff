// Kernel threads on x86-64: the context switch between the scheduler and a
// process's kernel side, and running a function on another stack. Assembly
// because only assembly can move the stack pointer.

// switch_context(from = rdi, to = rsi): saves the running kernel thread into
// *from and resumes the one saved in *to. Only what the System V ABI makes
// the callee keep is saved (rbx, rbp, r12-r15, rsp) plus where to resume;
// the caller has saved everything else. Layout, matching KernelContext in
// KernelContext.swift: rip, rsp, rbx, rbp, r12, r13, r14, r15.
// The resumed thread continues at its rip with rsp as saved, which is what
// a `ret` from its own switch_context call would leave: a new thread's
// context therefore holds rsp = 8 (mod 16), as at any function's entry.
    .section .text.switch_context, "ax"
    .globl switch_context
    .type switch_context, @function
switch_context:
    popq    %rax                // the return address
    movq    %rax, 0(%rdi)
    movq    %rsp, 8(%rdi)
    movq    %rbx, 16(%rdi)
    movq    %rbp, 24(%rdi)
    movq    %r12, 32(%rdi)
    movq    %r13, 40(%rdi)
    movq    %r14, 48(%rdi)
    movq    %r15, 56(%rdi)

    movq    8(%rsi), %rsp
    movq    16(%rsi), %rbx
    movq    24(%rsi), %rbp
    movq    32(%rsi), %r12
    movq    40(%rsi), %r13
    movq    48(%rsi), %r14
    movq    56(%rsi), %r15
    jmpq    *0(%rsi)

// call_on_stack(argument = rdi, function = rsi, stackTop = rdx): runs
// function(argument) with rsp just below stackTop (rounded down to 16 bytes)
// and returns its result. The stack pointer it leaves is kept in
// swiftlet_x86_call_on_stack_left: exec moves the live part of the process
// kernel stack (everything above it) into a new address space.
    .section .text.call_on_stack, "ax"
    .globl call_on_stack
    .type call_on_stack, @function
call_on_stack:
    pushq   %rbp
    movq    %rsp, %rbp
    movq    %rsp, swiftlet_x86_call_on_stack_left(%rip)
    andq    $-16, %rdx
    movq    %rdx, %rsp
    callq   *%rsi
    movq    %rbp, %rsp
    popq    %rbp
    ret

    .section .text.call_on_stack_left_address, "ax"
    .globl swiftlet_x86_call_on_stack_left_address
swiftlet_x86_call_on_stack_left_address:
    leaq    swiftlet_x86_call_on_stack_left(%rip), %rax
    ret

    .section .bss.call_on_stack_left, "aw", @nobits
    .balign 8
swiftlet_x86_call_on_stack_left:
    .quad   0
