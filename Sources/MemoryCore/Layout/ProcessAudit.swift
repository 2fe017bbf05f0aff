/// The audit of one process's page table, as the boot audit is of the
/// kernel's: run after exec and fork in the check images, it compares the
/// live mappings with what the process is meant to have.
extension PageTable {
    /// Checks:
    /// - each mapped region of `image` (text, data, stack, ...) is mapped
    ///   whole, with its permissions;
    /// - each region of `layout` the process owns (its kernel stack, ...)
    ///   as the boot audit checks the kernel's;
    /// - every live mapping lies where one may be: in a mapped region of
    ///   `image`, in the heap below `heapBreak` (rounded up to a page) or in
    ///   the stack's lazy reserve (x86-64),
    ///   with that region's permissions (a copy-on-write page counts as
    ///   writable), or in a region of `layout` that is not the user's; a
    ///   mapped guard page is a mismatch of its own.
    /// The heap's pages may be absent (the heap is lazy), so only the walk
    /// looks at them. The kernel's shared tables are not walked: the boot
    /// audit covers them. A mismatch in an image region carries region -1;
    /// its name is `image.region(containing:)` of the address.
    public func auditProcess(image: UserImageLayout, heapBreak: VirtualAddress, layout: LayoutTable) -> LayoutAuditReport {
        var report = LayoutAuditReport()
        for index in 0..<image.regionCount where image.region(at: index).kind == .mapped {
            if let mismatch = checkWhollyMapped(image.region(at: index)) {
                report.record(mismatch)
            } else {
                report.recordMatch()
            }
        }
        for index in 0..<layout.count where layout[index].owner == .process {
            if let mismatch = check(layout[index], index: index) {
                report.record(mismatch)
            } else {
                report.recordMatch()
            }
        }
        let heapEnd = heapBreak.alignedUp() ?? heapBreak
        forEachMapping(includeShared: false) { address, translation in
            Self.auditMapping(address, translation, image: image, heapEnd: heapEnd, layout: layout, into: &report)
        }
        return report
    }

    /// The walk's check of one mapping; false once the report is full.
    /// Not inlined: in the walk's body it would add its frame (a kilobyte
    /// and more) at every level of the recursive walk.
    @inline(never)
    private static func auditMapping(
        _ address: VirtualAddress, _ translation: Translation, image: UserImageLayout, heapEnd: VirtualAddress,
        layout: LayoutTable, into report: inout LayoutAuditReport
    ) -> Bool {
        var problem: LayoutMismatch.Problem? = .strayMapping
        if let region = image.region(containing: address) {
            switch region.kind {
            case .guardPage: problem = .mappedButMustNotBe
            case .growable where address >= heapEnd && region.range != image.stackReserve: problem = .strayMapping
            case .mapped, .growable:
                problem = samePermissions(granted(translation), region.permissions) ? nil : .wrongPermissions
            }
        } else {
            for index in 0..<layout.count where layout[index].owner != .user && layout[index].isMapped {
                if MappableSpan(layout[index]).allows(address) { problem = nil }
            }
        }
        guard let problem else { return true }
        report.record(LayoutMismatch(region: -1, problem: problem, address: address))
        return report.mismatchCount < LayoutAuditReport.capacity
    }

    /// Every page of `region` is mapped with its permissions.
    private func checkWhollyMapped(_ region: UserRegion) -> LayoutMismatch? {
        var page = region.range.start
        while page < region.range.end {
            guard let translation = translate(page) else { return LayoutMismatch(region: -1, problem: .notMapped, address: page) }
            if !Self.samePermissions(Self.granted(translation), region.permissions) {
                return LayoutMismatch(region: -1, problem: .wrongPermissions, address: page)
            }
            page = VirtualAddress(page.raw + pageBytes)
        }
        return nil
    }

    /// What a mapping lets its process do: a copy-on-write page is
    /// writable, the first write only gives it a frame of its own.
    private static func granted(_ translation: Translation) -> PagePermissions {
        translation.isCopyOnWrite ? translation.permissions | .write : translation.permissions
    }
}
