// Control and status register access for Swift. Swift has no inline
// assembly and a CSR's number is part of the instruction, so each register
// gets four tiny functions: read, write, set bits, clear bits. Each lives in
// its own section, so the linker drops the ones nobody calls.

#include "symbol_address.h"

.macro CSR_ACCESS name, csr
    .section .text.csr.read_\name, "ax"
    .globl swiftlet_csr_read_\name
swiftlet_csr_read_\name:
    csrr    a0, \csr
    ret

    .section .text.csr.write_\name, "ax"
    .globl swiftlet_csr_write_\name
swiftlet_csr_write_\name:
    csrw    \csr, a0
    ret

    .section .text.csr.set_\name, "ax"
    .globl swiftlet_csr_set_\name
swiftlet_csr_set_\name:
    csrs    \csr, a0
    ret

    .section .text.csr.clear_\name, "ax"
    .globl swiftlet_csr_clear_\name
swiftlet_csr_clear_\name:
    csrc    \csr, a0
    ret
.endm

// Machine mode (boot only).
CSR_ACCESS mstatus, mstatus
CSR_ACCESS medeleg, medeleg
CSR_ACCESS mideleg, mideleg
CSR_ACCESS mie, mie
CSR_ACCESS mcounteren, mcounteren
CSR_ACCESS menvcfg, 0x30a
CSR_ACCESS pmpcfg0, pmpcfg0
CSR_ACCESS pmpaddr0, pmpaddr0
CSR_ACCESS mtvec, mtvec
CSR_ACCESS mscratch, mscratch

// Supervisor mode.
CSR_ACCESS sstatus, sstatus
CSR_ACCESS sie, sie
CSR_ACCESS sip, sip
CSR_ACCESS stvec, stvec
CSR_ACCESS sepc, sepc
CSR_ACCESS scause, scause
CSR_ACCESS stval, stval
CSR_ACCESS sscratch, sscratch
CSR_ACCESS scounteren, scounteren
CSR_ACCESS satp, satp
CSR_ACCESS stimecmp, 0x14d

// Counters (read-only; the write functions would trap, nobody calls them).
    .section .text.csr.read_time, "ax"
    .globl swiftlet_csr_read_time
swiftlet_csr_read_time:
    csrr    a0, time
    ret

    .section .text.csr.read_instret, "ax"
    .globl swiftlet_csr_read_instret
swiftlet_csr_read_instret:
    csrr    a0, instret
    ret

// Instructions Swift cannot spell.
    .section .text.cpu.wfi, "ax"
    .globl swiftlet_wait_for_interrupt
swiftlet_wait_for_interrupt:
    wfi
    ret

    .section .text.cpu.ebreak, "ax"
    .globl swiftlet_breakpoint
    .globl swiftlet_breakpoint_instruction
// A deliberate breakpoint for the self-checks. The trap handler steps over
// the instruction at `swiftlet_breakpoint_instruction`, so this returns.
swiftlet_breakpoint:
swiftlet_breakpoint_instruction:
    ebreak
    ret

    .section .text.cpu.sfence, "ax"
    .globl swiftlet_sfence_vma
swiftlet_sfence_vma:
    sfence.vma zero, zero
    ret

// sfence.vma for one virtual address (a0), every address space.
    .section .text.cpu.sfence_page, "ax"
    .globl swiftlet_sfence_vma_page
swiftlet_sfence_vma_page:
    sfence.vma a0, zero
    ret

// Addresses the linker script defines, for Swift.

SYMBOL_ADDRESS swiftlet_kernel_image_start, __kernel_start
SYMBOL_ADDRESS swiftlet_kernel_text_end, __text_end
SYMBOL_ADDRESS swiftlet_kernel_rodata_end, __rodata_end
SYMBOL_ADDRESS swiftlet_kernel_image_end, __kernel_end
SYMBOL_ADDRESS swiftlet_trampoline_start, __trampoline
SYMBOL_ADDRESS swiftlet_guarded_stacks_start, __guarded_stacks
SYMBOL_ADDRESS swiftlet_boot_stacks_address, boot_stacks
SYMBOL_ADDRESS swiftlet_scratch_stack_address, swiftlet_scratch_stack
SYMBOL_ADDRESS swiftlet_guarded_stacks_end_address, swiftlet_guarded_stacks_end

SYMBOL_ADDRESS swiftlet_kernel_trap_vector_address, swiftlet_kernel_trap_vector
SYMBOL_ADDRESS swiftlet_breakpoint_instruction_address, swiftlet_breakpoint_instruction
SYMBOL_ADDRESS swiftlet_user_frame_offsets_address, swiftlet_user_frame_offsets
SYMBOL_ADDRESS swiftlet_kernel_frame_offsets_address, swiftlet_kernel_frame_offsets
SYMBOL_ADDRESS swiftlet_probe_read_instruction_address, swiftlet_probe_read_instruction
SYMBOL_ADDRESS swiftlet_probe_read_resume_address, swiftlet_probe_read_resume

// A one-byte read of a0 for the protection self-check (ProtectionChecks.swift):
// with the probe armed, a fault here resumes at the `ret`.
    .section .text.cpu.probe_read, "ax"
    .globl swiftlet_probe_read
swiftlet_probe_read:
    .globl swiftlet_probe_read_instruction
swiftlet_probe_read_instruction:
    lbu     a0, 0(a0)
    .globl swiftlet_probe_read_resume
swiftlet_probe_read_resume:
    ret

// Powers QEMU off through the test finisher at physical a1 with the value
// in a0. The device is not in the kernel page table (it is not part of the
// layout), so this turns paging off first; it runs from the kernel text,
// whose virtual and physical addresses are the same, and uses no stack.
    .section .text.cpu.power_off, "ax"
    .globl swiftlet_power_off
swiftlet_power_off:
    csrw    satp, zero
    sfence.vma zero, zero
    sw      a0, 0(a1)
1:  wfi
    j       1b
