// Instructions Swift cannot spell: port I/O, control registers, MSRs,
// descriptor-table loads, interrupt flag, halt, a deliberate breakpoint, and
// the addresses of linker symbols. One small function each, in its own
// section so the linker drops the unused ones. System V calling convention:
// arguments in rdi, rsi, rdx; result in rax.

.macro FUNCTION name
    .section .text.cpu.\name, "ax"
    .globl \name
    .type \name, @function
\name:
.endm

// Port I/O: port in di, value in si.
FUNCTION swiftlet_x86_outb
    movl    %edi, %edx
    movl    %esi, %eax
    outb    %al, %dx
    ret

FUNCTION swiftlet_x86_inb
    movl    %edi, %edx
    xorl    %eax, %eax
    inb     %dx, %al
    ret

FUNCTION swiftlet_x86_outl
    movl    %edi, %edx
    movl    %esi, %eax
    outl    %eax, %dx
    ret

FUNCTION swiftlet_x86_inl
    movl    %edi, %edx
    inl     %dx, %eax
    ret

// Control registers.
FUNCTION swiftlet_x86_read_cr0
    movq    %cr0, %rax
    ret

FUNCTION swiftlet_x86_write_cr0
    movq    %rdi, %cr0
    ret

FUNCTION swiftlet_x86_read_cr2
    movq    %cr2, %rax
    ret

FUNCTION swiftlet_x86_read_cr3
    movq    %cr3, %rax
    ret

FUNCTION swiftlet_x86_write_cr3
    movq    %rdi, %cr3
    ret

FUNCTION swiftlet_x86_read_cr4
    movq    %cr4, %rax
    ret

FUNCTION swiftlet_x86_write_cr4
    movq    %rdi, %cr4
    ret

FUNCTION swiftlet_x86_invlpg
    invlpg  (%rdi)
    ret

// Model-specific registers: number in edi, value in rsi.
FUNCTION swiftlet_x86_rdmsr
    movl    %edi, %ecx
    rdmsr
    shlq    $32, %rdx
    orq     %rdx, %rax
    ret

FUNCTION swiftlet_x86_wrmsr
    movl    %edi, %ecx
    movl    %esi, %eax
    movq    %rsi, %rdx
    shrq    $32, %rdx
    wrmsr
    ret

FUNCTION swiftlet_x86_rdtsc
    rdtsc
    shlq    $32, %rdx
    orq     %rdx, %rax
    ret

// cpuid(leaf = edi, subleaf = esi) into out[0..3] = eax, ebx, ecx, edx (rdx).
FUNCTION swiftlet_x86_cpuid
    pushq   %rbx
    movq    %rdx, %r8
    movl    %edi, %eax
    movl    %esi, %ecx
    cpuid
    movl    %eax, 0(%r8)
    movl    %ebx, 4(%r8)
    movl    %ecx, 8(%r8)
    movl    %edx, 12(%r8)
    popq    %rbx
    ret

// Loads the GDT whose 10-byte pointer is at rdi, then reloads every segment
// register: cs = si (through a far return), ss/ds/es = dx, fs/gs = 0.
FUNCTION swiftlet_x86_load_gdt
    lgdt    (%rdi)
    movw    %dx, %ss
    movw    %dx, %ds
    movw    %dx, %es
    xorl    %eax, %eax
    movw    %ax, %fs
    movw    %ax, %gs
    popq    %rax            // return address
    pushq   %rsi            // new cs
    pushq   %rax
    lretq

FUNCTION swiftlet_x86_load_tss
    ltr     %di
    ret

FUNCTION swiftlet_x86_load_idt
    lidt    (%rdi)
    ret

// Stores this CPU's GDTR (10 bytes) at rdi.
FUNCTION swiftlet_x86_store_gdt
    sgdt    (%rdi)
    ret

// Interrupt flag.
FUNCTION swiftlet_x86_enable_interrupts
    sti
    ret

FUNCTION swiftlet_x86_halt
    hlt
    ret

// The idle wait: `sti` lets interrupts in only after the next instruction,
// so one that comes after it wakes the `hlt` instead of being taken first
// and then waited for; `cli` closes them again once it has been taken.
FUNCTION swiftlet_x86_idle
    sti
    hlt
    cli
    ret

// A deliberate breakpoint for the self-checks. `int3` is a trap: the saved
// RIP is the byte after it, so the handler just returns and this returns.
FUNCTION swiftlet_x86_breakpoint
    .globl  swiftlet_x86_breakpoint_instruction
swiftlet_x86_breakpoint_instruction:
    int3
    ret

