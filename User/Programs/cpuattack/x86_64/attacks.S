// cpuattack's x86-64 attacks (cases.c names them). Each is a function
// whose faulting instruction carries the label NAME_fault; none of them
// should get past it. If one does, it returns NOT_STOPPED (7).

#define USER_CODE32 0x1B    // GDT entry 3: 32-bit user code, not present
#define USER_DATA 0x23
#define KERNEL_CODE_RPL3 0x0B

#include "../attacks.h"

.macro NOT_STOPPED
    movl    $7, %eax
    ret
.endm

// Into compatibility mode through the 32-bit user code segment, by each
// instruction that loads CS from ring 3. Were it allowed, the 32-bit code
// below runs `syscall`, which enters the kernel through CSTAR.
ATTACK lret32
    pushq   $USER_CODE32
    leaq    compatibility_code(%rip), %rax
    pushq   %rax
FAULT lret32
    lretq
    NOT_STOPPED

ATTACK ljmp32
    leaq    far_pointer32(%rip), %rax
FAULT ljmp32
    ljmpl   *(%rax)
    NOT_STOPPED

ATTACK lcall32
    leaq    far_pointer32(%rip), %rax
FAULT lcall32
    lcalll  *(%rax)
    NOT_STOPPED

ATTACK iret32
    movq    %rsp, %rax
    pushq   $USER_DATA
    pushq   %rax
    pushfq
    pushq   $USER_CODE32
    leaq    compatibility_code(%rip), %rax
    pushq   %rax
FAULT iret32
    iretq
    NOT_STOPPED

// A data segment register loaded with the 32-bit code segment.
ATTACK load_ds32
    movl    $USER_CODE32, %eax
FAULT load_ds32
    movw    %ax, %ds
    NOT_STOPPED

// Far jump to the kernel's code segment.
ATTACK ljmp_kernel
    leaq    far_pointer_kernel(%rip), %rax
FAULT ljmp_kernel
    ljmpl   *(%rax)
    NOT_STOPPED

// `int n` through gates of privilege 0: the system-call vector of other
// systems, the timer's, the NMI's, the machine check's, the page fault's.
.macro INT_ATTACK vector
ATTACK int\vector
FAULT int\vector
    int     $\vector
    NOT_STOPPED
.endm
INT_ATTACK 0x80
INT_ATTACK 0x20
INT_ATTACK 2
INT_ATTACK 18
INT_ATTACK 14

// int1 (icebp) raises a debug trap from any privilege; it ends the process
// like any unexpected trap. A trap: the report's pc is the next instruction.
ATTACK icebp
    .byte   0xF1
FAULT icebp
    NOT_STOPPED

ATTACK sysenter
FAULT sysenter
    sysenter
    NOT_STOPPED

// UMIP: the descriptor-table and machine-status stores.
.macro STORE_ATTACK name, instruction
ATTACK \name
    subq    $16, %rsp
FAULT \name
    \instruction
    addq    $16, %rsp
    NOT_STOPPED
.endm
STORE_ATTACK sgdt, "sgdt (%rsp)"
STORE_ATTACK sidt, "sidt (%rsp)"
STORE_ATTACK sldt, "sldt %ax"
STORE_ATTACK smsw, "smsw %ax"
STORE_ATTACK str, "str %ax"

// Privileged instructions and ports: QEMU's exit device at 0xf4, the
// interrupt flag, halting, MSRs, the GDT, swapgs.
ATTACK out_exit_port
    movl    $0xF4, %edx
    xorl    %eax, %eax
FAULT out_exit_port
    outl    %eax, %dx
    NOT_STOPPED

ATTACK cli
FAULT cli
    cli
    NOT_STOPPED

ATTACK hlt
FAULT hlt
    hlt
    NOT_STOPPED

ATTACK rdmsr
    movl    $0xC0000082, %ecx    // LSTAR: where the kernel's entry is
FAULT rdmsr
    rdmsr
    NOT_STOPPED

ATTACK lgdt
    subq    $16, %rsp
    movq    $0, (%rsp)
    movq    $0, 8(%rsp)
FAULT lgdt
    lgdt    (%rsp)
    addq    $16, %rsp
    NOT_STOPPED

ATTACK swapgs
FAULT swapgs
    swapgs
    NOT_STOPPED

// The GS base is the CPU's record (Kernel/Process/CPURecord.swift) only in
// kernel mode: after a system call (swapgs in, swapgs out) a read through
// gs uses the user's base, 0 from the user data selector, and faults at
// address 8, never reaching the kernel's record.
ATTACK gs_after_syscall
    movl    $USER_DATA, %eax
    movw    %ax, %gs
    movl    $11, %eax            // getpid
    syscall
FAULT gs_after_syscall
    movq    %gs:8, %rax
    NOT_STOPPED

// A system call from the last bytes of the lower canonical half: the
// return address is 0x0000_8000_0000_0000, which iretq must never be given.
ATTACK noncanonical_return
    movl    $11, %eax            // getpid
    movabsq $edge_syscall, %rcx
    jmp     *%rcx

// The segment selectors a process sees: set all four, read them back.
// set_data_segments(selector = di); read_data_segments(out = rdi): ds, es, fs, gs.
    .section .text.set_data_segments, "ax"
    .globl set_data_segments
set_data_segments:
    movw    %di, %ds
    movw    %di, %es
    movw    %di, %fs
    movw    %di, %gs
    ret

    .section .text.read_data_segments, "ax"
    .globl read_data_segments
read_data_segments:
    xorl    %eax, %eax
    movw    %ds, %ax
    movq    %rax, 0(%rdi)
    movw    %es, %ax
    movq    %rax, 8(%rdi)
    movw    %fs, %ax
    movq    %rax, 16(%rdi)
    movw    %gs, %ax
    movq    %rax, 24(%rdi)
    ret

    .section .rodata.far_pointers, "a"
    .balign 8
far_pointer32:
    .long   compatibility_code
    .word   USER_CODE32
    .balign 8
far_pointer_kernel:
    .long   compatibility_code
    .word   KERNEL_CODE_RPL3

// Reached only if the kernel lets ring 3 into compatibility mode: a 32-bit
// `syscall` (CSTAR), then an endless loop.
    .section .text.compatibility_code, "ax"
    .code32
compatibility_code:
    movl    $11, %eax
    syscall
1:  jmp     1b
    .code64

// The page just below 0x0000_8000_0000_0000 (placed there by the link,
// see user.mk): `syscall` in its last two bytes.
    .section .edge, "ax"
    .globl edge_syscall
    .skip   4094, 0x90
edge_syscall:
    syscall
