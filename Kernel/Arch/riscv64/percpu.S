// The per-CPU record's register and the atomic instructions of the locks,
// for Swift (which has neither inline assembly nor a way to name tp).
//
// In kernel mode tp holds the address of this hart's CPURecord
// (Kernel/Process/CPURecord.swift): entry.S leaves the hart id there, and
// the supervisor start replaces it with the record's address before any
// trap can come. User code may change tp: the trampoline saves the user's
// value in the trap frame and loads the kernel's from the frame's
// cpuRecord field, which the kernel fills in before every return.

    .section .text.percpu.read_tp, "ax"
    .globl swiftlet_riscv_read_tp
swiftlet_riscv_read_tp:
    mv      a0, tp
    ret

    .section .text.percpu.write_tp, "ax"
    .globl swiftlet_riscv_write_tp
swiftlet_riscv_write_tp:
    mv      tp, a0
    ret

// atomic_swap32(word = a0, value = a1) -> the old value, ordered both ways
// (a spinlock's later accesses stay after it; a shootdown request's range
// is visible before its pending word).
    .section .text.percpu.atomic_swap32, "ax"
    .globl swiftlet_atomic_swap32
swiftlet_atomic_swap32:
    amoswap.w.aqrl a0, a1, (a0)
    ret

// atomic_load32(word = a0) -> the word, with acquire ordering (later
// accesses stay after it).
    .section .text.percpu.atomic_load32, "ax"
    .globl swiftlet_atomic_load32
swiftlet_atomic_load32:
    lw      a0, 0(a0)
    fence   r, rw
    ret

// atomic_clear32(word = a0): stores 0 with release ordering (a spinlock's
// earlier accesses are visible before it).
    .section .text.percpu.atomic_clear32, "ax"
    .globl swiftlet_atomic_clear32
swiftlet_atomic_clear32:
    amoswap.w.rl zero, zero, (a0)
    ret

    .section .text.percpu.fault_stacks_address, "ax"
    .globl swiftlet_fault_stacks_address
swiftlet_fault_stacks_address:
    la      a0, swiftlet_fault_stacks
    ret
