/// Checks of the RAM the kernel reaches through a window of its own, not
/// the direct map (x86-64: above 128 MiB, in the kernel-extra window). They
/// run when the architecture gave such RAM to the frame allocator.
enum HighRAMChecks {
    /// The allocator hands out frames from that RAM first; the pointer the
    /// kernel gets for such a frame is where the live kernel page table maps
    /// that very frame, and two frames hold what was written to each. The
    /// first and last frames of the RAM are mapped where the window says.
    static func framesThroughWindow() -> Bool {
        guard let high = PhysicalFrames.highRAM else { return false }
        let before = PhysicalFrames.freeFrames
        let held = FrameAllocator.withTwoFrames(from: PhysicalFrames.allocator) { first, second in
            let memory = Platform.physicalMemory
            guard
                high.contains(first.address) && high.contains(second.address)
                    && mappedByKernelTable(first.address) && mappedByKernelTable(second.address)
                    && mappedByKernelTable(high.start) && mappedByKernelTable(PhysicalAddress(high.end.raw - pageBytes))
            else { return false }
            Console.write("frame ")
            Console.write(first.address)
            Console.write(" at ")
            Console.write(hex: UInt64(UInt(bitPattern: memory.pointer(to: first.address, count: pageBytes))))
            Console.write(" ... ")
            let pattern: UInt64 = 0x4849_4748_5241_4D21
            memory.zeroFrame(first)
            memory.zeroFrame(second)
            let last = PhysicalAddress(first.address.raw + pageBytes - 8)
            memory.store64(first.address, pattern)
            memory.store64(last, ~pattern)
            memory.store64(second.address, pattern ^ 0xFF)
            return memory.load64(first.address) == pattern && memory.load64(last) == ~pattern
                && memory.load64(PhysicalAddress(first.address.raw + 8)) == 0
                && memory.load64(second.address) == pattern ^ 0xFF
        }
        return held && PhysicalFrames.freeFrames == before
    }

    /// The kernel's pointer to `address` is a virtual address the kernel
    /// page table maps to `address`.
    private static func mappedByKernelTable(_ address: PhysicalAddress) -> Bool {
        guard let pointer = Platform.physicalMemory.pointer(to: address, count: 8) else { return false }
        return KernelPaging.translate(VirtualAddress(UInt64(UInt(bitPattern: pointer))))?.physicalAddress == address
    }

    /// Kept in a global, never a local: see `startPaging`.
    nonisolated(unsafe) private static var probe: ProcessSpace? = nil

    /// A process's address space, as exec makes one, lands in that RAM:
    /// its root table and its user page lie there, bytes copied out to the
    /// page come back in, and dropping the space returns every frame.
    static func addressSpaceInHighRAM() -> Bool {
        guard let high = PhysicalFrames.highRAM,
            let start = Platform.userWindow.low.start.adding(16 * pageBytes),
            let page = VirtualRange(start: start, size: pageBytes)
        else { return false }
        let before = PhysicalFrames.freeFrames
        var held = false
        do throws(MapError) {
            probe = try ProcessSpace(memory: Platform.physicalMemory, frames: PhysicalFrames.allocator, userWindow: Platform.userWindow)
            try probe!.mapUserPages(page, permissions: .readWrite)
            let placed = probePlacement(of: start)
            held = roundTrip(at: VirtualAddress(start.raw + 40))
            if let placed { held = held && high.contains(placed.root) && high.contains(placed.page) } else { held = false }
        } catch {
            held = false
        }
        probe = nil
        return held && PhysicalFrames.freeFrames == before
    }

    /// Where the probe space's root table and the page at `va` lie.
    private static func probePlacement(of va: VirtualAddress) -> (root: PhysicalAddress, page: PhysicalAddress)? {
        switch probe {
        case .some(let space):
            guard let translation = space.translate(va) else { return nil }
            return (space.rootAddress, translation.physicalAddress)
        case .none:
            return nil
        }
    }

    /// Copies a value out to `va` in the probe space and back in.
    private static func roundTrip(at va: VirtualAddress) -> Bool {
        var out: (UInt64, UInt64) = (0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210)
        var back: (UInt64, UInt64) = (0, 0)
        do throws(CopyError) {
            try withUnsafeBytes(of: &out) { bytes throws(CopyError) in try probe!.copyOut(to: va, from: bytes) }
            try withUnsafeMutableBytes(of: &back) { bytes throws(CopyError) in try probe!.copyIn(from: va, into: bytes) }
        } catch {
            return false
        }
        return back == out
    }
}
