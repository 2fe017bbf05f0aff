/// The kernel's own page table, built from the architecture's layout table:
/// every region the table marks `.direct` is mapped onto its physical
/// range, every `.frames` region owned by the kernel gets fresh frames (slot
/// by slot, skipping the guards), and guards, windows and unused regions
/// stay unmapped.
typealias KernelTable = PageTable<Platform.Paging, DirectMappedMemory>

enum KernelPaging {
    nonisolated(unsafe) static var table: KernelTable? = nil

    /// Builds the table; nil (with the reason printed) when memory runs out
    /// or a region cannot be mapped, which at boot is fatal to the caller.
    static func build(from layout: LayoutTable) -> KernelTable? {
        do throws(MapError) {
            var table = try KernelTable(memory: Platform.physicalMemory, frames: PhysicalFrames.allocator)
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
            return consume table
        } catch {
            Console.write("kernel page table: cannot map the layout (")
            Console.write(error.description)
            Console.line(")")
            return nil
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