// Probes for the protection self-checks (CPUProtections.swift): a one-byte
// read of rdi, and a call to rdi. With the fault probe armed, a page fault at
// the read resumes at its `ret` (rax = 0); a fault on the called address
// returns to the caller.
FUNCTION swiftlet_x86_probe_read
    xorl    %eax, %eax
    .globl  swiftlet_x86_probe_read_instruction
swiftlet_x86_probe_read_instruction:
    movzbl  (%rdi), %eax
    .globl  swiftlet_x86_probe_read_resume
swiftlet_x86_probe_read_resume:
    ret

FUNCTION swiftlet_x86_probe_call
    call    *%rdi
    ret

// Continues on another stack: rsp = rdi (its top), then calls rsi(rdx),
// which must not return.
FUNCTION swiftlet_x86_run_on_stack
    movq    %rdi, %rsp
    xorl    %ebp, %ebp
    movq    %rdx, %rdi
    call    *%rsi
1:  cli
    hlt
    jmp     1b

// Runs the current stack down until something stops it: the stack-overflow
// check expects the guard page below the stack to do so.
FUNCTION swiftlet_x86_overflow_stack
1:  pushq   %rax
    jmp     1b

// Addresses the linker script and other assembly files define, for Swift.
.macro SYMBOL_ADDRESS function, symbol
FUNCTION \function
    leaq    \symbol(%rip), %rax
    ret
.endm

SYMBOL_ADDRESS swiftlet_x86_kernel_image_start, __kernel_start
SYMBOL_ADDRESS swiftlet_x86_kernel_text_end, __text_end
SYMBOL_ADDRESS swiftlet_x86_kernel_rodata_end, __rodata_end
SYMBOL_ADDRESS swiftlet_x86_kernel_image_end, __kernel_end
SYMBOL_ADDRESS swiftlet_x86_breakpoint_instruction_address, swiftlet_x86_breakpoint_instruction
SYMBOL_ADDRESS swiftlet_x86_vector_stubs_address, swiftlet_x86_vector_stubs
SYMBOL_ADDRESS swiftlet_x86_probe_read_instruction_address, swiftlet_x86_probe_read_instruction
SYMBOL_ADDRESS swiftlet_x86_probe_read_resume_address, swiftlet_x86_probe_read_resume
SYMBOL_ADDRESS swiftlet_x86_boot_stack_top, boot_stack_top
SYMBOL_ADDRESS swiftlet_x86_gdt_address, swiftlet_x86_gdt
SYMBOL_ADDRESS swiftlet_x86_tss_address, swiftlet_x86_tss
SYMBOL_ADDRESS swiftlet_x86_idt_address, swiftlet_x86_idt
// The other CPUs' start (apstart.S, ApplicationProcessors.swift).
SYMBOL_ADDRESS swiftlet_x86_ap_trampoline_address, swiftlet_x86_ap_trampoline
SYMBOL_ADDRESS swiftlet_x86_ap_trampoline_data_address, swiftlet_x86_ap_trampoline_data
SYMBOL_ADDRESS swiftlet_x86_ap_trampoline_end_address, swiftlet_x86_ap_trampoline_end
SYMBOL_ADDRESS swiftlet_x86_ap_entry_address, swiftlet_x86_ap_entry
SYMBOL_ADDRESS swiftlet_x86_boot_page_table_address, boot_pml4

// Storage the processor keeps pointing at once loaded (GDTR, TR, IDTR), so
// it must never move: fixed symbols rather than Swift globals. Swift fills
// them (Descriptors.swift, InterruptTable.swift).
    .section .bss.page_aligned.idt, "aw", @nobits
    .balign 4096
swiftlet_x86_idt:
    .space  256 * 16
// One GDT (8 entries) and one TSS (104 bytes, in 112-byte slots) per CPU,
// for up to 8 CPUs (CPUs.capacity), indexed by the CPU's record index.
    .section .bss.descriptors, "aw", @nobits
    .balign 16
swiftlet_x86_gdt:
    .space  8 * 8 * 8
    .balign 16
swiftlet_x86_tss:
    .space  112 * 8
SYMBOL_ADDRESS swiftlet_x86_early_interrupt_stacks_address, swiftlet_x86_early_interrupt_stacks

// A user process's x87/SSE state (FloatingPoint.swift): the 512-byte
// FXSAVE area, 16-byte aligned. The kernel itself is built without SSE.
FUNCTION swiftlet_x86_fxsave
    fxsave64 (%rdi)
    ret

FUNCTION swiftlet_x86_fxrstor
    fxrstor64 (%rdi)
    ret
