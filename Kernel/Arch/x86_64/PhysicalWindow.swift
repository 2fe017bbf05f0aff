/// Reaches physical memory by its physical address: ACPI tables and device
/// registers, which may lie anywhere, not only in the kernel's direct map.
///
/// For now the boot page tables (entry.S) serve it: they map the first GiB
/// at 0xFFFF_FFFF_8000_0000 and the fourth GiB (local APIC, I/O APIC)
/// identity-mapped and uncached. Once the kernel's own page tables exist,
/// this goes through the virtual-space mapper in the kernel-extra window
/// instead, and a mapping lasts only as long as it is used.
enum PhysicalWindow {
    private static let lowLimit: UInt64 = 1 << 30
    private static let deviceStart: UInt64 = 3 << 30
    private static let deviceEnd: UInt64 = 4 << 30

    /// Where the boot tables show physical `address ..< address + size`, if
    /// they map all of it.
    private static func bootAddress(_ address: PhysicalAddress, size: UInt64) -> UInt64? {
        guard let end = address.adding(size) else { return nil }
        if end.raw <= lowLimit { return X86_64Layout.directMapBase + address.raw }
        if address.raw >= deviceStart && end.raw <= deviceEnd { return address.raw }
        return nil
    }

    /// Calls `body` with a pointer to `size` bytes of physical memory at
    /// `physical`; nil (without calling it) if they cannot be mapped.
    static func withMapping<Result>(
        physical: PhysicalAddress, size: UInt64, _ body: (UnsafeRawPointer) -> Result
    ) -> Result? {
        guard let virtual = bootAddress(physical, size: size),
              let pointer = UnsafeRawPointer(bitPattern: UInt(virtual))
        else { return nil }
        return body(pointer)
    }

    /// A lasting mapping of device registers (uncached), for drivers that
    /// keep them for the kernel's lifetime: the virtual address.
    static func mapDevice(physical: PhysicalAddress, size: UInt64) -> UInt? {
        guard physical.raw >= deviceStart, let virtual = bootAddress(physical, size: size) else { return nil }
        return UInt(virtual)
    }
}
