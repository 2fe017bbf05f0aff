/// Where PCI configuration space is memory-mapped (PCI Express ECAM), as
/// ACPI's MCFG table states it: each bus from `firstBus` to `lastBus` has
/// 1 MiB at `base + (bus - firstBus) << 20`, 4 KiB per function.
struct PCIConfigurationArea {
    let base: PhysicalAddress
    let segment: UInt16
    let firstBus: UInt8
    let lastBus: UInt8

    /// The 4 KiB of configuration space of bus/device/function, or nil for
    /// a bus outside the area.
    func function(bus: UInt8, device: UInt8, function: UInt8) -> PhysicalAddress? {
        guard bus >= firstBus, bus <= lastBus, device < 32, function < 8 else { return nil }
        let offset = UInt64(bus - firstBus) << 20 | UInt64(device) << 15 | UInt64(function) << 12
        return base.adding(offset)
    }
}

extension ACPI {
    // "MCFG" as the little-endian 32-bit word it is in a table header.
    private static let signatureMCFG: UInt32 = 0x4746_434D

    /// The first segment-0 entry of the MCFG table (header, 8 reserved
    /// bytes, then 16-byte entries: base, segment, first and last bus), or
    /// nil when there is no MCFG or it is malformed. Tables are mapped only
    /// while they are read (`PhysicalWindow`).
    static func pciConfigurationArea() -> PCIConfigurationArea? {
        guard let rsdp = findRSDP() else { return nil }
        var found: PCIConfigurationArea? = nil
        forEachTable(root: rsdp.root, wide: rsdp.wide) { table, signature in
            guard found == nil, signature == signatureMCFG else { return }
            found = readMCFG(at: table)
        }
        return found
    }

    private static func readMCFG(at table: PhysicalAddress) -> PCIConfigurationArea? {
        let entriesStart = headerBytes + 8
        guard let length = tableLength(table), length >= entriesStart + 16 else { return nil }
        return PhysicalWindow.withMapping(physical: table, size: length) { mcfg -> PCIConfigurationArea? in
            guard checksum(mcfg, Int(length)) else { return nil }
            var offset = entriesStart
            while offset + 16 <= length {
                let entry = mcfg + Int(offset)
                let segment = entry.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
                let firstBus = entry.load(fromByteOffset: 10, as: UInt8.self)
                let lastBus = entry.load(fromByteOffset: 11, as: UInt8.self)
                if segment == 0 && firstBus <= lastBus {
                    return PCIConfigurationArea(
                        base: PhysicalAddress(entry.loadUnaligned(as: UInt64.self)), segment: segment, firstBus: firstBus,
                        lastBus: lastBus)
                }
                offset += 16
            }
            return nil
        } ?? nil
    }
}
