/// Physical memory as the boot loader described it, and the part of it the
/// frame allocator gets: the usable RAM after the kernel image, up to the
/// end of the direct map (the layout's "physical allocator" region ends at
/// 128 MiB). Decided once, before anything else uses that memory.
enum BootMemory {
    nonisolated(unsafe) private(set) static var map = MemoryMap()
    nonisolated(unsafe) private(set) static var free = PhysicalRange(start: PhysicalAddress(0), end: PhysicalAddress(0))!

    /// Reads the multiboot memory map and picks the free range; panics if
    /// there is no usable RAM after the image.
    static func initialize(information: PhysicalAddress) {
        guard let loaded = Multiboot.readMemoryMap(information: information, memory: X86_64.physicalMemory) else {
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
