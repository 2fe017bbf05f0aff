/// Where the linker put the parts of the kernel image, as virtual addresses.
/// The layout tables need these to give text, read-only data and writable
/// data their own permissions; the boot code reads them from linker symbols.
public struct KernelImage: Sendable {
    /// First byte of the image (the entry point's page).
    public let start: VirtualAddress
    /// End of executable code (page aligned).
    public let textEnd: VirtualAddress
    /// End of read-only data (page aligned); equal to `textEnd` if the image has none.
    public let rodataEnd: VirtualAddress
    /// End of data and bss (page aligned): the first byte after the image.
    public let end: VirtualAddress
    /// Physical address of the trampoline page (RISC-V), inside the text.
    public let trampoline: PhysicalAddress
    /// RISC-V: the first guard page of the image's guarded stacks (boot,
    /// scratch and fault stacks, each above an unmapped guard page), which
    /// run from here to `end`; nil when the image has none.
    public let guardedStacks: VirtualAddress?

    public init(
        start: VirtualAddress, textEnd: VirtualAddress, rodataEnd: VirtualAddress,
        end: VirtualAddress, trampoline: PhysicalAddress = PhysicalAddress(0), guardedStacks: VirtualAddress? = nil
    ) {
        self.start = start
        self.textEnd = textEnd
        self.rodataEnd = rodataEnd
        self.end = end
        self.trampoline = trampoline
        self.guardedStacks = guardedStacks
    }
}
