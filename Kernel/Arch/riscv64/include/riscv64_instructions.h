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

/* The CSR accessors, one macro each way: `csrr` into a value, and `op`
   (csrw, csrs or csrc) of a value into the CSR. The last argument is the
   clobber list: "memory" or nothing (SWIFTLET_NO_CLOBBER), as below. */
#define SWIFTLET_NO_CLOBBER
#define SWIFTLET_CSR_READ(csr, clobbers)                                       \
    SWIFTLET_INLINE unsigned long long swiftlet_inline_read_##csr(void) {      \
        unsigned long long value;                                              \
        __asm__ volatile("csrr %0, " #csr : "=r"(value)::clobbers);             \
        return value;                                                          \
    }
#define SWIFTLET_CSR_UPDATE(name, op, csr, clobbers)                           \
    SWIFTLET_INLINE void swiftlet_inline_##name##_##csr(unsigned long long v) { \
        __asm__ volatile(#op " " #csr ", %0" ::"r"(v) : clobbers);              \
    }

/* sstatus holds SIE: setting or clearing it turns interrupts on or off, and
   reading it is how a lock saves that state, so all three clobber memory
   (no load or store moves across a change of the interrupt state). */
SWIFTLET_CSR_READ(sstatus, "memory")
SWIFTLET_CSR_UPDATE(set, csrs, sstatus, "memory")
SWIFTLET_CSR_UPDATE(clear, csrc, sstatus, "memory")

/* The old sstatus, with SIE (bit 1) cleared: one instruction. */
SWIFTLET_INLINE unsigned long long swiftlet_inline_disable_interrupts(void) {
    unsigned long long value;
    __asm__ volatile("csrrci %0, sstatus, 2" : "=r"(value)::"memory");
    return value;
}

/* The trap registers are plain values: no memory order to keep, so the
   compiler may move loads and stores around them. */
SWIFTLET_CSR_READ(sepc, SWIFTLET_NO_CLOBBER)
SWIFTLET_CSR_UPDATE(write, csrw, sepc, SWIFTLET_NO_CLOBBER)
SWIFTLET_CSR_READ(scause, SWIFTLET_NO_CLOBBER)
SWIFTLET_CSR_READ(stval, SWIFTLET_NO_CLOBBER)

/* stvec chooses which entry (kernel or user vector) the next trap takes:
   it clobbers memory so that what that entry reads (the trap frame, the
   CPU record) is stored on the right side of the switch. */
SWIFTLET_CSR_UPDATE(write, csrw, stvec, "memory")

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
