/* The instructions of the hot paths (every spinlock, every CPU-record
   lookup), inline. Swift has no inline assembly; these `static inline`
   functions reach it as the Clang module X86_64Instructions
   (module.modulemap beside this file, the Makefile's -I), and the optimizer
   inlines them into the Swift code: one instruction where a call into
   cpu.S cost a call and a return (docs/benchmarks.md). CPU.swift wraps
   them in the names the kernel uses.

   Every one is `volatile` (never merged with another or moved away: the
   GS base names another CPU once a process moved at a switch), and those
   that order memory or change the interrupt flag also clobber "memory",
   so the compiler keeps loads and stores on their side, as it did around
   the calls. */
#ifndef SWIFTLET_X86_64_INSTRUCTIONS_H
#define SWIFTLET_X86_64_INSTRUCTIONS_H

#define SWIFTLET_INLINE static inline __attribute__((always_inline))

/* %gs:0: this CPU's CPURecord (its first field is its own address). */
SWIFTLET_INLINE unsigned long long swiftlet_inline_this_cpu(void) {
    unsigned long long value;
    __asm__ volatile("movq %%gs:0, %0" : "=r"(value));
    return value;
}

SWIFTLET_INLINE unsigned long long swiftlet_inline_read_rflags(void) {
    unsigned long long value;
    __asm__ volatile("pushfq\n\tpopq %0" : "=r"(value)::"memory");
    return value;
}

/* The old RFLAGS, interrupts off. */
SWIFTLET_INLINE unsigned long long swiftlet_inline_disable_interrupts(void) {
    unsigned long long value;
    __asm__ volatile("pushfq\n\tpopq %0\n\tcli" : "=r"(value)::"memory");
    return value;
}

/* The spinlock word: xchg with memory is locked and a full barrier; a plain
   store is a release and a plain load an acquire on x86-64. */
SWIFTLET_INLINE unsigned int swiftlet_inline_atomic_swap32(unsigned int *word, unsigned int value) {
    __asm__ volatile("xchgl %0, (%1)" : "+r"(value) : "r"(word) : "memory");
    return value;
}

SWIFTLET_INLINE void swiftlet_inline_atomic_clear32(unsigned int *word) {
    __asm__ volatile("movl $0, (%0)" ::"r"(word) : "memory");
}

SWIFTLET_INLINE unsigned int swiftlet_inline_atomic_load32(unsigned int *word) {
    unsigned int value;
    __asm__ volatile("movl (%1), %0" : "=r"(value) : "r"(word) : "memory");
    return value;
}

#endif
