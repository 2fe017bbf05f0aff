/// What a process's address space holds, by name: for vmmap (what a walk
/// of the live page table finds) and for the one-line report of a fault. The process's image layout is read where it
/// is stored, never copied: a process's kernel stack is one page.
enum ProcessMemoryMap {
    /// Calls `body` for what a walk of the process's live page table finds,
    /// lowest address first: each run of consecutive pages that lie in one
    /// region of its image layout and have the same permissions and state
    /// (`AddressSpace.forEachPageState`: private, shared by the same number
    /// of address spaces, or lazy), named after that region (a copy-on-write
    /// page counts as writable: its first write only gives it a frame of its
    /// own); each guard region in which the walk found nothing; and runs in
    /// the user window outside every region, named "outside the layout".
    /// The heap's and the stack reserve's untouched pages are lazy runs.
    /// Per-process kernel pages that are no region of the image (x86-64's
    /// kernel stack) are left out.
    static func forEachLiveRun(of slot: Int, _ body: (LiveRun) -> Void) {
        let process = Processes.slots + slot
        guard let image = Processes.layout(of: slot), process.pointee.space != nil else { return }
        var walk = LiveRunWalk(image.pointee)
        process.pointee.space!.forEachPageState { address, bytes, translation, state in
            walk.add(address, bytes: bytes, translation, state, body)
        }
        walk.finish(body)
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
        Processes.layout(of: slot)?.pointee.stackReserve == region.range
    }

    static func heapBreak(of slot: Int) -> VirtualAddress {
        switch Processes.slots[slot].space {
        case .some(let space): return space.heapBreak
        case .none: return VirtualAddress(0)
        }
    }

    /// Names the place of `address`: the process's own region (and whether
    /// it is a guard page), or the architecture's layout region, or
    /// "unmapped".
    static func describe(_ address: VirtualAddress, slot: Int) {
        if let region = Processes.layout(of: slot)?.pointee.region(containing: address),
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

/// One row of vmmap as the kernel finds it: `start..<end`, the permissions
/// its pages grant, whether it is a guard region the walk found empty, the
/// image region's name, and the pages' state (nil: no user pages, such as
/// the trap frame) with the users of a shared run's frames.
struct LiveRun {
    var start: VirtualAddress
    var end: VirtualAddress
    var permissions: PagePermissions
    var isGuard: Bool
    var name: StaticString
    var state: LayoutLineState?
    var users: UInt64
}

/// `ProcessMemoryMap.forEachLiveRun`'s state between the pages of its walk.
/// It keeps its own copy of the image's regions: the walk reads them at
/// every page, and the layout derives each region when asked for it.
private struct LiveRunWalk {
    typealias Body = (LiveRun) -> Void
    var regions: InlineArray<16, UserRegion>
    let regionCount: Int
    /// The run being built: `start..<end`, its permissions, state and users,
    /// and the index of its image region (-1: in the user window outside
    /// every region).
    var start: UInt64 = 0
    var end: UInt64 = 0
    var permissions: PagePermissions = .none
    var state: LayoutLineState? = nil
    var users: UInt64 = 0
    var region = -1
    /// A bit per image region: a guard region the walk found pages in, or
    /// one already reported.
    var guardsDone: UInt32 = 0

    init(_ image: borrowing UserImageLayout) {
        regionCount = min(image.regionCount, 16)
        regions = .init(repeating: image.region(at: 0))
        for index in 0..<regionCount { regions[index] = image.region(at: index) }
    }

    /// Adds `bytes` at `address`: a mapped page (`translation`) or a lazy
    /// range (no translation), which lies in one region (the heap or the
    /// stack's reserve).
    mutating func add(_ address: VirtualAddress, bytes: UInt64, _ translation: Translation?, _ pageState: UserPageState?, _ body: Body) {
        var found = -1
        for index in 0..<regionCount where regions[index].range.contains(address) { found = index }
        if found < 0 && !Platform.userWindow.contains(address) { return }
        if found >= 0 && regions[found].kind == .guardPage { guardsDone |= 1 << UInt32(found) }
        var granted = PagePermissions.readWrite | .user  // a lazy page's, once touched
        if let translation { granted = translation.isCopyOnWrite ? translation.permissions | .write : translation.permissions }
        let live = granted.intersection(.read | .write | .execute | .user)
        var newState: LayoutLineState? = nil
        var newUsers: UInt64 = 0
        switch pageState {
        case .none: break
        case .private: newState = .private
        case .lazy: newState = .lazy
        case .shared(let count):
            newState = .shared
            newUsers = count
        }
        if end == address.raw && region == found && permissions == live && state == newState && users == newUsers && end > start {
            end += bytes
            return
        }
        report(body)
        start = address.raw
        end = address.raw + bytes
        permissions = live
        state = newState
        users = newUsers
        region = found
    }

    mutating func finish(_ body: Body) {
        report(body)
        start = .max
        end = .max
        report(body)
    }

    /// Reports the untouched guard regions below the run, then the run.
    private mutating func report(_ body: Body) {
        for index in 0..<regionCount where guardsDone & (1 << UInt32(index)) == 0 {
            guard regions[index].range.start.raw < start else { break }
            guard regions[index].kind == .guardPage else { continue }
            guardsDone |= 1 << UInt32(index)
            body(
                LiveRun(
                    start: regions[index].range.start, end: regions[index].range.end, permissions: .none, isGuard: true,
                    name: regions[index].name, state: nil, users: 0))
        }
        guard end > start else { return }
        body(
            LiveRun(
                start: VirtualAddress(start), end: VirtualAddress(end), permissions: permissions, isGuard: false,
                name: region >= 0 ? regions[region].name : "outside the layout", state: state, users: users))
    }
}
