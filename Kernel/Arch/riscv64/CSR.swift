// Control and status registers, through the functions in csr.S (Swift has
// no inline assembly). Only the ones the kernel uses are declared. The ones
// every trap or spinlock touches are inline instead
// (include/riscv64_instructions.h, the Clang module RiscV64Instructions).
import RiscV64Instructions

// Machine mode, used once at boot.
@_extern(c, "swiftlet_csr_read_mstatus") func readMstatus() -> UInt64
@_extern(c, "swiftlet_csr_write_mstatus") func writeMstatus(_ value: UInt64)
@_extern(c, "swiftlet_csr_write_medeleg") func writeMedeleg(_ value: UInt64)
@_extern(c, "swiftlet_csr_write_mideleg") func writeMideleg(_ value: UInt64)
@_extern(c, "swiftlet_csr_write_mie") func writeMie(_ value: UInt64)
@_extern(c, "swiftlet_csr_write_mcounteren") func writeMcounteren(_ value: UInt64)
@_extern(c, "swiftlet_csr_set_menvcfg") func setMenvcfg(_ bits: UInt64)
@_extern(c, "swiftlet_csr_write_pmpcfg0") func writePmpcfg0(_ value: UInt64)
@_extern(c, "swiftlet_csr_write_pmpaddr0") func writePmpaddr0(_ value: UInt64)
@_extern(c, "swiftlet_csr_write_mtvec") func writeMtvec(_ value: UInt64)
@_extern(c, "swiftlet_csr_write_mscratch") func writeMscratch(_ value: UInt64)

// Supervisor mode.
@inline(__always) func readSstatus() -> UInt64 { swiftlet_inline_read_sstatus() }
@inline(__always) func setSstatus(_ bits: UInt64) { swiftlet_inline_set_sstatus(bits) }
@inline(__always) func clearSstatus(_ bits: UInt64) { swiftlet_inline_clear_sstatus(bits) }
@_extern(c, "swiftlet_csr_set_sie") func setSie(_ bits: UInt64)
@_extern(c, "swiftlet_csr_clear_sip") func clearSip(_ bits: UInt64)
@inline(__always) func writeStvec(_ value: UInt64) { swiftlet_inline_write_stvec(value) }
@inline(__always) func readScause() -> UInt64 { swiftlet_inline_read_scause() }
@inline(__always) func readStval() -> UInt64 { swiftlet_inline_read_stval() }
@_extern(c, "swiftlet_csr_write_scounteren") func writeScounteren(_ value: UInt64)
@_extern(c, "swiftlet_csr_write_satp") func writeSatp(_ value: UInt64)
@inline(__always) func readSepc() -> UInt64 { swiftlet_inline_read_sepc() }
@inline(__always) func writeSepc(_ value: UInt64) { swiftlet_inline_write_sepc(value) }
@_extern(c, "swiftlet_sfence_vma") func flushTranslations()
@_extern(c, "swiftlet_sfence_vma_page") func flushTranslation(_ address: UInt64)
@_extern(c, "swiftlet_csr_write_stimecmp") func writeStimecmp(_ value: UInt64)
@_extern(c, "swiftlet_csr_read_time") func readTime() -> UInt64
@_extern(c, "swiftlet_csr_read_instret") func readInstret() -> UInt64

// Instructions and linker symbols (csr.S).
@_extern(c, "swiftlet_wait_for_interrupt") func waitForInterruptInstruction()
@_extern(c, "swiftlet_breakpoint") func breakpointInstruction()
@_extern(c, "swiftlet_breakpoint_instruction_address") func breakpointInstructionAddress() -> UInt64
@_extern(c, "swiftlet_kernel_image_start") func kernelImageStart() -> UInt64
@_extern(c, "swiftlet_kernel_text_end") func kernelTextEnd() -> UInt64
@_extern(c, "swiftlet_kernel_rodata_end") func kernelRodataEnd() -> UInt64
@_extern(c, "swiftlet_kernel_image_end") func kernelImageEnd() -> UInt64
@_extern(c, "swiftlet_trampoline_start") func trampolineStart() -> UInt64
@_extern(c, "swiftlet_kernel_trap_vector_address") func kernelTrapVectorAddress() -> UInt64

/// Bits of mstatus.
enum Mstatus {
    /// Previous privilege, where `mret` goes: 0 user, 1 supervisor, 3 machine.
    static let previousPrivilegeMask: UInt64 = 3 << 11
    static let previousPrivilegeSupervisor: UInt64 = 1 << 11
}

/// Bits of sstatus.
enum Sstatus {
    /// Supervisor interrupt enable.
    static let interruptsEnabled: UInt64 = 1 << 1
    /// Privilege the trap came from: set for supervisor, clear for user.
    static let previousPrivilegeSupervisor: UInt64 = 1 << 8
    /// Interrupt enable to restore on sret.
    static let previousInterruptsEnabled: UInt64 = 1 << 5
    /// Supervisor may touch user pages (SUM), and loads may read
    /// execute-only pages (MXR). Swiftlet keeps both clear: its user copies
    /// go through the direct map after a walk of the process's table, so
    /// no kernel access to a user virtual address is ever meant.
    static let supervisorUserMemory: UInt64 = 1 << 18
    static let makeExecutableReadable: UInt64 = 1 << 19
    /// FS, the floating-point unit's state: Off (0, its instructions
    /// trap), Initial, Clean (registers as last loaded or saved), Dirty.
    static let floatingPointMask: UInt64 = 3 << 13
    static let floatingPointClean: UInt64 = 2 << 13
    static let floatingPointDirty: UInt64 = 3 << 13
}

/// Interrupt numbers: bit positions in sie/sip/mideleg, and scause codes.
enum InterruptCode {
    static let supervisorSoftware: UInt64 = 1
    static let supervisorTimer: UInt64 = 5
    static let supervisorExternal: UInt64 = 9
}

/// Exception codes in scause (interrupt bit clear).
enum ExceptionCode {
    static let illegalInstruction: UInt64 = 2
    static let breakpoint: UInt64 = 3
    static let environmentCallFromUser: UInt64 = 8
    static let loadPageFault: UInt64 = 13
    static let storePageFault: UInt64 = 15
}

/// scause's top bit: set for interrupts, clear for exceptions.
let scauseInterruptBit: UInt64 = 1 << 63
