/// What a process's address space holds, by name: for vmmap and for the
/// one-line report of a fault. The process's image layout is read where it
/// is stored, never copied: it is a kilobyte, and a process's kernel stack
/// is one page.
enum ProcessMemoryMap {
    /// Calls `body` for each region of the process's layout in address
    /// order; the heap ends at the current break.
    static func forEachRegion(of slot: Int,
                              _ body: (VirtualAddress, VirtualAddress, PagePermissions, Bool, StaticString) -> Void) {
        let process = Processes.slots + slot
        let count = process.pointee.layout?.regionCount ?? 0
        for index in 0..<count {
            guard let region = process.pointee.layout?.region(at: index) else { return }
            switch region.kind {
            case .mapped: body(region.range.start, region.range.end, region.permissions, false, region.name)
            case .guardPage: body(region.range.start, region.range.end, .none, true, region.name)
            case .growable: body(region.range.start, heapBreak(of: slot), region.permissions, false, region.name)
            }
        }
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
           region.kind != .growable || address < heapBreak(of: slot) {
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
