/// `invlpg`, for `TranslationCache` (a C function pointer: no context).
private func flushTranslation(_ address: UInt64) { invalidatePage(address) }

/// What the virtual-space mapper maps its pages with: the kernel page table
/// (`KernelPaging.table`, a global, so it never moves), plus the TLB flush
/// the page table leaves to its user after each unmap.
struct KernelWindowPages: KernelPageMapper {
    mutating func map(
        _ page: VirtualAddress, to frame: PhysicalAddress, size: PageSize, permissions: PagePermissions
    ) throws(PageMappingError) {
        guard KernelPaging.table != nil else { throw .invalidAddress }
        do throws(MapError) {
            try KernelPaging.table!.map(page, to: frame, size: size, permissions: permissions)
        } catch {
            switch error {
            case .alreadyMapped, .largePageConflict: throw .alreadyMapped
            case .outOfMemory: throw .outOfFrames
            default: throw .invalidAddress
            }
        }
    }

    /// One invalidation covers a large page too: it drops the TLB entry
    /// that translates `page`, whatever its size. Every CPU may have cached
    /// it (the window is shared), so every CPU flushes it before the page's
    /// virtual address can be handed out again (`KernelWindowShootdown`).
    mutating func unmap(_ page: VirtualAddress, size: PageSize) {
        guard KernelPaging.table != nil else { return }
        // The table's unmap flushes this CPU's TLB; the other CPUs' here.
        _ = try? KernelPaging.table!.unmap(page)
        KernelWindowShootdown.invalidateOthers(first: page.raw, pages: 1)
    }
}

typealias KernelVirtualSpace = VirtualSpaceMapper<KernelWindowPages>
typealias KernelMappedRegion = MappedRegion<KernelWindowPages>

/// Builds the kernel's page table from the layout table at boot and switches
/// to it. x86-64 needs it before `kernelMain` (the kernel runs on an
/// interrupt-stack slot above its guard page, and ACPI and the APICs are
/// reached through the virtual-space mapper), so the boot code builds it the
/// portable way (`KernelPaging.build`), with frames from `PhysicalFrames`,
/// and `startPaging` adopts and audits it later.
///
/// Every kernel region of `X86_64Layout.table` is entered as the table says:
/// direct regions (low memory, text RX, rodata R, data RW, the physical
/// allocator's RAM; everything but text NX) onto their physical addresses,
/// frame-backed regions (the heap, the interrupt stacks above their unmapped
/// guard pages) onto fresh frames, and the kernel-extra window left to the
/// virtual-space mapper. Nothing maps low virtual addresses, so the boot
/// identity map is gone once CR3 points here.
enum X86Paging {
    /// The mapper lives in frames of its own: its regions point back at it.
    nonisolated(unsafe) private(set) static var virtualSpace: UnsafeMutablePointer<KernelVirtualSpace>? = nil

    /// The kernel's top 2 GiB, whose two page directories (PDPT entries 510
    /// and 511 under PML4 entry 511) every process's page table links to.
    static var sharedKernelRange: VirtualRange {
        VirtualRange(start: VirtualAddress(X86_64Layout.kernelFirst), end: VirtualAddress(X86_64Layout.kernelExtraEnd))!
    }

    /// Builds the table (panics if memory runs out: the kernel cannot run
    /// without it) and loads CR3.
    static func buildAndSwitch(_ layout: LayoutTable) {
        // Every page a page table unmaps or narrows leaves this CPU's TLB at
        // once (the return to user mode does not reload CR3).
        TranslationCache.flushPage = flushTranslation
        // The frame allocator comes first: the table's pages and the
        // frame-backed regions are its frames, so its count stays whole.
        PhysicalFrames.initialize()
        do throws(MapError) {
            KernelPaging.table = try KernelTable(memory: X86_64.physicalMemory, frames: PhysicalFrames.allocator)
            // Both shared page directories exist from the start, so a later
            // kernel mapping (the mapper's) shows in every process at once.
            try KernelPaging.table!.ensureTables(covering: sharedKernelRange, atLevel: 2)
            try KernelPaging.build(from: layout, into: &KernelPaging.table!)
        } catch {
            kernelPanic(error == .outOfMemory ? "kernel page table: out of memory" : "kernel page table: a layout region cannot be mapped")
        }
        writeCR3(KernelPaging.root.raw)

        guard let window = layout.region(named: "kernel extra (virtual space)") else {
            kernelPanic("the layout has no kernel-extra window")
        }
        let bytes = UInt64(MemoryLayout<KernelVirtualSpace>.stride)
        let pages = (bytes + pageBytes - 1) / pageBytes
        guard let first = try? PhysicalFrames.allocator.pointee.allocateContiguous(count: pages),
            let raw = X86_64.physicalMemory.pointer(to: first.address, count: pages * pageBytes)
        else { kernelPanic("no memory for the virtual-space mapper") }
        let spacePointer = raw.bindMemory(to: KernelVirtualSpace.self, capacity: 1)
        do throws(VirtualRangeError) {
            spacePointer.initialize(to: try KernelVirtualSpace(window: window.range, pages: KernelWindowPages()))
        } catch {
            kernelPanic("cannot set up the virtual-space mapper")
        }
        virtualSpace = spacePointer
    }
}
