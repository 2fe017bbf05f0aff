/// RAM above 128 MiB. The direct map ends at 128 MiB, so the boot maps the
/// usable RAM above it (`BootMemory.high`) into the kernel-extra window
/// through the virtual-space mapper, read-write, no-execute, kernel only,
/// with 2 MiB pages (4 KiB only for an unaligned head or tail: the window
/// start lines up with the frames), and keeps that mapping for the kernel's
/// lifetime. Its frames then go to the frame allocator, and every
/// access to a frame goes through `KernelPhysicalMemory`, which picks the
/// direct map below 128 MiB and the window above.
enum HighMemory {
    /// How frames are reached now: the direct map alone until `start` has
    /// mapped the RAM above it, then both.
    nonisolated(unsafe) private(set) static var translation = SplitPhysicalMemory(low: X86_64.directMap)
    /// Where that RAM appears in the kernel-extra window.
    nonisolated(unsafe) private(set) static var window: VirtualRange? = nil
    /// Page-table pages the window's mapping took.
    nonisolated(unsafe) private(set) static var tablePages: UInt64 = 0

    /// Maps the RAM above 128 MiB and gives it to the frame allocator. Needs
    /// the kernel page table and the mapper (`X86Paging.buildAndSwitch`).
    /// Without such RAM, or if it cannot be mapped, the kernel runs on the
    /// direct map alone (`log` says which).
    static func start() {
        guard let high = BootMemory.high else { return }
        let before = KernelPaging.tablePages
        // The table pages come from below 128 MiB: nothing above is the allocator's yet.
        guard let pages = PhysicalWindow.mapRAM(high) else { return }
        tablePages = KernelPaging.tablePages - before
        translation = SplitPhysicalMemory(low: X86_64.directMap, high: DirectMappedMemory(window: high, at: pages.start))
        window = pages
        PhysicalFrames.addHighRAM(high)
    }

    /// "physical     N frames below 128 MiB (direct map), M above (window ...)".
    static func log() {
        let managed = PhysicalFrames.allocator.pointee.managedFrames
        Console.write("physical     ")
        guard let window, let high = PhysicalFrames.highRAM else {
            Console.write(decimal: managed)
            Console.write(" frames below 128 MiB (direct map), none above")
            if BootMemory.high != nil { Console.write(": the window could not map it") }
            unusedNote()
            Console.newline()
            return
        }
        let highFrames = high.size / pageBytes
        Console.write(decimal: managed - highFrames)
        Console.write(" frames below 128 MiB (direct map), ")
        Console.write(decimal: highFrames)
        Console.write(" frames above (window ")
        Console.write(hex: window.start.raw)
        Console.write("..")
        Console.write(hex: window.end.raw)
        Console.write(", ")
        Console.write(decimal: PhysicalWindow.ramPages(.size2M))
        Console.write(" 2 MiB + ")
        Console.write(decimal: PhysicalWindow.ramPages(.size4K))
        Console.write(" 4 KiB pages, ")
        Console.write(decimal: tablePages)
        Console.write(" table pages)")
        unusedNote()
        Console.newline()
    }

    private static func unusedNote() {
        guard BootMemory.highUnused >= pageBytes else { return }
        Console.write("; ")
        Console.write(decimal: BootMemory.highUnused / 1024)
        Console.write(" KiB above left unused")
    }
}

/// `X86_64.physicalMemory`, the kernel's way to any frame: the direct map
/// below 128 MiB, the kernel-extra window above (`HighMemory.translation`,
/// core type `SplitPhysicalMemory`). It carries no state of its own, so the
/// kernel page table, built before the window existed, reaches the frames
/// above 128 MiB as well as every later table does. A range across 128 MiB
/// or outside both gets no pointer (the protocol's nil; `load64` and
/// `store64` trap on it).
struct KernelPhysicalMemory: PhysicalMemory {
    func pointer(to address: PhysicalAddress, count: UInt64) -> UnsafeMutableRawPointer? {
        HighMemory.translation.pointer(to: address, count: count)
    }
}
