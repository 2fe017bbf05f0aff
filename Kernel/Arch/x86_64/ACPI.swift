/// What the MADT (ACPI's "APIC" table) says about interrupt controllers.
struct InterruptControllers {
    /// A legacy ISA interrupt that does not arrive on the GSI of the same
    /// number, or not with ISA polarity and trigger.
    struct Override {
        let source: UInt8
        let gsi: UInt32
        /// Bits 1:0 polarity (3 = active low), bits 3:2 trigger (3 = level).
        let flags: UInt16
    }

    var localAPIC = PhysicalAddress(0)
    var ioAPIC: PhysicalAddress? = nil
    var ioAPICGSIBase: UInt32 = 0
    /// Enabled processors the MADT lists (flags bit 0), all of them.
    var processors = 0
    /// The local APIC ids of the first `CPUs.capacity` of those, in the
    /// MADT's order (the boot processor's among them); the rest are left
    /// parked (`startableCount` says how many fit).
    private(set) var processorAPICIDs = InlineArray<8, UInt8>(repeating: 0)
    var startableCount: Int { min(processors, processorAPICIDs.count) }
    private(set) var overrideCount = 0
    private var overrides = InlineArray<16, Override>(repeating: Override(source: 0, gsi: 0, flags: 0))

    mutating func addProcessor(apicID: UInt8) {
        if processors < processorAPICIDs.count { processorAPICIDs[processors] = apicID }
        processors += 1
    }

    mutating func add(_ override: Override) {
        guard overrideCount < 16 else { return }
        overrides[overrideCount] = override
        overrideCount += 1
    }

    /// The GSI, polarity and trigger an ISA interrupt line arrives with:
    /// its own number, active high, edge, unless an override says otherwise.
    func isaRoute(_ irq: UInt8) -> (gsi: UInt32, activeLow: Bool, levelTriggered: Bool) {
        for index in 0..<overrideCount where overrides[index].source == irq {
            let flags = overrides[index].flags
            return (overrides[index].gsi, flags & 0x3 == 0x3, flags >> 2 & 0x3 == 0x3)
        }
        return (UInt32(irq), false, false)
    }
}

/// Just enough ACPI to find the interrupt controllers: the RSDP in the BIOS
/// area, the root table (XSDT, or RSDT on ACPI 1.0) and the MADT. Every table
/// is reached through `PhysicalWindow`, mapped only while it is read.
enum ACPI {
    static let headerBytes: UInt64 = 36

    /// Finds the MADT and reads it; logs the tables it passes.
    static func interruptControllers() -> InterruptControllers? {
        guard let rsdp = findRSDP() else {
            Console.line("acpi         no RSDP found")
            return nil
        }
        Console.write("acpi         RSDP at ")
        Console.write(rsdp.address)
        Console.write(", revision ")
        Console.write(decimal: UInt64(rsdp.revision))
        Console.write(rsdp.wide ? ", XSDT at " : ", RSDT at ")
        Console.write(rsdp.root)
        Console.newline()

        var result: InterruptControllers? = nil
        Console.write("acpi tables  ")
        forEachTable(root: rsdp.root, wide: rsdp.wide) { table, signature in
            writeSignature(signature)
            Console.write(" ")
            if signature == signatureAPIC { result = readMADT(at: table) }
        }
        Console.newline()
        return result
    }

    // "APIC" as the little-endian 32-bit word it is in a table header.
    private static let signatureAPIC: UInt32 = 0x4349_5041

    struct RSDP {
        let address: PhysicalAddress
        let revision: UInt8
        let root: PhysicalAddress
        /// True when `root` is an XSDT (64-bit entries).
        let wide: Bool
    }

    /// The RSDP lies on a 16-byte boundary in the first KiB of the EBDA or in
    /// 0xE0000-0xFFFFF, starts with "RSD PTR " and its first 20 bytes sum to 0.
    static func findRSDP() -> RSDP? {
        let ebdaSegment =
            PhysicalWindow.withMapping(physical: PhysicalAddress(0x40E), size: 2) {
                UInt64($0.loadUnaligned(as: UInt16.self))
            } ?? 0
        if ebdaSegment != 0, let found = scanRSDP(from: ebdaSegment << 4, bytes: 1024) { return found }
        return scanRSDP(from: 0xE_0000, bytes: 0x2_0000)
    }

