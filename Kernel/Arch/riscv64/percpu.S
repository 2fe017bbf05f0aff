// Setting the per-CPU record's register, for Swift (which has neither
// inline assembly nor a way to name tp). Reading tp and the atomic
// instructions of the locks are inline (include/riscv64_instructions.h).
//
// In kernel mode tp holds the address of this hart's CPURecord
// (Kernel/Process/CPURecord.swift): entry.S leaves the hart id there, and
// the supervisor start replaces it with the record's address before any
// trap can come. User code may change tp: the trampoline saves the user's
// value in the trap frame and loads the kernel's from the frame's
// cpuRecord field, which the kernel fills in before every return.

    .section .text.percpu.write_tp, "ax"
    .globl swiftlet_riscv_write_tp
swiftlet_riscv_write_tp:
    mv      tp, a0
    ret

    .section .text.percpu.fault_stacks_address, "ax"
    .globl swiftlet_fault_stacks_address
swiftlet_fault_stacks_address:
    la      a0, swiftlet_fault_stacks
    ret
