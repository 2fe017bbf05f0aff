/* Addresses sysfuzz and exhaust aim at on RISC-V (the xv6 layout, Sv39).
   This file and its x86_64 twin are the only places those programs learn
   the architecture (as MemtestTargets.swift is for memtest). */
#ifndef SWIFTLET_FUZZTARGETS_H
#define SWIFTLET_FUZZTARGETS_H
#define FUZZ_ARCH "riscv64"
/* Kernel text and the start of the kernel's direct map: never user. */
#define FUZZ_KERNEL 0x80000000UL
/* Kernel-only pages mapped in every user page table. */
#define FUZZ_SPECIAL1 0x3FFFFFF000UL /* trampoline */
#define FUZZ_SPECIAL2 0x3FFFFFE000UL /* trap frame */
/* One past the last user address (the trap frame starts here). */
#define FUZZ_USER_END 0x3FFFFFE000UL
/* Above Sv39's 39-bit space: not a user address in any page table. */
#define FUZZ_NONCANONICAL 0x0000004000000000UL
/* The unmapped guard page of a one-page stack sits right below it. */
#define FUZZ_STACK_GUARD(sp) ((((uint64)(sp)) & ~0xFFFUL) - 4096)
/* A mapped user page that must not be written: none besides text here. */
#define FUZZ_READ_ONLY_PAGE 0UL
#endif
