/// Where everything of a new process goes: the loaded image, the stack and
/// its guard page, the heap, and the layout's fixed pages (trap frame and
/// trampoline for xv6, metadata page for Emerald). Built by `xv6(plan:)` or
/// `emerald(plan:)` once the executable has been checked against the
/// matching `xv6Rules()` / `emeraldRules(stackBytes:)`.
///
/// The value keeps only what differs from program to program: the
/// segments' pages, the image, the stack and where the heap starts. The
/// scheme's fixed pages, the Emerald stack's reserve and guard gap, the
/// rules and the list of named regions are derived from those when asked
/// for. fork copies a layout and exec stores one per process, so it is
/// kept small (about 250 bytes, where a stored list of 16 regions made it a
/// kilobyte, copied whole at each of those steps).
public struct UserImageLayout: Sendable {
    public enum Scheme: Sendable, Equatable {
        case xv6
        case emerald
    }

    /// The most regions a layout lists: the segments plus six of its own.
    public static let regionCapacity = 16

    public let scheme: Scheme
    /// The loaded executable, whole pages.
    public let image: VirtualRange
    /// The initial user stack (mapped by exec); it grows down from `stackTop`.
    public let stack: VirtualRange
    /// The unmapped page that catches a stack overflow (xv6: below the
    /// stack; Emerald: above it).
    public let stackGuard: VirtualRange
    /// The heap starts empty here and grows up, at most to `heapLimit`.
    public let heapStart: VirtualAddress
    public let heapLimit: VirtualAddress

    /// The whole pages and the permissions of each loaded segment, in the
    /// plan's order (`LoadPlan.segmentCapacity` at most).
    private var segmentPages: InlineArray<8, VirtualRange>
    private var segmentPermissions: InlineArray<8, PagePermissions>
    private var segmentCount = 0

    public var stackTop: VirtualAddress { stack.end }

    /// Emerald: where the stack may grow, page by page as it is touched
    /// (`AddressSpace.stackReserve`); it ends at `stackTop`. nil: the stack
    /// never grows (xv6).
    public var stackReserve: VirtualRange? {
        scheme == .emerald ? Self.emeraldStackReserve(stack) : nil
    }

    /// Emerald: the unmapped gap below the reserve, named in fault reports.
    public var stackGuardGap: VirtualRange? {
        guard let stackReserve else { return nil }
        return Self.emeraldStackGuardGap(below: stackReserve)
    }

    /// Emerald only: the read-only page holding `ProcessMetadata`.
    public var metadataPage: VirtualRange? {
        scheme == .emerald ? Self.page(at: EmeraldUserAddresses.metadataPage) : nil
    }

    /// xv6 only: the supervisor-only trap frame and trampoline pages.
    public var trapFrame: VirtualRange? {
        scheme == .xv6 ? Self.page(at: Xv6UserAddresses.trapFrame) : nil
    }
    public var trampoline: VirtualRange? {
        scheme == .xv6 ? Self.page(at: Xv6UserAddresses.trampoline) : nil
    }

    /// What no later mapping of user memory may touch: the image may not
    /// land on the stack, its guard or the layout's fixed pages.
    public var rules: UserRegionRules {
        switch scheme {
        case .xv6:
            var rules = Self.xv6Rules()
            rules.reserve(stackGuard)
            rules.reserve(stack)
            return rules
        case .emerald:
            return Self.emeraldRules(around: stack)
        }
    }

    init(scheme: Scheme, plan: borrowing LoadPlan, stack: VirtualRange, stackGuard: VirtualRange, heapLimit: VirtualAddress) {
        self.scheme = scheme
        image = plan.imageRange
        self.stack = stack
        self.stackGuard = stackGuard
        heapStart = scheme == .xv6 ? stack.end : image.end
        self.heapLimit = heapLimit
        segmentPages = InlineArray(repeating: stack)
        segmentPermissions = InlineArray(repeating: .none)
        for index in 0..<plan.segmentCount {
            let segment = plan.segment(at: index)
            guard let pages = segment.pages else { continue }
            segmentPages[segmentCount] = pages
            segmentPermissions[segmentCount] = segment.permissions
            segmentCount += 1
        }
    }
}

