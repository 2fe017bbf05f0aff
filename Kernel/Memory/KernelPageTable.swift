/// The kernel's own page table, built from the architecture's layout table
/// by `PageTable.mapLayout` (memory core): direct regions onto their
/// physical ranges, frame-backed regions onto fresh frames slot by slot,
/// guards left unmapped.
typealias KernelTable = PageTable<Platform.Paging, Platform.Memory>

enum KernelPaging {
    nonisolated(unsafe) static var table: KernelTable? = nil

    /// The root table's address (zero before paging starts).
    static var root: PhysicalAddress {
        switch table {
        case .some(let table): return table.rootFrame.address
        case .none: return PhysicalAddress(0)
        }
    }

    /// What the live kernel table maps `va` to; nil when unmapped or before paging.
    static func translate(_ va: VirtualAddress) -> Translation? {
        switch table {
        case .some(let table): return table.translate(va)
        case .none: return nil
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
        try table.mapLayout(layout, owners: RegionOwnerSet(kernel: true), largestPage: Platform.largestKernelPage)
    }
}