    private static func scanRSDP(from start: UInt64, bytes: UInt64) -> RSDP? {
        PhysicalWindow.withMapping(physical: PhysicalAddress(start), size: bytes) { area -> RSDP? in
            var offset: UInt64 = 0
            while offset + 36 <= bytes {
                let candidate = area + Int(offset)
                // "RSD PTR " read as a little-endian 64-bit word.
                if candidate.loadUnaligned(as: UInt64.self) == 0x2052_5450_2044_5352 && checksum(candidate, 20) {
                    let revision = candidate.load(fromByteOffset: 15, as: UInt8.self)
                    let rsdt = UInt64(candidate.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
                    if revision >= 2 {
                        let length = candidate.loadUnaligned(fromByteOffset: 20, as: UInt32.self)
                        let xsdt = candidate.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
                        if xsdt != 0 && length >= 36 && checksum(candidate, Int(length)) {
                            return RSDP(address: PhysicalAddress(start + offset), revision: revision, root: PhysicalAddress(xsdt), wide: true)
                        }
                    }
                    return RSDP(address: PhysicalAddress(start + offset), revision: revision, root: PhysicalAddress(rsdt), wide: false)
                }
                offset += 16
            }
            return nil
        } ?? nil
    }

    static func checksum(_ bytes: UnsafeRawPointer, _ count: Int) -> Bool {
        var sum: UInt8 = 0
        for index in 0..<count { sum &+= bytes.load(fromByteOffset: index, as: UInt8.self) }
        return sum == 0
    }

    /// A table's length from its header, or nil if it cannot be reached.
    static func tableLength(_ table: PhysicalAddress) -> UInt64? {
        PhysicalWindow.withMapping(physical: table, size: headerBytes) {
            UInt64($0.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        }
    }

    /// Calls `body` with each table the root table lists, and its signature.
    static func forEachTable(root: PhysicalAddress, wide: Bool, _ body: (PhysicalAddress, UInt32) -> Void) {
        guard let length = tableLength(root), length >= headerBytes else { return }
        let entryBytes: UInt64 = wide ? 8 : 4
        let count = (length - headerBytes) / entryBytes
        _ = PhysicalWindow.withMapping(physical: root, size: length) { rootTable in
            for index in 0..<count {
                let entryOffset = Int(headerBytes + index * entryBytes)
                let table =
                    wide
                    ? rootTable.loadUnaligned(fromByteOffset: entryOffset, as: UInt64.self)
                    : UInt64(rootTable.loadUnaligned(fromByteOffset: entryOffset, as: UInt32.self))
                guard table != 0 else { continue }
                let signature =
                    PhysicalWindow.withMapping(physical: PhysicalAddress(table), size: headerBytes) {
                        $0.loadUnaligned(as: UInt32.self)
                    } ?? 0
                body(PhysicalAddress(table), signature)
            }
        }
    }

    private static func writeSignature(_ signature: UInt32) {
        for index in 0..<4 { Console.put(UInt8(truncatingIfNeeded: signature >> (8 * UInt32(index)))) }
    }

    /// MADT: local APIC address at 36, flags at 40, then variable-length
    /// entries (type, length, ...) from 44.
    private static func readMADT(at table: PhysicalAddress) -> InterruptControllers? {
        guard let length = tableLength(table), length >= 44 else { return nil }
        return PhysicalWindow.withMapping(physical: table, size: length) { madt -> InterruptControllers? in
            parseMADT(madt, length: length)
        } ?? nil
    }

    /// The MADT's `length` bytes at `madt`, already mapped; nil when the
    /// checksum or the header is wrong. A pure function of the bytes, so a
    /// self-check can feed it a table of its own (`MADTChecks`).
    static func parseMADT(_ madt: UnsafeRawPointer, length: UInt64) -> InterruptControllers? {
        guard length >= 44, checksum(madt, Int(length)) else { return nil }
        var info = InterruptControllers()
        info.localAPIC = PhysicalAddress(UInt64(madt.loadUnaligned(fromByteOffset: 36, as: UInt32.self)))
        var offset: UInt64 = 44
        while offset + 2 <= length {
            let entry = madt + Int(offset)
            let type = entry.load(as: UInt8.self)
            let entryLength = UInt64(entry.load(fromByteOffset: 1, as: UInt8.self))
            guard entryLength >= 2, offset + entryLength <= length else { break }
            switch type {
            case 0 where entryLength >= 8:  // processor local APIC: UID, APIC id, flags (bit 0 = enabled)
                if entry.loadUnaligned(fromByteOffset: 4, as: UInt32.self) & 1 != 0 {
                    info.addProcessor(apicID: entry.load(fromByteOffset: 3, as: UInt8.self))
                }
            case 1 where entryLength >= 12:  // I/O APIC (the first one serves the ISA lines)
                if info.ioAPIC == nil {
                    info.ioAPIC = PhysicalAddress(UInt64(entry.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
                    info.ioAPICGSIBase = entry.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
                }
            case 2 where entryLength >= 10:  // interrupt source override
                info.add(
                    InterruptControllers.Override(
                        source: entry.load(fromByteOffset: 3, as: UInt8.self),
                        gsi: entry.loadUnaligned(fromByteOffset: 4, as: UInt32.self),
                        flags: entry.loadUnaligned(fromByteOffset: 8, as: UInt16.self)))
            case 5 where entryLength >= 12:  // 64-bit local APIC address
                info.localAPIC = PhysicalAddress(entry.loadUnaligned(fromByteOffset: 4, as: UInt64.self))
            default:
                break
            }
            offset += entryLength
        }
        return info
    }
}