// MARK: The named regions, for vmmap, fault reports and the page audit

extension UserImageLayout {
    /// How many regions the layout has.
    public var regionCount: Int {
        var count = 0
        for index in 0..<listedCount where listedRegion(index) != nil { count += 1 }
        return count
    }

    /// The regions in ascending address order.
    public func region(at index: Int) -> UserRegion {
        precondition(index >= 0 && index < regionCount, "UserImageLayout: region index out of range")
        for listed in 0..<listedCount {
            guard let region = listedRegion(listed) else { continue }
            if rank(of: region, listedAt: listed) == index { return region }
        }
        preconditionFailure("UserImageLayout: region index out of range")
    }

    /// The region containing `address`, for naming the place of a fault
    /// (the lowest one, should two ever overlap).
    public func region(containing address: VirtualAddress) -> UserRegion? {
        var found: UserRegion? = nil
        var foundRank = Int.max
        for listed in 0..<listedCount {
            guard let region = listedRegion(listed), region.range.contains(address) else { continue }
            let rank = rank(of: region, listedAt: listed)
            if rank < foundRank {
                found = region
                foundRank = rank
            }
        }
        return found
    }

    /// Entries of the list `listedRegion` reads: the segments, then seven
    /// of the layout's own.
    private var listedCount: Int { segmentCount + 7 }

    /// Entry `index` of the regions in a fixed order (the segments in the
    /// plan's order, the stack or its reserve, the guard gap, the guard
    /// page, the heap, the metadata page, the trap frame, the trampoline);
    /// nil where this layout has no such region.
    private func listedRegion(_ index: Int) -> UserRegion? {
        if index < segmentCount {
            let permissions = segmentPermissions[index]
            return UserRegion(name: Self.segmentName(permissions), range: segmentPages[index], kind: .mapped, permissions: permissions)
        }
        let userData = PagePermissions.user | .readWrite
        switch index - segmentCount {
        case 0:
            if let stackReserve { return UserRegion(name: "stack", range: stackReserve, kind: .growable, permissions: userData) }
            return UserRegion(name: "stack", range: stack, kind: .mapped, permissions: userData)
        case 1:
            guard let stackGuardGap else { return nil }
            return UserRegion(name: "stack guard gap", range: stackGuardGap, kind: .guardPage, permissions: .none)
        case 2:
            return UserRegion(name: "stack guard", range: stackGuard, kind: .guardPage, permissions: .none)
        case 3:
            guard let heap = VirtualRange(start: heapStart, end: heapLimit) else { return nil }
            return UserRegion(name: "heap", range: heap, kind: .growable, permissions: userData)
        case 4:
            guard let metadataPage else { return nil }
            return UserRegion(name: "process metadata", range: metadataPage, kind: .mapped, permissions: .user | .read)
        case 5:
            guard let trapFrame else { return nil }
            return UserRegion(name: "trap frame", range: trapFrame, kind: .mapped, permissions: .readWrite)
        case 6:
            guard let trampoline else { return nil }
            return UserRegion(name: "trampoline", range: trampoline, kind: .mapped, permissions: .readExecute)
        default:
            return nil
        }
    }

    /// Where `region` (entry `listed` of the list) stands in address order:
    /// how many regions start below it, or at its start but earlier in the list.
    private func rank(of region: UserRegion, listedAt listed: Int) -> Int {
        var rank = 0
        for other in 0..<listedCount where other != listed {
            guard let start = listedRegion(other)?.range.start else { continue }
            if start < region.range.start || (start == region.range.start && other < listed) { rank += 1 }
        }
        return rank
    }

    private static func segmentName(_ permissions: PagePermissions) -> StaticString {
        if permissions.contains(.execute) { return "text" }
        if permissions.contains(.write) { return "data" }
        return "rodata"
    }

    /// One page starting at `address` (callers pass addresses well below 2^64).
    static func page(at address: VirtualAddress) -> VirtualRange {
        VirtualRange(start: address, size: pageBytes)!
    }
}
