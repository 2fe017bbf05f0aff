/// The fixed per-process addresses of the xv6 user layout on RISC-V Sv39,
/// as typed addresses taken from the layout table (`RiscV64Layout`).
public enum Xv6UserAddresses {
    public static let maxVirtualAddress = VirtualAddress(RiscV64Layout.maxVA)
    /// The trampoline page: the top page of every address space.
    public static let trampoline = VirtualAddress(RiscV64Layout.trampoline)
    /// The process's trap frame: the page below the trampoline.
    public static let trapFrame = VirtualAddress(RiscV64Layout.trapFrame)
}

/// The fixed per-process addresses of the Emerald user layout on x86-64,
/// as typed addresses taken from the layout table (`X86_64Layout`).
public enum EmeraldUserAddresses {
    /// End of the lower canonical half: the ELF and the heap stay below it.
    public static let lowHalfEnd = VirtualAddress(X86_64Layout.userLowEnd)
    /// Start of the upper canonical half, the lowest address a stack can reach.
    public static let highHalfStart = VirtualAddress(X86_64Layout.userHighStart)
    /// The user stack grows down from here.
    public static let stackTop = VirtualAddress(X86_64Layout.userStackTop)
    /// The unmapped page above the stack.
    public static let stackGuard = VirtualAddress(X86_64Layout.userStackGuard)
    /// The read-only page holding `ProcessMetadata`.
    public static let metadataPage = VirtualAddress(X86_64Layout.processMetadata)
    /// End of user space; the process-specific kernel area starts here.
    public static let userEnd = VirtualAddress(X86_64Layout.processKernelFirst)
}
