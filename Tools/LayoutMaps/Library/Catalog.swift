import MemoryCore

/// The pictures `make maps` draws, each built from an architecture's layout
/// table. The kernel image's bounds come from the linker at boot; the maps
/// use representative bounds and mark the regions that depend on them.
public enum Catalog {
    /// Representative bounds of the RISC-V kernel image (a 128 KiB text with
    /// the trampoline page in it, 128 KiB of data, then the guarded stacks).
    /// Only an example: the real bounds are printed in the boot log.
    public static let riscv64Image = KernelImage(
        start: VirtualAddress(RiscV64Layout.kernelBase),
        textEnd: VirtualAddress(RiscV64Layout.kernelBase + 0x2_0000),
        rodataEnd: VirtualAddress(RiscV64Layout.kernelBase + 0x2_0000),
        end: VirtualAddress(RiscV64Layout.kernelBase + 0x4_0000 + RiscV64Layout.guardedStacksBytes),
        trampoline: PhysicalAddress(RiscV64Layout.kernelBase + 0x1000),
        guardedStacks: VirtualAddress(RiscV64Layout.kernelBase + 0x4_0000))

    /// Representative bounds of the x86-64 kernel image (192 KiB of text,
    /// 32 KiB of read-only data, 96 KiB of data and bss).
    public static let x86_64Image = KernelImage(
        start: VirtualAddress(X86_64Layout.kernelImageBase),
        textEnd: VirtualAddress(X86_64Layout.kernelImageBase + 0x3_0000),
        rodataEnd: VirtualAddress(X86_64Layout.kernelImageBase + 0x3_8000),
        end: VirtualAddress(X86_64Layout.kernelImageBase + 0x5_0000))

    /// The same images moved up by 64 KiB, to find what depends on them.
    static func shifted(_ image: KernelImage) -> KernelImage {
        let step: UInt64 = 0x1_0000
        return KernelImage(
            start: VirtualAddress(image.start.raw), textEnd: VirtualAddress(image.textEnd.raw + step),
            rodataEnd: VirtualAddress(image.rodataEnd.raw + step), end: VirtualAddress(image.end.raw + step),
            trampoline: PhysicalAddress(image.trampoline.raw + step),
            guardedStacks: image.guardedStacks.map { VirtualAddress($0.raw + step) })
    }

    /// A picture's file stem and its map.
    public struct Entry: Sendable {
        public let stem: String
        public let map: AddressSpaceMap
    }

    public static var riscv64Kernel: AddressSpaceMap {
        AddressSpaceMap(
            title: "RISC-V kernel address space (Sv39, xv6 layout)",
            subtitle: "RiscV64Layout.kernelSpace: the kernel's own page table",
            table: RiscV64Layout.kernelSpace(riscv64Image), alternative: RiscV64Layout.kernelSpace(shifted(riscv64Image)),
            rule: .below(RiscV64Layout.maxVA), last: RiscV64Layout.maxVA - 1)
    }

    public static var riscv64Process: AddressSpaceMap {
        AddressSpaceMap(
            title: "RISC-V process address space (Sv39, xv6 layout)",
            subtitle: "RiscV64Layout.userSpace: every process's page table",
            table: RiscV64Layout.userSpace(riscv64Image), alternative: RiscV64Layout.userSpace(shifted(riscv64Image)),
            rule: .below(RiscV64Layout.maxVA), last: RiscV64Layout.maxVA - 1
        ).showing(RepresentativeProgram.xv6())
    }

    public static var x86_64: AddressSpaceMap {
        AddressSpaceMap(
            title: "x86-64 address space (4-level paging, Emerald layout)",
            subtitle: "X86_64Layout.table: every address space, user, process-specific kernel and kernel",
            table: X86_64Layout.table(x86_64Image), alternative: X86_64Layout.table(shifted(x86_64Image)),
            rule: .canonical48, last: UInt64.max
        ).showing(RepresentativeProgram.emerald())
    }

    public static var all: [Entry] {
        [
            Entry(stem: "riscv64-kernel", map: riscv64Kernel),
            Entry(stem: "riscv64-process", map: riscv64Process),
            Entry(stem: "x86_64", map: x86_64),
        ]
    }
}
