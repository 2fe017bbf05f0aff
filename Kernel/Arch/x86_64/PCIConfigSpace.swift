import _Volatile

/// The configuration space of one PCI function, reached through its 4 KiB
/// of the ECAM area (mapped through the virtual-space mapper, uncached).
/// Offsets and fields from the PCI Local Bus and PCI Express specifications.
struct PCIConfigSpace {
    /// Virtual address of the function's first configuration byte.
    let base: UInt

    static let vendorID = 0x00
    static let deviceID = 0x02
    static let command = 0x04
    static let status = 0x06
    static let headerType = 0x0E
    static let firstBAR = 0x10
    static let capabilitiesPointer = 0x34

    static let commandMemorySpace: UInt16 = 1 << 1
    static let commandBusMaster: UInt16 = 1 << 2
    static let commandInterruptDisable: UInt16 = 1 << 10
    static let statusCapabilityList: UInt16 = 1 << 4

    func read8(_ offset: Int) -> UInt8 { VolatileMappedRegister<UInt8>(unsafeBitPattern: base + UInt(offset)).load() }
    func read16(_ offset: Int) -> UInt16 { VolatileMappedRegister<UInt16>(unsafeBitPattern: base + UInt(offset)).load() }
    func read32(_ offset: Int) -> UInt32 { VolatileMappedRegister<UInt32>(unsafeBitPattern: base + UInt(offset)).load() }
    func write16(_ offset: Int, _ value: UInt16) { VolatileMappedRegister<UInt16>(unsafeBitPattern: base + UInt(offset)).store(value) }

    var isPresent: Bool { read16(Self.vendorID) != 0xFFFF }
    var isMultiFunction: Bool { read8(Self.headerType) & 0x80 != 0 }

    /// The physical address a memory BAR decodes (64-bit BARs take two
    /// slots); nil for an I/O BAR, an index past 5 or an unassigned BAR.
    func memoryBAR(_ index: Int) -> PhysicalAddress? {
        guard index >= 0, index < 6 else { return nil }
        let low = read32(Self.firstBAR + 4 * index)
        guard low & 1 == 0 else { return nil }
        var address = UInt64(low & ~0xF)
        if low >> 1 & 3 == 2 {
            guard index < 5 else { return nil }
            address |= UInt64(read32(Self.firstBAR + 4 * (index + 1))) << 32
        }
        return address == 0 ? nil : PhysicalAddress(address)
    }

    /// Calls `body` with the offset of each capability in the list (at most
    /// 48: a looping list ends there).
    func forEachCapability(_ body: (_ offset: Int, _ id: UInt8) -> Void) {
        guard read16(Self.status) & Self.statusCapabilityList != 0 else { return }
        var offset = Int(read8(Self.capabilitiesPointer) & 0xFC)
        var seen = 0
        while offset >= 0x40 && seen < 48 {
            body(offset, read8(offset))
            offset = Int(read8(offset + 1) & 0xFC)
            seen += 1
        }
    }
}

/// A function's place on the PCI bus.
struct PCILocation {
    let bus: UInt8
    let device: UInt8
    let function: UInt8
}

/// Finding a PCI function by its IDs: bus `firstBus` of the ECAM area is
/// mapped (1 MiB, uncached) for the scan and unmapped after it; the caller
/// maps the function it wants on its own. Only that bus is scanned: QEMU's
/// q35 puts its devices there when no bridge is added.
enum PCIScan {
    static func find(vendor: UInt16, device: UInt16, in area: PCIConfigurationArea) -> PCILocation? {
        guard let space = X86Paging.virtualSpace, let busStart = area.function(bus: area.firstBus, device: 0, function: 0) else { return nil }
        do throws(VirtualSpaceError) {
            let bus = try space.map(physical: busStart, size: 1 << 20, permissions: .readWrite | .uncached)
            let base = UInt(bus.address.raw)
            for slot in 0..<32 {
                for function in 0..<8 {
                    let config = PCIConfigSpace(base: base + UInt(slot << 15 | function << 12))
                    guard config.isPresent else {
                        if function == 0 { break } else { continue }
                    }
                    if config.read16(PCIConfigSpace.vendorID) == vendor && config.read16(PCIConfigSpace.deviceID) == device {
                        return PCILocation(bus: area.firstBus, device: UInt8(slot), function: UInt8(function))
                    }
                    if function == 0 && !config.isMultiFunction { break }
                }
            }
            _ = consume bus
        } catch {
            return nil
        }
        return nil
    }
}
