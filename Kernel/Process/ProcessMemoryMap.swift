/// What a process's address space holds, by name: for vmmap and for the
/// one-line report of a fault.
enum ProcessMemoryMap {
    /// Calls `body` for each region of the process's layout in address
    /// order; the heap ends at the current break.
    static func forEachRegion(of slot: Int,
                              _ body: (VirtualAddress, VirtualAddress, PagePermissions, Bool, StaticString) -> Void) {
        guard let layout = Processes.slots[slot].layout else { return }
        let heapBreak = Processes.slots[slot].space!.heapBreak
        for index in 0..<layout.regionCount {
            let region = layout.region(at: index)
            switch region.kind {
            case .mapped: body(region.range.start, region.range.end, region.permissions, false, region.name)
            case .guardPage: body(region.range.start, region.range.end, .none, true, region.name)
            case .growable: body(region.range.start, heapBreak, region.permissions, false, region.name)
            }
        }
    }

    /// Names the place of `address`: the process's own region (and whether
    /// it is a guard page), or the architecture's layout region, or
    /// "unmapped".
    static func describe(_ address: VirtualAddress, slot: Int) {
        if let layout = Processes.slots[slot].layout, let region = layout.region(containing: address),
           region.kind != .growable || address < Processes.slots[slot].space!.heapBreak {
            Console.write(region.name)
            if region.kind == .guardPage { Console.write(", guard page") }
            return
        }
        if let region = Platform.processLayout.region(containing: address) {
            Console.write(region.name)
            if region.isGuard(address) { Console.write(", guard page") }
            if region.owner == .user { Console.write(", unmapped") }
            return
        }
        Console.write("unmapped")
    }
}
