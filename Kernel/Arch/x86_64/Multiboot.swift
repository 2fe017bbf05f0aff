/// The multiboot v1 information the loader leaves in memory, read once at
/// boot. Only the memory map is kept: the loader may place the information
/// right after the kernel image, in frames the allocator hands out later,
/// so it is copied into `MemoryMap` before anything else runs.
enum Multiboot {
    /// What the loader puts in eax.
    static let bootloaderMagic: UInt32 = 0x2BAD_B002

    // Offsets in the information structure.
    private static let flagsOffset = 0
    private static let memoryMapLengthOffset = 44
    private static let memoryMapAddressOffset = 48
    /// Flag bit: the memory map fields are valid.
    private static let flagMemoryMap: UInt32 = 1 << 6

    /// Reads the memory map at `information` (a physical address) through
    /// `memory`. Returns nil when the loader gave none.
    static func readMemoryMap(information: PhysicalAddress, memory: DirectMappedMemory) -> MemoryMap? {
        guard let info = memory.pointer(to: information, count: 52) else { return nil }
        let flags = info.loadUnaligned(fromByteOffset: flagsOffset, as: UInt32.self)
        guard flags & flagMemoryMap != 0 else { return nil }
        let length = UInt64(info.loadUnaligned(fromByteOffset: memoryMapLengthOffset, as: UInt32.self))
        let address = PhysicalAddress(UInt64(info.loadUnaligned(fromByteOffset: memoryMapAddressOffset, as: UInt32.self)))
        guard let entries = memory.pointer(to: address, count: length) else { return nil }

        // Each entry: size (u32, not counting itself), base (u64), length
        // (u64), type (u32). The next entry starts `size + 4` bytes on.
        var map = MemoryMap()
        var offset: UInt64 = 0
        while offset + 24 <= length {
            let size = UInt64(entries.loadUnaligned(fromByteOffset: Int(offset), as: UInt32.self))
            let base = entries.loadUnaligned(fromByteOffset: Int(offset + 4), as: UInt64.self)
            let bytes = entries.loadUnaligned(fromByteOffset: Int(offset + 12), as: UInt64.self)
            let type = entries.loadUnaligned(fromByteOffset: Int(offset + 20), as: UInt32.self)
            map.add(MemoryMap.Entry(base: base, length: bytes, type: type))
            offset += size + 4
        }
        return map
    }
}

/// The firmware's map of physical memory (e820 types), as the loader passed it.
struct MemoryMap {
    struct Entry {
        let base: UInt64
        let length: UInt64
        /// 1 usable RAM, 2 reserved, 3 ACPI reclaimable, 4 ACPI NVS, 5 bad.
        let type: UInt32

        var end: UInt64 { base &+ length }
        var isUsable: Bool { type == 1 }

        var typeName: StaticString {
            switch type {
            case 1: return "usable"
            case 2: return "reserved"
            case 3: return "ACPI tables"
            case 4: return "ACPI NVS"
            case 5: return "bad"
            default: return "other"
            }
        }
    }

    static let capacity = 32
    private(set) var count = 0
    /// Entries beyond the capacity, dropped (reported in the boot log).
    private(set) var dropped = 0
    private var entries = InlineArray<32, Entry>(repeating: Entry(base: 0, length: 0, type: 0))

    mutating func add(_ entry: Entry) {
        guard count < Self.capacity else {
            dropped += 1
            return
        }
        entries[count] = entry
        count += 1
    }

    subscript(index: Int) -> Entry { entries[index] }

    /// Bytes of usable RAM in the whole map.
    var usableBytes: UInt64 {
        var total: UInt64 = 0
        for index in 0..<count where entries[index].isUsable { total += entries[index].length }
        return total
    }

    /// The end of the usable region that contains `address`, if one does.
    func usableEnd(containing address: UInt64) -> UInt64? {
        for index in 0..<count {
            let entry = entries[index]
            if entry.isUsable && entry.base <= address && address < entry.end { return entry.end }
        }
        return nil
    }
}
