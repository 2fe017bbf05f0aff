/// Prints a layout table in the boot log, one region a line: the same table
/// the page tables are (to be) built from, so the log shows the layout the
/// kernel really uses, not a copy of it.
enum LayoutLog {
    static func print(_ table: LayoutTable) {
        Console.write("layout       ")
        Console.line(table.name)
        // Columns at least as wide as the widest range and name.
        var rangeWidth = 32
        var nameWidth = 14
        for index in 0..<table.count {
            let region = table[index]
            let rangeText = NumberText(hex: region.range.start.raw).count + 2 + NumberText(hex: region.range.end.raw).count
            rangeWidth = max(rangeWidth, rangeText + 2)
            nameWidth = max(nameWidth, region.name.utf8CodeUnitCount + 1)
        }
        for index in 0..<table.count {
            let region = table[index]
            Console.write("  ")
            Console.write(region.range, width: rangeWidth)
            permissions(region.permissions)
            Console.write("  ")
            owner(region.owner)
            Console.write("  ")
            Console.write(region.name, width: nameWidth)
            backing(region)
            Console.newline()
        }
    }

    private static func permissions(_ permissions: PagePermissions) {
        Console.write(permissions.contains(.read) ? "r" : "-")
        Console.write(permissions.contains(.write) ? "w" : "-")
        Console.write(permissions.contains(.execute) ? "x" : "-")
        Console.write(permissions.contains(.user) ? "u" : "-")
    }

    private static func owner(_ owner: RegionOwner) {
        switch owner {
        case .kernel: Console.write("kernel ")
        case .process: Console.write("process")
        case .user: Console.write("user   ")
        }
    }

    private static func backing(_ region: LayoutRegion) {
        switch region.backing {
        case .direct(let physical):
            Console.write("at ")
            Console.write(physical)
        case .frames: Console.write("frames")
        case .window: Console.write("mapped on demand")
        case .guardPage: Console.write("guard (never mapped)")
        case .unused: Console.write("unused")
        }
        if let slots = region.slots {
            Console.write(", ")
            Console.write(decimal: UInt64(slots.count))
            Console.write(" slots with a ")
            Console.write(decimal: slots.guardBytes / 1024)
            Console.write(" KiB guard each")
        }
    }
}
