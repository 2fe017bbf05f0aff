// The way into the kernel with `syscall` and the way back to user mode.
// Assembly because the stack and every register must be switched by hand.
//
// Every process maps its own kernel stack at the same address (the Emerald
// layout's process kernel stack), and the top of that stack holds the
// process's saved user registers as a TrapFrame (TrapFrame.swift): an
// interrupt from user mode leaves one there by itself (TSS.RSP0 is that
// top), and the system-call entry builds the same frame by hand. So the way
// back is the same for both: restore the frame and `iretq`.
//
// One processor runs processes, so a single scratch word holds the user
// stack pointer for the few instructions before the frame exists. `syscall`
// has cleared IF (SFMASK), so nothing can interrupt them; an NMI runs on its
// own IST stack.

#include "frame.h"

// The frame's vector for a system call: no interrupt vector is this large.
#define SYSTEM_CALL_VECTOR 256
// Descriptors.swift: user data (GDT entry 4) and 64-bit user code (entry 5),
// privilege 3. returnToUser() stores them again before every return.
#define USER_DATA 0x23
#define USER_CODE 0x2B

    .section .text.system_call_entry, "ax"
    .globl swiftlet_x86_system_call_entry
    .type swiftlet_x86_system_call_entry, @function
swiftlet_x86_system_call_entry:
    movq    %rsp, system_call_user_rsp(%rip)
    movq    swiftlet_x86_process_stack_top(%rip), %rsp
    // What the processor pushes for an interrupt: ss, rsp, rflags, cs, rip;
    // syscall left rflags in r11 and the return address in rcx.
    pushq   $USER_DATA
    pushq   system_call_user_rsp(%rip)
    pushq   %r11
    pushq   $USER_CODE
    pushq   %rcx
    pushq   $0                      // error code
    pushq   $SYSTEM_CALL_VECTOR
    // The general registers, as the interrupt entry saves them (frame.h).
    PUSH_GENERAL_REGISTERS
    xorl    %ebp, %ebp              // ends kernel backtraces here
    movq    %rsp, %rdi
    // The frame is 22 slots (176 bytes) below a page boundary: rsp is
    // 16-byte aligned at the call. swiftlet_x86_system_call never returns;
    // it leaves through swiftlet_x86_return_to_user.
    call    swiftlet_x86_system_call
    ud2

// return_to_user(frame = rdi): restores the user registers saved in the
// TrapFrame at rdi (the top of the process kernel stack) and returns to user
// mode with iretq. The kernel has checked cs, ss and rflags in the frame.
    .section .text.return_to_user, "ax"
    .globl swiftlet_x86_return_to_user
    .type swiftlet_x86_return_to_user, @function
swiftlet_x86_return_to_user:
    movq    %rdi, %rsp
    POP_GENERAL_REGISTERS
    addq    $16, %rsp               // vector and error code
    iretq

// Addresses for Swift: the entry (for LSTAR) and the stack-top word.
    .section .text.system_call_addresses, "ax"
    .globl swiftlet_x86_system_call_entry_address
swiftlet_x86_system_call_entry_address:
    leaq    swiftlet_x86_system_call_entry(%rip), %rax
    ret
    .globl swiftlet_x86_process_stack_top_address
swiftlet_x86_process_stack_top_address:
    leaq    swiftlet_x86_process_stack_top(%rip), %rax
    ret

    .section .bss.system_call, "aw", @nobits
    .balign 8
system_call_user_rsp:
    .quad   0
// Set once at boot (SystemCallEntry.install) from the layout table.
swiftlet_x86_process_stack_top:
    .quad   0
