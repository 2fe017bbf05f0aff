/// Physical memory as the boot loader described it, and the parts of it the
/// frame allocator gets: the usable RAM after the kernel image, up to the
/// end of the direct map (the layout's "physical allocator" region ends at
/// 128 MiB), and the usable RAM above the direct map, which `HighMemory`
/// maps into the kernel-extra window. Decided once, before anything else
/// uses that memory.
enum BootMemory {
    nonisolated(unsafe) private(set) static var map = MemoryMap()
    nonisolated(unsafe) private(set) static var free = PhysicalRange(start: PhysicalAddress(0), end: PhysicalAddress(0))!
    /// Usable RAM from 128 MiB on (one region of the map), nil if none.
    nonisolated(unsafe) private(set) static var high: PhysicalRange? = nil
    /// Usable bytes above 128 MiB that `high` leaves out (other regions of
    /// the map, or beyond `highLimit`).
    nonisolated(unsafe) private(set) static var highUnused: UInt64 = 0

    /// At most this much RAM above 128 MiB is mapped into the kernel-extra
    /// window (1.8 GiB of virtual space), so the rest of the window stays
    /// for ACPI tables and device registers.
    static let highLimit: UInt64 = 1 << 30

    /// Every frame the allocator may own: from the kernel image's end to the
    /// end of high RAM, the gap between them (if any) never given to it.
    static var allocatorSpan: PhysicalRange {
        guard let high else { return free }
        return PhysicalRange(start: free.start, end: high.end)!
    }

    /// True when the boot loader's map calls `bytes` at `start` usable RAM.
    static func isUsableRAM(_ start: PhysicalAddress, bytes: UInt64) -> Bool {
        guard let end = map.usableEnd(containing: start.raw) else { return false }
        return start.raw + bytes <= end
    }

    /// Reads the multiboot memory map and picks the free range; panics if
    /// there is no usable RAM after the image.
    static func initialize(information: PhysicalAddress) {
        guard let loaded = Multiboot.readMemoryMap(information: information, memory: X86_64.directMap) else {
            kernelPanic("the boot loader gave no memory map")
        }
        map = loaded
        let imageEnd = X86_64.kernelImage.end
        guard let usableEnd = map.usableEnd(containing: imageEnd.raw - 1) else {
            kernelPanic("the kernel image is not in usable RAM")
        }
        let end = PhysicalAddress(min(usableEnd, X86_64Layout.directMapSize)).alignedDown()
        guard let range = PhysicalRange(start: imageEnd, end: end), !range.isEmpty else {
            kernelPanic("no usable RAM after the kernel image")
        }
        free = range
        findHighRAM()
    }

    /// The usable region that holds (or, failing that, is the first above)
    /// the 128 MiB mark, from the mark on, whole pages, at most `highLimit`.
    private static func findHighRAM() {
        let split = X86_64Layout.directMapSize
        var chosen: (start: UInt64, end: UInt64)? = nil
        var usableAbove: UInt64 = 0
        for index in 0..<map.count where map[index].isUsable && map[index].end > split {
            let entry = map[index]
            let start = max(entry.base, split)
            usableAbove += entry.end - start
            if chosen == nil || start < chosen!.start { chosen = (start, entry.end) }
        }
        guard let chosen,
            let start = PhysicalAddress(chosen.start).alignedUp(),
            let range = PhysicalRange(start: start, end: PhysicalAddress(min(chosen.end, start.raw + highLimit)).alignedDown()),
            !range.isEmpty
        else {
            highUnused = usableAbove
            return
        }
        high = range
        highUnused = usableAbove - range.size
    }

    static func log() {
        Console.line("memory map   (from the boot loader)")
        for index in 0..<map.count {
            let entry = map[index]
            Console.write("  ")
            Console.write(range: entry.base, entry.end, width: 32)
            Console.line(entry.typeName)
        }
        if map.dropped > 0 {
            Console.write("  (")
            Console.write(decimal: UInt64(map.dropped))
            Console.line(" more entries not kept)")
        }
        Console.write("RAM          ")
        Console.write(decimal: map.usableBytes / 1024)
        Console.write(" KiB usable (")
        Console.write(decimal: map.usableBytes / (1024 * 1024))
        Console.line(" MiB)")
    }
}

extension Console {
    /// "start..end" of raw addresses, then spaces up to `width` columns.
    static func write(range start: UInt64, _ end: UInt64, width: Int) {
        let first = NumberText(hex: start)
        let last = NumberText(hex: end)
        write(first)
        write("..")
        write(last)
        spaces(width - first.count - 2 - last.count)
    }
}
