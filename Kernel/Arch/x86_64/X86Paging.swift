/// The kernel's page table on x86-64, reached through the direct map.
typealias KernelPageTable = PageTable<X86_64FourLevel, DirectMappedMemory>

/// What the virtual-space mapper maps its pages with: the kernel page table,
/// plus the TLB flush the page table leaves to its user after each unmap.
struct KernelWindowPages: KernelPageMapper {
    var table: PageTableKernelMapper<X86_64FourLevel, DirectMappedMemory>

    mutating func map(_ page: VirtualAddress, to frame: PhysicalAddress, permissions: PagePermissions) throws(PageMappingError) {
        try table.map(page, to: frame, permissions: permissions)
    }

    mutating func unmap(_ page: VirtualAddress) {
        table.unmap(page)
        invalidatePage(page.raw)
    }
}

typealias KernelVirtualSpace = VirtualSpaceMapper<KernelWindowPages>
typealias KernelMappedRegion = MappedRegion<KernelWindowPages>

/// Builds the kernel's page table from the layout table and switches to it.
///
/// Every kernel region of `X86_64Layout.table` is entered as the table says:
/// direct regions (low memory, text RX, rodata R, data RW, the physical
/// allocator's RAM; everything but text NX) onto their physical addresses,
/// frame-backed regions (the heap, the interrupt stacks above their unmapped
/// guard pages) onto frames taken at boot, and the kernel-extra window left
/// to the virtual-space mapper. Nothing maps low virtual addresses, so the
/// boot identity map is gone once CR3 points here.
///
/// The page table, the allocator of its table pages and the mapper must stay
/// at fixed addresses (each points at the one before), so they live in a
/// page taken from RAM at boot, not in Swift globals that could be copied.
enum X86Paging {
    /// Frames set aside for the kernel's table pages: those the layout needs
    /// at boot (about 15) and those the mapper's window adds later.
    static let tablePoolFrames: UInt64 = 64
    private static let stateBytes: UInt64 = 2 * pageBytes

    nonisolated(unsafe) private(set) static var pageTable: UnsafeMutablePointer<KernelPageTable>? = nil
    nonisolated(unsafe) private(set) static var virtualSpace: UnsafeMutablePointer<KernelVirtualSpace>? = nil
    nonisolated(unsafe) private static var tableFrames: UnsafeMutablePointer<FrameAllocator>? = nil

    /// Builds the table (panics if memory runs out: the kernel cannot run
    /// without it) and loads CR3.
    static func buildAndSwitch(_ layout: LayoutTable) {
        let memory = X86_64.physicalMemory
        guard let state = BootMemory.takeFromStart(stateBytes),
              let pool = BootMemory.takeFromStart(tablePoolFrames * pageBytes),
              let stateBase = memory.pointer(to: state.start, count: stateBytes)
        else { kernelPanic("no memory for the kernel page table") }
        stateBase.initializeMemory(as: UInt8.self, repeating: 0, count: Int(stateBytes))
        var carver = Carver(base: stateBase, capacity: stateBytes)

        // The allocator of table pages, its bitmap next to it.
        let framesPointer = carver.take(FrameAllocator.self)
        let bitmapBytes = FrameAllocator.storageBytes(for: pool)
        let bitmap = carver.takeBytes(bitmapBytes, alignment: 8)
        do throws(FrameError) {
            var frames = try FrameAllocator(span: pool, storage: bitmap, storageBytes: bitmapBytes)
            try frames.addRange(pool)
            framesPointer.initialize(to: frames)
        } catch {
            kernelPanic("cannot set up the page-table frame pool")
        }
        tableFrames = framesPointer

        let tablePointer = carver.take(KernelPageTable.self)
        do throws(MapError) {
            tablePointer.initialize(to: try KernelPageTable(memory: memory, frames: framesPointer))
            // Every process will share the page directories under PDPT
            // entries 510 and 511 (the top 2 GiB), so both exist from now on.
            try tablePointer.pointee.ensureTables(
                covering: VirtualRange(start: VirtualAddress(X86_64Layout.kernelFirst), end: VirtualAddress(X86_64Layout.kernelExtraEnd))!,
                atLevel: 2)
            for index in 0..<layout.count where layout[index].owner == .kernel {
                try mapRegion(layout[index], into: tablePointer)
            }
        } catch {
            kernelPanic("cannot build the kernel page table from the layout")
        }
        pageTable = tablePointer

        writeCR3(tablePointer.pointee.rootAddress.raw)

        guard let window = layout.region(named: "kernel extra (virtual space)") else {
            kernelPanic("the layout has no kernel-extra window")
        }
        let spacePointer = carver.take(KernelVirtualSpace.self)
        do throws(VirtualRangeError) {
            let pages = KernelWindowPages(table: PageTableKernelMapper(table: tablePointer))
            spacePointer.initialize(to: try KernelVirtualSpace(window: window.range, pages: pages))
        } catch {
            kernelPanic("cannot set up the virtual-space mapper")
        }
        virtualSpace = spacePointer
    }

    private static func mapRegion(_ region: LayoutRegion, into table: UnsafeMutablePointer<KernelPageTable>) throws(MapError) {
        switch region.backing {
        case .direct(let physical):
            try table.pointee.mapRange(region.range, to: physical, permissions: region.permissions, largestPage: .size2M)
        case .frames:
            if let slots = region.slots {
                // Each slot's stack, never its guard page.
                for index in 0..<slots.count {
                    let stack = region.slot(index)
                    let frames = try takeFrames(stack.size)
                    try table.pointee.mapRange(stack, to: frames.start, permissions: region.permissions)
                }
            } else {
                let frames = try takeFrames(region.range.size)
                try table.pointee.mapRange(region.range, to: frames.start, permissions: region.permissions, largestPage: .size2M)
            }
        case .window, .guardPage, .unused:
            break
        }
    }

    /// Physical memory for a frame-backed region, taken before the frame
    /// allocator exists (it never sees these frames).
    private static func takeFrames(_ bytes: UInt64) throws(MapError) -> PhysicalRange {
        guard let frames = BootMemory.takeFromStart(bytes) else { throw .outOfMemory }
        return frames
    }

    /// Table pages in use and left in the pool.
    static var tablePagesUsed: UInt64 { tablePoolFrames - (tableFrames?.pointee.freeFrames ?? tablePoolFrames) }
}

/// Hands out aligned pieces of one zeroed block, front to back.
private struct Carver {
    let base: UnsafeMutableRawPointer
    let capacity: UInt64
    var used: UInt64 = 0

    mutating func takeBytes(_ bytes: UInt64, alignment: UInt64) -> UnsafeMutableRawPointer {
        let start = (used + alignment - 1) & ~(alignment - 1)
        guard start + bytes <= capacity else { kernelPanic("kernel paging state does not fit its pages") }
        used = start + bytes
        return base + Int(start)
    }

    mutating func take<T: ~Copyable>(_ type: T.Type) -> UnsafeMutablePointer<T> {
        takeBytes(UInt64(MemoryLayout<T>.size), alignment: UInt64(MemoryLayout<T>.alignment))
            .bindMemory(to: T.self, capacity: 1)
    }
}
