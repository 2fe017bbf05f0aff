// Swiftlet's first instructions on x86-64. A multiboot v1 loader (QEMU's
// -kernel, GRUB) enters `_start` in 32-bit protected mode, paging off, at the
// physical address the header gives. Assembly because no Swift runs before
// there is long mode, paging and a stack.
//
// The steps: temporary page tables (the first 1 GiB identity-mapped and again
// at 0xFFFF_FFFF_8000_0000, where the kernel is linked), PAE, EFER.LME and
// EFER.NXE, paging with CR0.WP, a far jump into 64-bit code, a jump to the
// higher half, a boot stack, then `swiftlet_x86_start` in Swift with the
// multiboot magic and the physical address of the multiboot information.
// Swift replaces these tables with ones built from the layout table
// (X86Paging.swift) and so drops the identity map.

#define KERNEL_VIRTUAL_BASE 0xFFFFFFFF80000000
// Physical address of a kernel symbol, for code running before paging.
#define PHYS(symbol) ((symbol) - KERNEL_VIRTUAL_BASE)

#define MULTIBOOT_MAGIC        0x1BADB002
// Bit 0: modules page aligned; bit 1: give the memory map; bit 16: the
// address fields below are valid (the "a.out kludge"), so the loader needs
// no ELF32 headers.
#define MULTIBOOT_FLAGS        ((1 << 0) | (1 << 1) | (1 << 16))

#define BOOT_STACK_BYTES 16384

#define CR0_MP  (1 << 1)
#define CR0_EM  (1 << 2)
#define CR0_WP  (1 << 16)
#define CR0_PG  (1 << 31)
#define CR4_PAE (1 << 5)
#define CR4_OSFXSR (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define MSR_EFER 0xC0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)

// Page-table entry bits.
#define PTE_PRESENT  (1 << 0)
#define PTE_WRITE    (1 << 1)
#define PTE_LARGE    (1 << 7)

#define COM1 0x3F8

    .section .multiboot, "a"
    .balign 4
multiboot_header:
    .long MULTIBOOT_MAGIC
    .long MULTIBOOT_FLAGS
    .long -(MULTIBOOT_MAGIC + MULTIBOOT_FLAGS)
    .long PHYS(multiboot_header)    // header_addr
    .long PHYS(__kernel_start)      // load_addr: the file from the image start
    .long PHYS(__load_end)          // load_end_addr: text, rodata, data
    .long PHYS(__kernel_end)        // bss_end_addr: zeroed by the loader
    .long PHYS(_start)              // entry_addr

    .section .text.boot, "ax"
    .code32
    .globl _start
_start:
    cli
    cld
    // eax = loader magic, ebx = multiboot information: kept in edi/esi, where
    // the 64-bit calling convention wants the first two arguments.
    movl    %eax, %edi
    movl    %ebx, %esi
    movl    $PHYS(boot_stack_top), %esp

    // Long mode and NX, or stop with a message on the serial port.
    movl    $0x80000000, %eax
    cpuid
    cmpl    $0x80000001, %eax
    jb      no_long_mode
    movl    $0x80000001, %eax
    cpuid
    testl   $(1 << 29), %edx
    jz      no_long_mode
    testl   $(1 << 20), %edx
    jz      no_long_mode

    // .bss is zeroed by the loader (bss_end_addr); the tables live there.
    // PML4: entry 0 = low identity map, entry 511 = the kernel's top 512 GiB.
    movl    $PHYS(boot_pdpt_low), %eax
    orl     $(PTE_PRESENT | PTE_WRITE), %eax
    movl    %eax, PHYS(boot_pml4)
    movl    $PHYS(boot_pdpt_high), %eax
    orl     $(PTE_PRESENT | PTE_WRITE), %eax
    movl    %eax, PHYS(boot_pml4) + 511 * 8

    // The first GiB through one page directory of 2 MiB pages, reached from
    // PDPT entry 0 (identity) and from entry 510 of the top PDPT
    // (0xFFFF_FFFF_8000_0000).
    movl    $PHYS(boot_pd), %eax
    orl     $(PTE_PRESENT | PTE_WRITE), %eax
    movl    %eax, PHYS(boot_pdpt_low)
    movl    %eax, PHYS(boot_pdpt_high) + 510 * 8
    movl    $PHYS(boot_pd), %edx
    movl    $(PTE_PRESENT | PTE_WRITE | PTE_LARGE), %eax
    movl    $512, %ecx
