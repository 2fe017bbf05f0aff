/// What a process's address space holds, by name: for vmmap and for the
/// one-line report of a fault. The process's image layout is read where it
/// is stored, never copied: it is a kilobyte, and a process's kernel stack
/// is one page.
enum ProcessMemoryMap {
    /// Calls `body` for each region of the process's layout in address
    /// order; the heap ends at the current break, the stack's reserve is
    /// given whole (its limit).
    static func forEachRegion(
        of slot: Int,
        _ body: (VirtualAddress, VirtualAddress, PagePermissions, Bool, StaticString) -> Void
    ) {
        let process = Processes.slots + slot
        let count = process.pointee.layout?.regionCount ?? 0
        for index in 0..<count {
            guard let region = process.pointee.layout?.region(at: index) else { return }
            switch region.kind {
            case .mapped: body(region.range.start, region.range.end, region.permissions, false, region.name)
            case .guardPage: body(region.range.start, region.range.end, .none, true, region.name)
            case .growable:
                let end = isStackReserve(region, slot: slot) ? region.range.end : heapBreak(of: slot)
                body(region.range.start, end, region.permissions, false, region.name)
            }
        }
    }

    /// The kind and owner columns of a process region (LayoutText): the
    /// layout table's own where the region is one of its rows (trap frame,
    /// trampoline, process metadata); otherwise frames, or guard, owned like
    /// the table region around it.
    static func columns(_ start: VirtualAddress, _ end: VirtualAddress, isGuard: Bool) -> (LayoutLineKind, LayoutLineOwner) {
        guard let region = Layouts.processRegion(containing: start) else { return (isGuard ? .guardPage : .frames, .user) }
        let owner = LayoutLineOwner(region.owner)
        if isGuard { return (.guardPage, owner) }
        if region.range.start == start && region.range.end == end { return (LayoutLine(region).kind, owner) }
        return (.frames, owner)
    }

    /// True for the growable region the stack grows into (x86-64), which
    /// is the process's down to its limit, touched or not.
    private static func isStackReserve(_ region: UserRegion, slot: Int) -> Bool {
        Processes.slots[slot].layout?.stackReserve == region.range
    }

    private static func heapBreak(of slot: Int) -> VirtualAddress {
        switch Processes.slots[slot].space {
        case .some(let space): return space.heapBreak
        case .none: return VirtualAddress(0)
        }
    }

    /// Names the place of `address`: the process's own region (and whether
    /// it is a guard page), or the architecture's layout region, or
    /// "unmapped".
    static func describe(_ address: VirtualAddress, slot: Int) {
        let process = Processes.slots + slot
        if let region = process.pointee.layout?.region(containing: address),
            region.kind != .growable || address < heapBreak(of: slot) || isStackReserve(region, slot: slot)
        {
            Console.write(region.name)
            if region.kind == .guardPage { Console.write(", guard page") }
            return
        }
        if let region = Layouts.processRegion(containing: address) {
            Console.write(region.name)
            if region.isGuard(address) { Console.write(", guard page") }
            if region.owner == .user { Console.write(", unmapped") }
            return
        }
        Console.write("unmapped")
    }
}
