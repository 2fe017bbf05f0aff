/// The fixed per-process addresses of the xv6 user layout on RISC-V Sv39.
/// MAXVA is one bit below Sv39's 39 bits, so that every user address is
/// positive and needs no sign extension.
public enum Xv6UserAddresses {
    public static let maxVirtualAddress = VirtualAddress(1 << 38)
    /// The trampoline page: the top page of every address space.
    public static let trampoline = VirtualAddress((1 << 38) - 0x1000)
    /// The process's trap frame: the page below the trampoline.
    public static let trapFrame = VirtualAddress((1 << 38) - 0x2000)
}

/// The fixed per-process addresses of the Emerald user layout on x86-64.
public enum EmeraldUserAddresses {
    /// End of the lower canonical half: the ELF and the heap stay below it.
    public static let lowHalfEnd = VirtualAddress(1 << 47)
    /// Start of the upper canonical half, the lowest address a stack can reach.
    public static let highHalfStart = VirtualAddress(0xFFFF_8000_0000_0000)
    /// The user stack grows down from here.
    public static let stackTop = VirtualAddress(0xFFFF_FF7F_FFFF_D000)
    /// The unmapped page above the stack.
    public static let stackGuard = VirtualAddress(0xFFFF_FF7F_FFFF_D000)
    /// The read-only page holding `ProcessMetadata`.
    public static let metadataPage = VirtualAddress(0xFFFF_FF7F_FFFF_E000)
    /// End of user space; the process-specific kernel area starts here.
    public static let userEnd = VirtualAddress(0xFFFF_FF80_0000_0000)
}
