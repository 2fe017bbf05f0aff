/// The boot-time layout audit's console side: the check itself is
/// `PageTable.audit(against:owners:)` in the memory core.
enum LayoutAudit {
    /// Prints `layout audit: N regions match`, or one line per mismatch;
    /// returns the number of mismatches.
    static func run(_ table: borrowing KernelTable, against layout: LayoutTable, owners: RegionOwnerSet) -> Int {
        let report = table.audit(against: layout, owners: owners)
        if report.isClean {
            Console.write("layout audit: ")
            Console.write(decimal: UInt64(report.matched))
            Console.line(" regions match")
            return 0
        }
        for index in 0..<min(report.mismatchCount, LayoutAuditReport.capacity) {
            guard let mismatch = report.mismatch(index) else { continue }
            Console.write("layout audit: ")
            if mismatch.region >= 0 {
                Console.write(layout[mismatch.region].name)
                Console.write(": ")
            }
            Console.write(mismatch.description)
            Console.write(" at ")
            Console.write(hex: mismatch.address.raw)
            Console.newline()
        }
        return report.mismatchCount
    }
}
