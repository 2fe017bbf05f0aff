/// The Emerald memory layout on x86-64 with 4-level paging, as stated in the
/// specification (seeds/000): every constant here is a requirement. One table
/// describes every address space: user, process-specific kernel, kernel.
public enum X86_64Layout {
    public static let pageSize: UInt64 = 4096

    // The three spaces, each as first and last (inclusive) address.
    public static let userFirst: UInt64 = 0x0000_0000_0000_0000
    public static let userLast: UInt64 = 0xFFFF_FF7F_FFFF_FFFF
    public static let processKernelFirst: UInt64 = 0xFFFF_FF80_0000_0000
    public static let processKernelLast: UInt64 = 0xFFFF_FFFF_7FFF_FFFF
    public static let kernelFirst: UInt64 = 0xFFFF_FFFF_8000_0000
    public static let kernelLast: UInt64 = 0xFFFF_FFFF_FFFF_FFFF

    /// User space is split by the non-canonical hole of 48-bit addressing.
    public static let userLowEnd: UInt64 = 0x0000_8000_0000_0000
    public static let userHighStart: UInt64 = 0xFFFF_8000_0000_0000

    // The top of user space, per process.
    public static let userStackTop: UInt64 = 0xFFFF_FF7F_FFFF_D000
    public static let userStackGuard: UInt64 = 0xFFFF_FF7F_FFFF_D000
    public static let processMetadata: UInt64 = 0xFFFF_FF7F_FFFF_E000
    public static let processMetadataEnd: UInt64 = 0xFFFF_FF7F_FFFF_F000

    // The process-specific kernel region.
    public static let processKernelStackGuard: UInt64 = 0xFFFF_FF80_0000_0000
    public static let processKernelStack: UInt64 = 0xFFFF_FF80_0000_1000
    public static let processKernelStackSize: UInt64 = 64 * pageSize
    public static var processKernelStackTop: UInt64 { processKernelStack + processKernelStackSize }

    // The kernel (top 2 GiB).
    /// Physical address 0 appears here; the first 128 MiB are mapped at boot.
    public static let directMapBase: UInt64 = kernelFirst
    public static let directMapSize: UInt64 = 128 * 1024 * 1024
    public static let kernelImageBase: UInt64 = 0xFFFF_FFFF_8010_0000
    public static let kernelImagePhysical: UInt64 = 0x10_0000
    /// The physical page application processors start in: real mode needs
    /// it below 1 MiB and the startup IPI names it by page number. It lies
    /// in "low memory" (the direct map covers it, the frame allocator never
    /// owns it), below the BIOS's data at the end of conventional memory.
    public static let apStartupPage: UInt64 = 0x8000
    public static let heapStart: UInt64 = 0xFFFF_FFFF_8800_0000
    public static let heapSize: UInt64 = 16 * 1024 * 1024
    public static let interruptStacksStart: UInt64 = 0xFFFF_FFFF_8900_0000
    public static let interruptStackCount = 7
    public static let interruptStackGuardSize: UInt64 = pageSize
    public static let interruptStackSize: UInt64 = 32 * pageSize
    public static let interruptStacksEnd: UInt64 = 0xFFFF_FFFF_890E_7000
    public static let kernelExtraStart: UInt64 = interruptStacksEnd
    public static let kernelExtraEnd: UInt64 = 0xFFFF_FFFF_FFFF_F000

    /// Top-level (PML4) entry whose PDPT is private to each process; its
    /// entries 510 and 511 are the kernel's 2 GiB, shared by every process.
    public static let processTopLevelEntry = 511
    public static let sharedKernelPDPTEntries = 510...511

    /// Virtual address of physical `address` in the direct map (first 128 MiB only).
    public static func directMapped(_ address: PhysicalAddress) -> VirtualAddress {
        VirtualAddress(directMapBase + address.raw)
    }

    /// Physical address of a kernel-image address (the image lies in the direct map).
    static func imagePhysical(_ address: VirtualAddress) -> PhysicalAddress {
        PhysicalAddress(address.raw - directMapBase)
    }

    public static func table(_ image: KernelImage) -> LayoutTable {
        var table = LayoutTable(name: "x86_64 (4-level paging, Emerald layout)")
        // User: ELF and heap low, stack at the top, then guard and metadata.
        table.add(LayoutRegion("user (ELF, heap)", span(userFirst, to: userLowEnd), .window, .read | .write | .execute | .user, owner: .user))
        table.add(LayoutRegion("user stack", span(userHighStart, to: userStackTop), .window, .read | .write | .user, owner: .user))
        table.add(LayoutRegion("user stack guard", span(userStackGuard, size: pageSize), .guardPage, owner: .user))
        table.add(LayoutRegion("process metadata", span(processMetadata, to: processMetadataEnd), .frames, .read | .user, owner: .process))
        // Process-specific kernel: the per-process kernel stack above its guard.
        table.add(LayoutRegion("process kernel stack guard", span(processKernelStackGuard, size: pageSize), .guardPage, owner: .process))
        table.add(LayoutRegion("process kernel stack", span(processKernelStack, size: processKernelStackSize), .frames, .readWrite, owner: .process))
        table.add(LayoutRegion("process-specific kernel (free)", span(processKernelStackTop, to: kernelFirst), .unused, owner: .process))
        // Kernel: direct map, image, allocator window, heap, interrupt stacks, extra.
        table.add(LayoutRegion("low memory", span(directMapBase, to: kernelImageBase), .direct(PhysicalAddress(0)), .readWrite, owner: .kernel))
        table.add(
            LayoutRegion(
                "kernel text", span(kernelImageBase, to: image.textEnd.raw), .direct(PhysicalAddress(kernelImagePhysical)), .readExecute, owner: .kernel))
        table.add(
            LayoutRegion("kernel rodata", span(image.textEnd.raw, to: image.rodataEnd.raw), .direct(imagePhysical(image.textEnd)), .readOnly, owner: .kernel))
        table.add(
            LayoutRegion("kernel data", span(image.rodataEnd.raw, to: image.end.raw), .direct(imagePhysical(image.rodataEnd)), .readWrite, owner: .kernel))
        table.add(LayoutRegion("physical allocator", span(image.end.raw, to: heapStart), .direct(imagePhysical(image.end)), .readWrite, owner: .kernel))
        table.add(LayoutRegion("kernel heap", span(heapStart, size: heapSize), .frames, .readWrite, owner: .kernel))
        table.add(
            LayoutRegion(
                "interrupt stacks", span(interruptStacksStart, to: interruptStacksEnd), .frames, .readWrite, owner: .kernel,
                slots: GuardedSlots(count: interruptStackCount, guardBytes: interruptStackGuardSize)))
        table.add(LayoutRegion("kernel extra (virtual space)", span(kernelExtraStart, to: kernelExtraEnd), .window, .readWrite, owner: .kernel))
        return table
    }
}
