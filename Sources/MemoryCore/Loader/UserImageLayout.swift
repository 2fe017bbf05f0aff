/// Where everything of a new process goes: the loaded image, the stack and
/// its guard page, the heap, and the layout's fixed pages (trap frame and
/// trampoline for xv6, metadata page for Emerald). Built by `xv6(plan:)` or
/// `emerald(plan:)` once the executable has been checked against the
/// matching `xv6Rules()` / `emeraldRules(stackBytes:)`.
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
    /// Emerald: where the stack may grow, page by page as it is touched
    /// (`AddressSpace.stackReserve`); it ends at `stackTop`. nil: the stack
    /// never grows (xv6).
    public let stackReserve: VirtualRange?
    /// Emerald: the unmapped gap below the reserve, named in fault reports.
    public let stackGuardGap: VirtualRange?
    /// The unmapped page that catches a stack overflow (xv6: below the
    /// stack; Emerald: above it).
    public let stackGuard: VirtualRange
    /// The heap starts empty here and grows up, at most to `heapLimit`.
    public let heapStart: VirtualAddress
    public let heapLimit: VirtualAddress
    /// Emerald only: the read-only page holding `ProcessMetadata`.
    public let metadataPage: VirtualRange?
    /// xv6 only: the supervisor-only trap frame and trampoline pages.
    public let trapFrame: VirtualRange?
    public let trampoline: VirtualRange?
    /// What no later mapping of user memory may touch: the image may not
    /// land on the stack, its guard or the layout's fixed pages.
    public let rules: UserRegionRules

    private var regionStorage: InlineArray<16, UserRegion>
    public private(set) var regionCount = 0

    public var stackTop: VirtualAddress { stack.end }

    /// The regions in ascending address order.
    public func region(at index: Int) -> UserRegion {
        precondition(index >= 0 && index < regionCount, "UserImageLayout: region index out of range")
        return regionStorage[index]
    }

    /// The region containing `address`, for naming the place of a fault.
    public func region(containing address: VirtualAddress) -> UserRegion? {
        for index in 0..<regionCount where regionStorage[index].range.contains(address) {
            return regionStorage[index]
        }
        return nil
    }

    init(
        scheme: Scheme, plan: LoadPlan, stack: VirtualRange, stackReserve: VirtualRange? = nil,
        stackGuardGap: VirtualRange? = nil, stackGuard: VirtualRange,
        heapLimit: VirtualAddress, metadataPage: VirtualRange? = nil,
        trapFrame: VirtualRange? = nil, trampoline: VirtualRange? = nil, rules: UserRegionRules
    ) {
        self.scheme = scheme
        image = plan.imageRange
        self.stack = stack
        self.stackReserve = stackReserve
        self.stackGuardGap = stackGuardGap
        self.stackGuard = stackGuard
        heapStart = scheme == .xv6 ? stack.end : image.end
        self.heapLimit = heapLimit
        self.metadataPage = metadataPage
        self.trapFrame = trapFrame
        self.trampoline = trampoline
        self.rules = rules
        regionStorage = InlineArray(
            repeating: UserRegion(
                name: "", range: stack, kind: .guardPage, permissions: .none))

        for index in 0..<plan.segmentCount {
            let segment = plan.segment(at: index)
            guard let pages = segment.pages else { continue }
            add(UserRegion(name: Self.name(of: segment), range: pages, kind: .mapped, permissions: segment.permissions))
        }
        let userData = PagePermissions.user | .readWrite
        if let stackReserve {
            add(UserRegion(name: "stack", range: stackReserve, kind: .growable, permissions: userData))
        } else {
            add(UserRegion(name: "stack", range: stack, kind: .mapped, permissions: userData))
        }
        if let stackGuardGap {
            add(UserRegion(name: "stack guard gap", range: stackGuardGap, kind: .guardPage, permissions: .none))
        }
        add(UserRegion(name: "stack guard", range: stackGuard, kind: .guardPage, permissions: .none))
        if let heap = VirtualRange(start: heapStart, end: heapLimit) {
            add(UserRegion(name: "heap", range: heap, kind: .growable, permissions: userData))
        }
        if let metadataPage {
            add(UserRegion(name: "process metadata", range: metadataPage, kind: .mapped, permissions: .user | .read))
        }
        if let trapFrame {
            add(UserRegion(name: "trap frame", range: trapFrame, kind: .mapped, permissions: .readWrite))
        }
        if let trampoline {
            add(UserRegion(name: "trampoline", range: trampoline, kind: .mapped, permissions: .readExecute))
        }
    }

    /// Inserts keeping address order; capacity covers 8 segments + 6 regions.
    private mutating func add(_ region: UserRegion) {
        precondition(regionCount < Self.regionCapacity, "UserImageLayout: too many regions")
        var slot = regionCount
        while slot > 0, regionStorage[slot - 1].range.start > region.range.start {
            regionStorage[slot] = regionStorage[slot - 1]
            slot -= 1
        }
        regionStorage[slot] = region
        regionCount += 1
    }

    private static func name(of segment: LoadSegment) -> StaticString {
        if segment.permissions.contains(.execute) { return "text" }
        if segment.permissions.contains(.write) { return "data" }
        return "rodata"
    }

    /// One page starting at `address` (callers pass addresses well below 2^64).
    static func page(at address: VirtualAddress) -> VirtualRange {
        VirtualRange(start: address, size: pageBytes)!
    }
}
