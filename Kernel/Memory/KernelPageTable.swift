/// The kernel's own page table, built from the architecture's layout table:
/// every region the table marks `.direct` is mapped onto its physical
/// range, every `.frames` region owned by the kernel gets fresh frames (slot
/// by slot, skipping the guards), and guards, windows and unused regions
/// stay unmapped.
typealias KernelTable = PageTable<Platform.Paging, DirectMappedMemory>

enum KernelPaging {
    nonisolated(unsafe) static var table: KernelTable? = nil

    /// The root table's address (zero before paging starts).
    static var root: PhysicalAddress {
        switch table {
        case .some(let table): return table.rootFrame.address
        case .none: return PhysicalAddress(0)
        }
    }

    static var tablePages: UInt64 {
        switch table {
        case .some(let table): return table.ownedTablePages()
        case .none: return 0
        }
    }

    /// Audits the live kernel table against `layout`; mismatches found.
    static func audit(against layout: LayoutTable) -> Int {
        switch table {
        case .some(let table): return LayoutAudit.run(table, against: layout, owners: RegionOwnerSet(kernel: true))
        case .none: return 1
        }
    }

    /// Maps every kernel region of `layout` into `table`. Failing at boot is
    /// fatal, so the caller panics on an error.
    static func build(from layout: LayoutTable, into table: inout KernelTable) throws(MapError) {
        for index in 0..<layout.count {
            let region = layout[index]
            guard region.owner == .kernel else { continue }
            switch region.backing {
            case .direct(let physical):
                try table.mapRange(region.range, to: physical, permissions: region.permissions,
                                   largestPage: Platform.largestKernelPage)
            case .frames:
                for slot in 0..<(region.slots?.count ?? 1) {
                    try mapFreshFrames(region.slots == nil ? region.range : region.slot(slot),
                                       permissions: region.permissions, into: &table)
                }
            case .window, .guardPage, .unused:
                break
            }
        }
    }

    private static func mapFreshFrames(_ range: VirtualRange, permissions: PagePermissions,
                                       into table: inout KernelTable) throws(MapError) {
        var page = range.start
        while page < range.end {
            let frame: FrameNumber
            do throws(FrameError) {
                frame = try PhysicalFrames.allocator.pointee.allocate()
            } catch {
                throw .outOfMemory
            }
            Platform.physicalMemory.zeroFrame(frame)
            try table.map(page, to: frame.address, size: .size4K, permissions: permissions)
            page = VirtualAddress(page.raw + pageBytes)
        }
    }
}
