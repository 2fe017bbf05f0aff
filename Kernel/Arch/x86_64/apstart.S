// The first instructions of an application processor (a CPU other than the
// boot processor). Assembly because the CPU starts in 16-bit real mode.
//
// `swiftlet_x86_ap_trampoline` ... `_end` is never run where it is linked:
// the boot processor copies it to the startup page (X86_64Layout.apStartupPage,
// below 1 MiB, 4 KiB aligned) and fills in its data block, then sends
// INIT-SIPI-SIPI with that page's number as the vector (ApplicationProcessors
// .swift). The processor wakes in real mode with CS = page << 8, IP = 0. The
// code below uses only offsets from the copy's start and the linear base it
// computes from CS, so it runs wherever the page is.
//
// The steps: a GDT of its own (32-bit code and data, 64-bit code), protected
// mode, PAE, the transition page table (CR3 from the data block: the boot
// tables of entry.S, which map the first GiB both at 0 and in the higher
// half), EFER.LME and NXE, paging with WP, a far jump into 64-bit code, then a
// jump to `swiftlet_x86_ap_entry` in the higher half, which loads the kernel's
// own page table and stack and calls Swift (`swiftlet_x86_ap_start`).

#define CR0_PE  (1 << 0)
#define CR0_MP  (1 << 1)
#define CR0_EM  (1 << 2)
#define CR0_WP  (1 << 16)
#define CR0_PG  (1 << 31)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xC0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)

// Offsets from the trampoline's start.
#define AT(label) ((label) - swiftlet_x86_ap_trampoline)

// The data block (APStartupData in ApplicationProcessors.swift, in this order).
#define DATA_TRANSITION_CR3 0
#define DATA_KERNEL_CR3 8
#define DATA_STACK_TOP 16
#define DATA_ENTRY 24
#define DATA_CPU_INDEX 32

// Selectors of the trampoline's GDT.
#define CODE32 0x08
#define DATA32 0x10
#define CODE64 0x18

    .section .rodata.ap_trampoline, "a"
    .balign 16
    .globl swiftlet_x86_ap_trampoline
    .code16
swiftlet_x86_ap_trampoline:
    cli
    cld
    movw    %cs, %ax
    movw    %ax, %ds
    // ebx = the page's linear address (cs << 4), kept in ebx to the end.
    xorl    %ebx, %ebx
    movw    %ax, %bx
    shll    $4, %ebx
    // The GDT pointer and the two far pointers need linear addresses.
    leal    AT(ap_gdt)(%ebx), %eax
    movl    %eax, AT(ap_gdt_pointer) + 2
    leal    AT(ap_protected_mode)(%ebx), %eax
    movl    %eax, AT(ap_far_protected)
    leal    AT(ap_long_mode)(%ebx), %eax
    movl    %eax, AT(ap_far_long)
    lgdtl   AT(ap_gdt_pointer)
    movl    %cr0, %eax
    orl     $CR0_PE, %eax
    movl    %eax, %cr0
    ljmpl   *AT(ap_far_protected)

    .code32
ap_protected_mode:
    movw    $DATA32, %ax
    movw    %ax, %ds
    movw    %ax, %es
    movw    %ax, %ss
    movl    %cr4, %eax
    orl     $CR4_PAE, %eax
    movl    %eax, %cr4
    movl    AT(ap_data) + DATA_TRANSITION_CR3(%ebx), %eax
    movl    %eax, %cr3
    movl    $MSR_EFER, %ecx
    rdmsr
    orl     $(EFER_LME | EFER_NXE), %eax
    wrmsr
    movl    %cr0, %eax
    andl    $~CR0_EM, %eax
    orl     $(CR0_PG | CR0_WP | CR0_MP), %eax
    movl    %eax, %cr0
    ljmpl   *AT(ap_far_long)(%ebx)

    .code64
ap_long_mode:
    // The upper halves of registers are undefined after the mode switch.
    movl    %ebx, %ebx
    movq    AT(ap_data) + DATA_KERNEL_CR3(%rbx), %rcx
    movq    AT(ap_data) + DATA_STACK_TOP(%rbx), %rsp
    movq    AT(ap_data) + DATA_CPU_INDEX(%rbx), %rdi
    movq    AT(ap_data) + DATA_ENTRY(%rbx), %rax
    jmp     *%rax

    .balign 8
ap_gdt:
    .quad   0
    .quad   0x00CF9A000000FFFF      // 0x08: ring 0, 32-bit code, 4 GiB
    .quad   0x00CF92000000FFFF      // 0x10: ring 0, data, 4 GiB
    .quad   0x00209A0000000000      // 0x18: ring 0, 64-bit code
ap_gdt_end:
    .balign 8
ap_gdt_pointer:
    .word   ap_gdt_end - ap_gdt - 1
    .long   0                       // linear address, filled in above
    .balign 8
ap_far_protected:
    .long   0
    .word   CODE32
    .balign 8
ap_far_long:
    .long   0
    .word   CODE64
    .balign 8
    .globl swiftlet_x86_ap_trampoline_data
swiftlet_x86_ap_trampoline_data:
ap_data:
    .space  40
    .globl swiftlet_x86_ap_trampoline_end
swiftlet_x86_ap_trampoline_end:

// The higher-half landing (linked and run in place): rcx = the kernel page
// table, rsp = this CPU's kernel stack top, rdi = its CPU index.
    .section .text.ap_entry, "ax"
    .globl swiftlet_x86_ap_entry
    .type swiftlet_x86_ap_entry, @function
swiftlet_x86_ap_entry:
    movq    %rcx, %cr3
    xorl    %ebp, %ebp
    call    swiftlet_x86_ap_start
1:  cli
    hlt
    jmp     1b
