/* The instructions of the hot paths (every trap, every spinlock), inline.
   Swift has no inline assembly; these `static inline` functions reach it as
   the Clang module RiscV64Instructions (module.modulemap beside this file,
   the Makefile's -I), and the optimizer inlines them into the Swift code:
   one instruction where a call into csr.S or percpu.S cost a call, a
   return and the registers spilled around them (docs/benchmarks.md).
   CSR.swift and Platform.swift wrap them in the names the kernel uses.

   Every one is `volatile` (never merged with another or moved away: tp
   changes when a process moves to another hart at a switch), and those
   that order memory or change the interrupt state also clobber "memory",
   so the compiler keeps loads and stores on their side, as it did around
   the calls. */
#ifndef SWIFTLET_RISCV64_INSTRUCTIONS_H
#define SWIFTLET_RISCV64_INSTRUCTIONS_H

#define SWIFTLET_INLINE static inline __attribute__((always_inline))

/* tp: this hart's CPURecord in kernel mode (percpu.S says how it gets there). */
SWIFTLET_INLINE unsigned long long swiftlet_inline_read_tp(void) {
    unsigned long long value;
    __asm__ volatile("mv %0, tp" : "=r"(value));
    return value;
}

SWIFTLET_INLINE unsigned long long swiftlet_inline_read_sstatus(void) {
    unsigned long long value;
    __asm__ volatile("csrr %0, sstatus" : "=r"(value)::"memory");
    return value;
}

SWIFTLET_INLINE void swiftlet_inline_set_sstatus(unsigned long long bits) {
    __asm__ volatile("csrs sstatus, %0" ::"r"(bits) : "memory");
}

SWIFTLET_INLINE void swiftlet_inline_clear_sstatus(unsigned long long bits) {
    __asm__ volatile("csrc sstatus, %0" ::"r"(bits) : "memory");
}

/* The old sstatus, with SIE (bit 1) cleared: one instruction. */
SWIFTLET_INLINE unsigned long long swiftlet_inline_disable_interrupts(void) {
    unsigned long long value;
    __asm__ volatile("csrrci %0, sstatus, 2" : "=r"(value)::"memory");
    return value;
}

SWIFTLET_INLINE unsigned long long swiftlet_inline_read_sepc(void) {
    unsigned long long value;
    __asm__ volatile("csrr %0, sepc" : "=r"(value));
    return value;
}

SWIFTLET_INLINE void swiftlet_inline_write_sepc(unsigned long long value) {
    __asm__ volatile("csrw sepc, %0" ::"r"(value));
}

SWIFTLET_INLINE unsigned long long swiftlet_inline_read_scause(void) {
    unsigned long long value;
    __asm__ volatile("csrr %0, scause" : "=r"(value));
    return value;
}

SWIFTLET_INLINE unsigned long long swiftlet_inline_read_stval(void) {
    unsigned long long value;
    __asm__ volatile("csrr %0, stval" : "=r"(value));
    return value;
}

SWIFTLET_INLINE void swiftlet_inline_write_stvec(unsigned long long value) {
    __asm__ volatile("csrw stvec, %0" ::"r"(value) : "memory");
}

/* The spinlock word: swap ordered both ways, clear with release order,
   load with acquire order (as percpu.S's functions of the same names). */
SWIFTLET_INLINE unsigned int swiftlet_inline_atomic_swap32(unsigned int *word, unsigned int value) {
    unsigned int old;
    __asm__ volatile("amoswap.w.aqrl %0, %2, (%1)" : "=r"(old) : "r"(word), "r"(value) : "memory");
    return old;
}

SWIFTLET_INLINE void swiftlet_inline_atomic_clear32(unsigned int *word) {
    __asm__ volatile("amoswap.w.rl zero, zero, (%0)" ::"r"(word) : "memory");
}

SWIFTLET_INLINE unsigned int swiftlet_inline_atomic_load32(unsigned int *word) {
    unsigned int value;
    __asm__ volatile("lw %0, 0(%1)\n\tfence r, rw" : "=r"(value) : "r"(word) : "memory");
    return value;
}

#endif
