// Processor instructions, through the functions in cpu.S (Swift has no
// inline assembly). Only what the kernel uses is declared. The ones every
// spinlock touches are inline instead (include/x86_64_instructions.h, the
// Clang module X86_64Instructions).
import X86_64Instructions

// Port I/O.
@_extern(c, "swiftlet_x86_outb") func outb(_ port: UInt16, _ value: UInt8)
@_extern(c, "swiftlet_x86_inb") func inb(_ port: UInt16) -> UInt8
@_extern(c, "swiftlet_x86_outl") func outl(_ port: UInt16, _ value: UInt32)
@_extern(c, "swiftlet_x86_inl") func inl(_ port: UInt16) -> UInt32

// Control registers and the TLB.
@_extern(c, "swiftlet_x86_read_cr0") func readCR0() -> UInt64
@_extern(c, "swiftlet_x86_write_cr0") func writeCR0(_ value: UInt64)
@_extern(c, "swiftlet_x86_read_cr2") func readCR2() -> UInt64
@_extern(c, "swiftlet_x86_read_cr3") func readCR3() -> UInt64
@_extern(c, "swiftlet_x86_write_cr3") func writeCR3(_ value: UInt64)
@_extern(c, "swiftlet_x86_read_cr4") func readCR4() -> UInt64
@_extern(c, "swiftlet_x86_write_cr4") func writeCR4(_ value: UInt64)
@_extern(c, "swiftlet_x86_invlpg") func invalidatePage(_ address: UInt64)

// Model-specific registers, the time-stamp counter, CPUID.
@_extern(c, "swiftlet_x86_rdmsr") func readMSR(_ msr: UInt32) -> UInt64
@_extern(c, "swiftlet_x86_wrmsr") func writeMSR(_ msr: UInt32, _ value: UInt64)
@_extern(c, "swiftlet_x86_rdtsc") func readTimeStampCounter() -> UInt64
@_extern(c, "swiftlet_x86_cpuid") func cpuidInstruction(_ leaf: UInt32, _ subleaf: UInt32, _ out: UnsafeMutablePointer<UInt32>)

// Descriptor tables (each pointer is to a 10-byte limit + base).
@_extern(c, "swiftlet_x86_load_gdt") func loadGDT(_ pointer: UnsafeRawPointer, code: UInt64, data: UInt64)
@_extern(c, "swiftlet_x86_load_tss") func loadTaskRegister(_ selector: UInt16)
@_extern(c, "swiftlet_x86_load_idt") func loadIDT(_ pointer: UnsafeRawPointer)

// The interrupt flag and halting.
@_extern(c, "swiftlet_x86_enable_interrupts") func enableInterruptsInstruction()
/// Clears the interrupt flag; returns RFLAGS as it was.
@inline(__always) func disableInterruptsInstruction() -> UInt64 { swiftlet_inline_disable_interrupts() }
@_extern(c, "swiftlet_x86_halt") func haltInstruction()
@_extern(c, "swiftlet_x86_idle") func idleInstructions()
@inline(__always) func readFlags() -> UInt64 { swiftlet_inline_read_rflags() }

// The per-CPU record through the GS base, and the locks' atomic instructions.
@inline(__always) func thisCPUAddress() -> UInt64 { swiftlet_inline_this_cpu() }
@inline(__always) func atomicSwap32(_ word: UnsafeMutablePointer<UInt32>, _ value: UInt32) -> UInt32 {
    swiftlet_inline_atomic_swap32(word, value)
}
@inline(__always) func atomicClear32(_ word: UnsafeMutablePointer<UInt32>) { swiftlet_inline_atomic_clear32(word) }
@inline(__always) func atomicLoad32(_ word: UnsafeMutablePointer<UInt32>) -> UInt32 { swiftlet_inline_atomic_load32(word) }

// Instructions for the checks, stack switching, linker symbols.
@_extern(c, "swiftlet_x86_breakpoint") func breakpointInstruction()
@_extern(c, "swiftlet_x86_breakpoint_instruction_address") func breakpointInstructionAddress() -> UInt64
@_extern(c, "swiftlet_x86_run_on_stack") func runOnStack(_ top: UInt64, _ function: @convention(c) (UInt64) -> Void, _ argument: UInt64)
@_extern(c, "swiftlet_x86_overflow_stack") func overflowStackInstruction()
@_extern(c, "swiftlet_x86_vector_stubs_address") func vectorStubsAddress() -> UInt64
@_extern(c, "swiftlet_x86_boot_stack_top") func bootStackTop() -> UInt64
@_extern(c, "swiftlet_x86_kernel_image_start") func kernelImageStart() -> UInt64
@_extern(c, "swiftlet_x86_kernel_text_end") func kernelTextEnd() -> UInt64
@_extern(c, "swiftlet_x86_kernel_rodata_end") func kernelRodataEnd() -> UInt64
@_extern(c, "swiftlet_x86_kernel_image_end") func kernelImageEnd() -> UInt64

/// The root table's address in CR3 (the low bits are flags).
let cr3AddressMask: UInt64 = 0x000F_FFFF_FFFF_F000

/// RFLAGS' interrupt-enable bit.
let rflagsInterruptsEnabled: UInt64 = 1 << 9

/// The results of one CPUID leaf.
struct CPUIDResult {
    var eax: UInt32 = 0
    var ebx: UInt32 = 0
    var ecx: UInt32 = 0
    var edx: UInt32 = 0
}

func cpuid(_ leaf: UInt32, _ subleaf: UInt32 = 0) -> CPUIDResult {
    var words = InlineArray<4, UInt32>(repeating: 0)
    withUnsafeMutablePointer(to: &words) { pointer in
        pointer.withMemoryRebound(to: UInt32.self, capacity: 4) { cpuidInstruction(leaf, subleaf, $0) }
    }
    return CPUIDResult(eax: words[0], ebx: words[1], ecx: words[2], edx: words[3])
}

/// Model-specific register numbers.
enum MSR {
    static let apicBase: UInt32 = 0x1B
    /// The page attribute table (memory types the page tables select).
    static let pageAttributes: UInt32 = 0x277
    static let efer: UInt32 = 0xC000_0080
    static let star: UInt32 = 0xC000_0081
    /// Where `syscall` jumps from 64-bit mode, and from a 32-bit code segment.
    static let lstar: UInt32 = 0xC000_0082
    static let cstar: UInt32 = 0xC000_0083
    /// `sysenter`'s code segment, stack and entry.
    static let sysenterCS: UInt32 = 0x174
    static let sysenterESP: UInt32 = 0x175
    static let sysenterEIP: UInt32 = 0x176
    /// RFLAGS bits `syscall` clears.
    static let flagMask: UInt32 = 0xC000_0084
    /// The GS base in use, and the one `swapgs` exchanges it with.
    static let gsBase: UInt32 = 0xC000_0101
    static let kernelGSBase: UInt32 = 0xC000_0102
}

/// EFER's system-call enable bit: `syscall` and `sysret` work.
let eferSystemCallEnable: UInt64 = 1 << 0
