/// The boot-time layout audit: walks the live page table and checks it
/// against the layout table, region by region. A region matches when every
/// page it says is mapped is mapped with its permissions (onto its physical
/// range, for direct regions), every guard page is absent, and no mapping
/// exists outside the regions that allow one.
enum LayoutAudit {
    /// Prints `layout audit: N regions match`, or one line per mismatch;
    /// returns the number of mismatched regions.
    @discardableResult
    static func run(_ table: borrowing KernelTable, against layout: LayoutTable, owners: RegionOwnerSet) -> Int {
        var matched = 0
        var mismatched = 0
        for index in 0..<layout.count {
            let region = layout[index]
            guard owners.contains(region.owner) else { continue }
            if let problem = check(region, in: table) {
                mismatched += 1
                Console.write("layout audit: ")
                Console.write(region.name)
                Console.write(": ")
                Console.write(problem.message)
                Console.write(" at ")
                Console.write(hex: problem.address.raw)
                Console.newline()
            } else {
                matched += 1
            }
        }
        // Nothing may be mapped where the table says nothing is. The walk
        // recurses once per page-table level and its closure is specialized
        // into every level: it captures a pointer to the table, never the
        // kilobyte-sized table itself (a copy per level ran the boot stack
        // into the kernel's data).
        withUnsafePointer(to: layout) { layoutPointer in
            table.forEachMapping { address, _ in
                guard isExpectedMapping(address, in: layoutPointer) else {
                    mismatched += 1
                    Console.write("layout audit: stray mapping at ")
                    Console.write(hex: address.raw)
                    Console.newline()
                    return false
                }
                return true
            }
        }
        if mismatched == 0 {
            Console.write("layout audit: ")
            Console.write(decimal: UInt64(matched))
            Console.line(" regions match")
        }
        return mismatched
    }

    /// True when `address` lies in a mapped region of the table, not in a guard page.
    @inline(never)
    private static func isExpectedMapping(_ address: VirtualAddress, in layout: UnsafePointer<LayoutTable>) -> Bool {
        guard let region = layout.pointee.region(containing: address) else { return false }
        return region.isMapped && !region.isGuard(address)
    }

    struct Problem {
        var message: StaticString
        var address: VirtualAddress
    }

    static func check(_ region: LayoutRegion, in table: borrowing KernelTable) -> Problem? {
        var page = region.range.start
        while page < region.range.end {
            let translation = table.translate(page)
            let isGuard = region.isGuard(page)
            switch region.backing {
            case .guardPage, .unused:
                if translation != nil { return Problem(message: "mapped, but must never be", address: page) }
            case .window:
                if isGuard && translation != nil { return Problem(message: "guard page is mapped", address: page) }
            case .direct(let physical):
                guard let translation else { return Problem(message: "not mapped", address: page) }
                if translation.physicalAddress.raw != physical.raw + (page.raw - region.range.start.raw) {
                    return Problem(message: "mapped to the wrong physical address", address: page)
                }
                if !samePermissions(translation.permissions, region.permissions) {
                    return Problem(message: "wrong permissions", address: page)
                }
            case .frames:
                if isGuard {
                    if translation != nil { return Problem(message: "guard page is mapped", address: page) }
                } else {
                    guard let translation else { return Problem(message: "not mapped", address: page) }
                    if !samePermissions(translation.permissions, region.permissions) {
                        return Problem(message: "wrong permissions", address: page)
                    }
                }
            }
            // Windows and unused regions can be huge: sample only their ends.
            if region.backing == .window || region.backing == .unused, page.raw == region.range.start.raw,
               region.range.size > 2 * pageBytes {
                page = VirtualAddress(region.range.end.raw - pageBytes)
            } else {
                page = VirtualAddress(page.raw + pageBytes)
            }
        }
        return nil
    }

    /// Read, write, execute and user must agree; the global bit is not part of the layout.
    private static func samePermissions(_ live: PagePermissions, _ wanted: PagePermissions) -> Bool {
        let relevant = PagePermissions.read | .write | .execute | .user
        return live.intersection(relevant) == wanted.intersection(relevant)
    }
}

/// Which owners' regions an audit covers: the kernel table at boot, a
/// process's table for its own regions.
struct RegionOwnerSet {
    var kernel = false
    var process = false
    var user = false
    func contains(_ owner: RegionOwner) -> Bool {
        switch owner {
        case .kernel: return kernel
        case .process: return process
        case .user: return user
        }
    }
}
