/* Addresses sysfuzz and exhaust aim at on x86-64 (the Emerald layout,
   4-level paging). This file and its riscv64 twin are the only places those
   programs learn the architecture (as MemtestTargets.swift is for memtest). */
#ifndef SWIFTLET_FUZZTARGETS_H
#define SWIFTLET_FUZZTARGETS_H
#define FUZZ_ARCH "x86_64"
/* Kernel text, in the top 2 GiB. */
#define FUZZ_KERNEL 0xFFFFFFFF80100000UL
/* The process-specific kernel region: the kernel stack and its guard. */
#define FUZZ_SPECIAL1 0xFFFFFF8000001000UL /* kernel stack */
#define FUZZ_SPECIAL2 0xFFFFFF8000000000UL /* kernel stack guard */
/* End of user space: the process-specific kernel region starts here. */
#define FUZZ_USER_END 0xFFFFFF8000000000UL
/* The first address of the non-canonical hole. */
#define FUZZ_NONCANONICAL 0x0000800000000000UL
/* The stack grows down from 0xFFFF_FF7F_FFFF_D000, where its guard page begins. */
#define FUZZ_STACK_GUARD(sp) 0xFFFFFF7FFFFFD000UL
/* The process metadata page above the guard: mapped for users, read-only. */
#define FUZZ_READ_ONLY_PAGE 0xFFFFFF7FFFFFE000UL
#endif
