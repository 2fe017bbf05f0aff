/// Where an executable's segments may go: every page of every segment must lie
/// inside `allowed` and clear of each reserved range (the stack, its guard
/// page, the metadata page, the trap frame, the trampoline: whatever the
/// layout keeps for itself).
public struct UserRegionRules: Sendable {
    /// The most reserved ranges a layout needs, with room to spare.
    public static let reservedCapacity = 6

    public let allowed: VirtualRange
    private var reservedRanges: InlineArray<6, VirtualRange>
    public private(set) var reservedCount: Int = 0

    public init(allowed: VirtualRange) {
        self.allowed = allowed
        reservedRanges = InlineArray(repeating: allowed)
    }

    /// Keeps segments off `range`. The layouts reserve a fixed, small number
    /// of ranges, so running out of room is a programming error.
    public mutating func reserve(_ range: VirtualRange) {
        precondition(reservedCount < Self.reservedCapacity, "UserRegionRules: too many reserved ranges")
        reservedRanges[reservedCount] = range
        reservedCount += 1
    }

    public func reserved(at index: Int) -> VirtualRange {
        precondition(index >= 0 && index < reservedCount, "UserRegionRules: reserved index out of range")
        return reservedRanges[index]
    }

    /// True when `pages` lies inside `allowed`.
    public func allows(_ pages: VirtualRange) -> Bool { allowed.contains(pages) }

    /// True when `pages` overlaps some reserved range.
    public func hitsReserved(_ pages: VirtualRange) -> Bool {
        for index in 0..<reservedCount where reservedRanges[index].overlaps(pages) { return true }
        return false
    }
}
