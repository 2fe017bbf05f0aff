/// Reaches physical memory by its physical address: ACPI tables and device
/// registers, which may lie anywhere, not only in the kernel's direct map.
/// Everything goes through the virtual-space mapper in the layout's
/// kernel-extra window: a table is mapped while it is read and unmapped
/// right after; device registers stay mapped for the kernel's lifetime.
/// Needs the kernel page table (`X86Paging`); before it exists nothing
/// can be mapped and both functions fail.
enum PhysicalWindow {
    /// Calls `body` with a pointer to `size` bytes of physical memory at
    /// `physical`, mapped read-only for the call; nil (without calling it)
    /// if they cannot be mapped.
    static func withMapping<Result>(
        physical: PhysicalAddress, size: UInt64, _ body: (UnsafeRawPointer) -> Result
    ) -> Result? {
        guard let space = X86Paging.virtualSpace else { return nil }
        do throws(VirtualSpaceError) {
            let region = try space.map(physical: physical, size: size, permissions: .readOnly)
            guard let pointer = region.pointer else { return nil }
            let result = body(UnsafeRawPointer(pointer))
            // Unmapped here, after the body, and the TLB entries flushed.
            _ = consume region
            return result
        } catch {
            return nil
        }
    }

    /// Lasting mappings of device registers.
    nonisolated(unsafe) private static var localAPICRegisters: KernelMappedRegion? = nil
    nonisolated(unsafe) private static var ioAPICRegisters: KernelMappedRegion? = nil

    enum Device {
        case localAPIC
        case ioAPIC
    }

    /// Maps a device's registers (read-write) for good and returns their
    /// virtual address. Caching: the firmware's MTRRs make the APIC range
    /// uncached, which is what the page attributes (write-back) defer to.
    static func mapDevice(_ device: Device, physical: PhysicalAddress, size: UInt64) -> UInt? {
        guard let space = X86Paging.virtualSpace else { return nil }
        do throws(VirtualSpaceError) {
            let region = try space.map(physical: physical, size: size, permissions: .readWrite)
            let address = UInt(region.address.raw)
            switch device {
            case .localAPIC: localAPICRegisters = consume region
            case .ioAPIC: ioAPICRegisters = consume region
            }
            return address
        } catch {
            return nil
        }
    }

    /// The lasting mapping of the RAM above 128 MiB (`HighMemory`).
    nonisolated(unsafe) private static var highRAM: KernelMappedRegion? = nil

    /// Maps RAM (read-write, no-execute, kernel only) for good, with 2 MiB
    /// pages wherever the frames allow (4 KiB for an unaligned head or
    /// tail), and returns the virtual range it got; nil if the window or the frames for its
    /// page tables run out (nothing stays mapped then). Once only.
    static func mapRAM(_ range: PhysicalRange) -> VirtualRange? {
        guard let space = X86Paging.virtualSpace, highRAM == nil else { return nil }
        do throws(VirtualSpaceError) {
            let region = try space.map(
                physical: range.start, size: range.size, permissions: .readWrite, largestPage: .size2M)
            let pages = region.pages
            highRAM = consume region
            return pages
        } catch {
            return nil
        }
    }

    /// Pages of `size` in the lasting RAM mapping (0 before `mapRAM`).
    static func ramPages(_ size: PageSize) -> UInt64 { highRAM?.pageCount(size) ?? 0 }

    /// Regions the mapper holds now (the kept device and RAM mappings).
    static var liveRegions: Int { X86Paging.virtualSpace?.pointee.liveRegions ?? 0 }
}
