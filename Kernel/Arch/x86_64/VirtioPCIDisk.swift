import _Volatile

/// The disk on q35: a modern-only virtio-blk-pci device (vendor 0x1AF4,
/// device 0x1042), found through the ECAM area that ACPI's MCFG names.
/// Its configuration space, its virtio structures and its MSI-X table are
/// mapped through the virtual-space mapper for the kernel's lifetime
/// (4 KiB pages, uncached); the structures' mappings are kept here.
enum X86_64Disk: DiskAttachment {
    static let virtioVendor: UInt16 = 0x1AF4
    /// 0x1040 + the device type (virtio 1.x, 4.1.2.1): a modern-only block device.
    static let modernBlockDevice: UInt16 = 0x1040 + UInt16(VirtioDeviceType.block)
    static let transitionalBlockDevice: UInt16 = 0x1001

    // Vendor capability (4.1.4): type at +3, BAR at +4, offset at +8, length at +12.
    static let vendorCapability: UInt8 = 0x09
    static let msixCapability: UInt8 = 0x11
    static let commonConfiguration: UInt8 = 1
    static let notifyConfiguration: UInt8 = 2
    static let deviceSpecificConfiguration: UInt8 = 4

    // The lasting mappings (owners: only this enum, at boot).
    nonisolated(unsafe) private static var configSpace: KernelMappedRegion? = nil
    nonisolated(unsafe) private static var commonRegion: KernelMappedRegion? = nil
    nonisolated(unsafe) private static var notifyRegion: KernelMappedRegion? = nil
    nonisolated(unsafe) private static var deviceRegion: KernelMappedRegion? = nil
    nonisolated(unsafe) private static var msixRegion: KernelMappedRegion? = nil
    /// The function's configuration space and its MSI-X capability, for `enableDiskInterrupt`.
    nonisolated(unsafe) private static var function: PCIConfigSpace? = nil
    nonisolated(unsafe) private static var msixOffset = 0

    static func findDisk() -> VirtioPCI? {
        guard let area = ACPI.pciConfigurationArea() else {
            Console.line("virtio-blk: no ACPI MCFG table, so no PCI configuration space; running without a disk")
            return nil
        }
        guard let location = PCIScan.find(vendor: virtioVendor, device: modernBlockDevice, in: area) else {
            if PCIScan.find(vendor: virtioVendor, device: transitionalBlockDevice, in: area) != nil {
                Console.line("virtio-blk: only a transitional device; QEMU needs virtio-blk-pci,disable-legacy=on")
            } else {
                Console.line("virtio-blk: no disk attached (no virtio-blk-pci device on PCI bus 0); running without a disk")
            }
            return nil
        }
        guard let transport = attach(location, area: area) else {
            Console.line("virtio-blk: the PCI device lacks a usable virtio or MSI-X structure; running without a disk")
            return nil
        }
        return transport
    }

    /// Maps the function, enables memory decoding and bus mastering (and
    /// turns INTx off: MSI-X is used), and maps the structures it needs.
    private static func attach(_ location: PCILocation, area: PCIConfigurationArea) -> VirtioPCI? {
        guard let physical = area.function(bus: location.bus, device: location.device, function: location.function),
            let config = mapKept(physical, size: pageBytes, into: &configSpace)
        else { return nil }
        let space = PCIConfigSpace(base: config)
        var common: (bar: Int, offset: UInt32, length: UInt32)? = nil
        var notify: (bar: Int, offset: UInt32, length: UInt32, multiplier: UInt32)? = nil
        var device: (bar: Int, offset: UInt32, length: UInt32)? = nil
        var msix: Int? = nil
        space.forEachCapability { offset, id in
            if id == msixCapability && msix == nil { msix = offset }
            guard id == vendorCapability else { return }
            let bar = Int(space.read8(offset + 4))
            let start = space.read32(offset + 8)
            let length = space.read32(offset + 12)
            switch space.read8(offset + 3) {
            case commonConfiguration where common == nil: common = (bar, start, length)
            case notifyConfiguration where notify == nil: notify = (bar, start, length, space.read32(offset + 16))
            case deviceSpecificConfiguration where device == nil: device = (bar, start, length)
            default: break
            }
        }
        guard let common, let notify, let device, let msix else { return nil }
        let command = space.read16(PCIConfigSpace.command)
        space.write16(
            PCIConfigSpace.command,
            command | PCIConfigSpace.commandMemorySpace | PCIConfigSpace.commandBusMaster | PCIConfigSpace.commandInterruptDisable)
        let tableInfo = space.read32(msix + 4)
        guard let commonBase = mapStructure(space, bar: common.bar, offset: common.offset, length: common.length, into: &commonRegion),
            let notifyBase = mapStructure(space, bar: notify.bar, offset: notify.offset, length: notify.length, into: &notifyRegion),
            let deviceBase = mapStructure(space, bar: device.bar, offset: device.offset, length: device.length, into: &deviceRegion),
            mapStructure(space, bar: Int(tableInfo & 7), offset: tableInfo & ~7, length: 16, into: &msixRegion) != nil
        else { return nil }
        function = space
        msixOffset = msix
        var transport = VirtioPCI(
            location: location, common: commonBase, notifyBase: notifyBase, notifyMultiplier: notify.multiplier,
            requestQueueNotify: notifyBase, deviceConfiguration: deviceBase)
        transport = VirtioPCI(
            location: location, common: commonBase, notifyBase: notifyBase, notifyMultiplier: notify.multiplier,
            requestQueueNotify: transport.notifyAddress(0), deviceConfiguration: deviceBase)
        return transport
    }

    /// Maps `length` bytes at `offset` into memory BAR `bar`; its virtual address.
    private static func mapStructure(
        _ space: PCIConfigSpace, bar: Int, offset: UInt32, length: UInt32, into region: inout KernelMappedRegion?
    ) -> UInt? {
        guard length > 0, let base = space.memoryBAR(bar), let start = base.adding(UInt64(offset)) else { return nil }
        return mapKept(start, size: UInt64(length), into: &region)
    }

    private static func mapKept(_ physical: PhysicalAddress, size: UInt64, into region: inout KernelMappedRegion?) -> UInt? {
        guard let space = X86Paging.virtualSpace else { return nil }
        do throws(VirtualSpaceError) {
            let mapped = try space.map(physical: physical, size: size, permissions: .readWrite | .uncached)
            let address = UInt(mapped.address.raw)
            region = consume mapped
            return address
        } catch {
            return nil
        }
    }

    /// Points MSI-X table entry 0 at this CPU's local APIC with vector
    /// `Vector.disk` (fixed delivery, edge) and turns MSI-X on, unmasked.
    static func enableDiskInterrupt() {
        guard let function, let table = msixRegion?.address.raw else { return }
        let entry = UInt(table) + UInt(VirtioPCI.queueMSIXEntry) * 16
        VolatileMappedRegister<UInt32>(unsafeBitPattern: entry).store(0xFEE0_0000 | LocalAPIC.id << 12)
        VolatileMappedRegister<UInt32>(unsafeBitPattern: entry + 4).store(0)
        VolatileMappedRegister<UInt32>(unsafeBitPattern: entry + 8).store(UInt32(Vector.disk))
        VolatileMappedRegister<UInt32>(unsafeBitPattern: entry + 12).store(0)
        // Message control: bit 15 enables MSI-X, bit 14 masks the whole function.
        let control = function.read16(msixOffset + 2)
        function.write16(msixOffset + 2, (control | 1 << 15) & ~(1 << 14))
    }
}

typealias PlatformDisk = X86_64Disk