1:  movl    %eax, (%edx)
    addl    $0x200000, %eax
    addl    $8, %edx
    loop    1b

    movl    $PHYS(boot_pml4), %eax
    movl    %eax, %cr3
    // PAE (required for long mode); SSE usable (FXSAVE and SIMD exceptions).
    movl    %cr4, %eax
    orl     $(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
    movl    %eax, %cr4
    movl    $MSR_EFER, %ecx
    rdmsr
    orl     $(EFER_LME | EFER_NXE), %eax
    wrmsr
    // Paging on (this activates long mode), supervisor writes honour
    // read-only pages (WP), x87/SSE without emulation (EM off, MP on).
    movl    %cr0, %eax
    andl    $~CR0_EM, %eax
    orl     $(CR0_PG | CR0_WP | CR0_MP), %eax
    movl    %eax, %cr0

    lgdt    PHYS(boot_gdt_pointer32)
    ljmp    $0x08, $PHYS(long_mode_entry)

no_long_mode:
    movl    $PHYS(no_long_mode_message), %esi
3:  movb    (%esi), %al
    testb   %al, %al
    jz      5f
    movw    $(COM1 + 5), %dx
4:  inb     %dx, %al
    testb   $0x20, %al
    jz      4b
    movb    (%esi), %al
    movw    $COM1, %dx
    outb    %al, %dx
    incl    %esi
    jmp     3b
5:  hlt
    jmp     5b

    .code64
long_mode_entry:
    movw    $0x10, %ax
    movw    %ax, %ds
    movw    %ax, %es
    movw    %ax, %ss
    xorw    %ax, %ax
    movw    %ax, %fs
    movw    %ax, %gs
    movabsq $higher_half, %rax
    jmp     *%rax

    .section .text.boot_high, "ax"
higher_half:
    leaq    boot_stack_top(%rip), %rsp
    // The same GDT through its higher-half address, so it stays reachable
    // once the identity map is gone (Swift loads the real GDT soon after).
    lgdt    boot_gdt_pointer64(%rip)
    xorl    %ebp, %ebp
    // The upper halves of registers are undefined after the mode switch.
    movl    %edi, %edi
    movl    %esi, %esi
    call    swiftlet_x86_start
6:  cli
    hlt
    jmp     6b

    .section .rodata.boot, "a"
    .balign 8
// Null, 64-bit kernel code (0x08), kernel data (0x10): just enough to enter
// long mode. The real GDT (with user segments and the TSS) is Swift's.
boot_gdt:
    .quad   0
    .quad   0x00209A0000000000      // present, ring 0, code, long mode
    .quad   0x0000920000000000      // present, ring 0, data, writable
boot_gdt_end:
boot_gdt_pointer32:
    .word   boot_gdt_end - boot_gdt - 1
    .long   PHYS(boot_gdt)
    .balign 8
boot_gdt_pointer64:
    .word   boot_gdt_end - boot_gdt - 1
    .quad   boot_gdt
no_long_mode_message:
    .asciz  "Swiftlet needs an x86-64 processor with long mode and NX.\r\n"

    .section .bss.page_aligned, "aw", @nobits
    .balign 4096
// Kept after boot: application processors pass through these tables on
// their way into long mode (apstart.S).
    .globl  boot_pml4
boot_pml4:
    .space  4096
boot_pdpt_low:
    .space  4096
boot_pdpt_high:
    .space  4096
boot_pd:
    .space  4096
    .globl  boot_stack_bottom
boot_stack_bottom:
    .space  BOOT_STACK_BYTES
    .globl  boot_stack_top
boot_stack_top:

// Stacks for the interrupt stack table until the kernel's page tables map
// the layout's interrupt stacks (with guard pages) and replace these.
    .section .bss.page_aligned.early_ist, "aw", @nobits
    .balign 4096
    .globl swiftlet_x86_early_interrupt_stacks
swiftlet_x86_early_interrupt_stacks:
    .space  4 * 16384
