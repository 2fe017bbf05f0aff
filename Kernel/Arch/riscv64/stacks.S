// The kernel's own stacks on RISC-V, each above an unmapped guard page: the
// layout table (RiscV64Layout.addGuardedStacks) draws them from the first
// byte of this section and leaves every guard out of the kernel page table,
// so running off the bottom of a stack faults on its guard and the kernel
// trap handler names it. The sizes are RiscV64Layout's; the boot checks that
// these symbols sit where the layout says (GuardedStackCheck.swift).
//
// Before paging is on (the first instructions of boot) a guard is ordinary
// memory; from `enablePaging` on it is a hole in the direct map.

#define PAGE_BYTES 4096
#define MAX_HARTS 8
// Hart 0 boots, pages and audits the kernel on its boot stack, and the
// scheduler runs on it afterwards (about 13 KiB deep at boot, measured
// under QEMU).
#define BOOT_STACK_BYTES 32768
#define SCRATCH_STACK_BYTES 16384
#define FAULT_STACK_BYTES 16384

    .section .guarded_stacks, "aw", @nobits
    .balign PAGE_BYTES
// Hart h's boot stack: guard at boot_stacks + h * (PAGE_BYTES +
// BOOT_STACK_BYTES), top at boot_stacks + (h + 1) * that (entry.S).
    .globl boot_stacks
boot_stacks:
    .rept MAX_HARTS
    .space PAGE_BYTES
    .space BOOT_STACK_BYTES
    .endr
    .space PAGE_BYTES
// ScratchStack's stack (Platform.scratchStack), above its guard.
    .globl swiftlet_scratch_stack
swiftlet_scratch_stack:
    .space SCRATCH_STACK_BYTES
// Hart h's fault stack (trap.S switches to it for exceptions in kernel
// mode): laid out like the boot stacks, top in CPURecord.faultStackTop.
    .globl swiftlet_fault_stacks
swiftlet_fault_stacks:
    .rept MAX_HARTS
    .space PAGE_BYTES
    .space FAULT_STACK_BYTES
    .endr
    .globl swiftlet_guarded_stacks_end
swiftlet_guarded_stacks_end:
