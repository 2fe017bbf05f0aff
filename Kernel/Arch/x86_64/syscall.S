// The ways into the kernel with `syscall` and the way back to user mode.
// Assembly because the stack and every register must be switched by hand.
//
// Every process maps its own kernel stack at the same address (the Emerald
// layout's process kernel stack), and the top of that stack holds the
// process's saved user registers as a TrapFrame (frame.h, TrapFrame.swift):
// an interrupt from user mode leaves one there by itself (TSS.RSP0 is that
// top), and the system-call entries build the same frame by hand. So the way
// back is the same for all: restore the frame and `iretq`.
//
// The entry first swaps the GS base to this CPU's record (CPURecord.swift),
// whose entry scratch word holds the user stack pointer for the few
// instructions before the frame exists. `syscall` has cleared IF (SFMASK),
// so nothing can interrupt them; an NMI or a machine check runs on its own
// IST stack and finds its own way to the record (vectors.S).

#include "frame.h"

// The frame's vector for a system call from 64-bit mode, and for one from
// a 32-bit code segment (through CSTAR): no interrupt vector is this large.
#define SYSTEM_CALL_VECTOR 256
#define COMPATIBILITY_SYSTEM_CALL_VECTOR 257
// Descriptors.swift: user data (GDT entry 4), 32-bit user code (entry 3, not
// present) and 64-bit user code (entry 5), privilege 3.
#define USER_DATA 0x23
#define USER_CODE32 0x1B
#define USER_CODE 0x2B

// Builds the frame at the top of the process kernel stack: what the
// processor pushes for an interrupt (ss, rsp, rflags, cs, rip; syscall left
// rflags in r11 and the return address in rcx), error code 0, the vector,
// then the registers.
.macro SYSTEM_CALL_FRAME code, vector
    swapgs
    movq    %rsp, %gs:CPU_ENTRY_SCRATCH
    movq    swiftlet_x86_process_stack_top(%rip), %rsp
    pushq   $USER_DATA
    pushq   %gs:CPU_ENTRY_SCRATCH
    pushq   %r11
    pushq   $\code
    pushq   %rcx
    pushq   $0
    pushq   $\vector
    SAVE_REGISTERS
    SAVE_USER_GS_BASE
    cld
    xorl    %ebp, %ebp              // ends kernel backtraces here
    movq    %rsp, %rdi
.endm

    .section .text.system_call_entry, "ax"
    .globl swiftlet_x86_system_call_entry
    .type swiftlet_x86_system_call_entry, @function
swiftlet_x86_system_call_entry:
    SYSTEM_CALL_FRAME USER_CODE, SYSTEM_CALL_VECTOR
    // The frame is 28 slots (224 bytes) below a page boundary: rsp is
    // 16-byte aligned at the call. swiftlet_x86_system_call never returns;
    // it leaves through swiftlet_x86_return_to_user.
    call    swiftlet_x86_system_call
    ud2

// CSTAR: `syscall` from a 32-bit code segment lands here. Swiftlet offers no
// 32-bit code segment (its descriptor is not present), so this is only
// reached if one appears some other way; the process is killed
// (swiftlet_x86_compatibility_system_call) rather than served.
    .section .text.compatibility_system_call_entry, "ax"
    .globl swiftlet_x86_compatibility_system_call_entry
    .type swiftlet_x86_compatibility_system_call_entry, @function
swiftlet_x86_compatibility_system_call_entry:
    SYSTEM_CALL_FRAME USER_CODE32, COMPATIBILITY_SYSTEM_CALL_VECTOR
    call    swiftlet_x86_compatibility_system_call
    ud2

// return_to_user(frame = rdi): restores the user registers saved in the
// TrapFrame at rdi (the top of the process kernel stack) and returns to user
// mode with iretq. The kernel has checked the segments, rflags and rip in
// the frame (X86_64.returnToUser).
    .section .text.return_to_user, "ax"
    .globl swiftlet_x86_return_to_user
    .type swiftlet_x86_return_to_user, @function
swiftlet_x86_return_to_user:
    movq    %rdi, %rsp
    RESTORE_FOR_USER
    addq    $16, %rsp               // vector and error code
    iretq

// Addresses for Swift: the entries (for LSTAR and CSTAR) and the stack-top word.
    .section .text.system_call_addresses, "ax"
    .globl swiftlet_x86_system_call_entry_address
swiftlet_x86_system_call_entry_address:
    leaq    swiftlet_x86_system_call_entry(%rip), %rax
    ret
    .globl swiftlet_x86_compatibility_system_call_entry_address
swiftlet_x86_compatibility_system_call_entry_address:
    leaq    swiftlet_x86_compatibility_system_call_entry(%rip), %rax
    ret
    .globl swiftlet_x86_process_stack_top_address
swiftlet_x86_process_stack_top_address:
    leaq    swiftlet_x86_process_stack_top(%rip), %rax
    ret

    .section .bss.system_call, "aw", @nobits
    .balign 8
// Set once at boot (SystemCallEntry.install) from the layout table.
swiftlet_x86_process_stack_top:
    .quad   0
