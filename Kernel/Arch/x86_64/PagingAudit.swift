/// The boot audit: walks the live kernel page table and holds every mapping
/// against the layout table it was built from. Each page must lie in a
/// region that is mapped (never a guard or an unused region), carry exactly
/// the region's permissions and, in a direct region, point at the region's
/// physical address plus its offset. Each kernel region the layout backs at
/// boot (direct or frames) must be mapped from its first page to its last,
/// and nothing may be mapped below the kernel's half (the boot identity map
/// is gone).
enum PagingAudit {
    struct Result {
        var pages: UInt64 = 0
        var largePages: UInt64 = 0
        var problems: UInt64 = 0
    }

    static func run(_ table: borrowing KernelPageTable, _ layout: LayoutTable) -> Result {
        var result = Result()
        table.forEachMapping { start, translation in
            result.pages += 1
            if translation.pageSize != .size4K { result.largePages += 1 }
            if !matches(start, translation, layout) {
                result.problems += 1
                if result.problems <= 4 { report(start, translation) }
            }
            return true
        }
        for index in 0..<layout.count where layout[index].owner == .kernel {
            if !isFullyMapped(layout[index], table) {
                result.problems += 1
                Console.write("audit: region not fully mapped: ")
                Console.line(layout[index].name)
            }
        }
        if table.translate(VirtualAddress(X86_64Layout.kernelImagePhysical)) != nil {
            result.problems += 1
            Console.line("audit: the identity map of the kernel image is still there")
        }
        return result
    }

    private static func matches(_ start: VirtualAddress, _ translation: Translation, _ layout: LayoutTable) -> Bool {
        guard let region = layout.region(containing: start), region.isMapped, !region.isGuard(start) else { return false }
        let size = translation.pageSize.bytes
        // A large page must not reach past its region either.
        guard let last = start.adding(size - 1), region.range.contains(last) else { return false }
        if case .window = region.backing {
            // Mapper pages: at most the window's permissions.
            return region.permissions.contains(translation.permissions)
        }
        guard translation.permissions == region.permissions else { return false }
        if case .direct(let physical) = region.backing {
            return translation.physicalAddress.raw == physical.raw + (start.raw - region.range.start.raw)
        }
        return true
    }

    private static func isFullyMapped(_ region: LayoutRegion, _ table: borrowing KernelPageTable) -> Bool {
        switch region.backing {
        case .direct, .frames:
            if let slots = region.slots {
                for index in 0..<slots.count {
                    let stack = region.slot(index)
                    if !mappedFromTo(stack, table) || table.translate(region.slotGuard(index).start) != nil { return false }
                }
                return true
            }
            return mappedFromTo(region.range, table)
        case .window, .guardPage, .unused:
            return true
        }
    }

    /// First and last page mapped, and every page between (checked by
    /// walking: a hole would show as a missing page count).
    private static func mappedFromTo(_ range: VirtualRange, _ table: borrowing KernelPageTable) -> Bool {
        var covered: UInt64 = 0
        table.forEachMapping(in: range) { start, translation in
            let pageEnd = start.raw &+ translation.pageSize.bytes
            let from = max(start.raw, range.start.raw)
            let to = min(pageEnd, range.end.raw)
            covered += to - from
            return true
        }
        return covered == range.size
    }

    private static func report(_ start: VirtualAddress, _ translation: Translation) {
        Console.write("audit: mapping at ")
        Console.write(hex: start.raw)
        Console.write(" -> ")
        Console.write(translation.physicalAddress)
        Console.line(" does not match the layout")
    }
}
