/// What a mapping allows, independent of how a paging scheme encodes it.
/// Sv39 encodes each bit directly; x86-64 has no "readable" bit (every present
/// page is readable) and expresses "not executable" with NX.
///
/// A plain bit set rather than an `OptionSet`: `OptionSet` brings
/// `ExpressibleByArrayLiteral`, whose witness allocates an Array, and the
/// kernel build (`-no-allocations`) rejects the whole conformance. Combine
/// permissions with `union` or `|` instead of array literals.
public struct PagePermissions: Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let none = PagePermissions(rawValue: 0)
    public static let read = PagePermissions(rawValue: 1 << 0)
    public static let write = PagePermissions(rawValue: 1 << 1)
    public static let execute = PagePermissions(rawValue: 1 << 2)
    /// Reachable from user mode.
    public static let user = PagePermissions(rawValue: 1 << 3)
    /// Present in every address space; not flushed from the TLB on a switch.
    public static let global = PagePermissions(rawValue: 1 << 4)
    /// Device registers: the CPU must not cache them (x86-64: PCD and PWT).
    /// Sv39 without the Svpbmt extension cannot say it per page (the
    /// platform's physical memory attributes make device ranges uncached),
    /// so it refuses the bit rather than drop it.
    public static let uncached = PagePermissions(rawValue: 1 << 5)

    public static let readOnly = read
    public static let readWrite = read | write
    public static let readExecute = read | execute

    public var isEmpty: Bool { rawValue == 0 }

    /// True when every permission in `other` is also in `self`.
    public func contains(_ other: PagePermissions) -> Bool { rawValue & other.rawValue == other.rawValue }

    public func union(_ other: PagePermissions) -> PagePermissions { PagePermissions(rawValue: rawValue | other.rawValue) }
    public func intersection(_ other: PagePermissions) -> PagePermissions { PagePermissions(rawValue: rawValue & other.rawValue) }
    public func subtracting(_ other: PagePermissions) -> PagePermissions { PagePermissions(rawValue: rawValue & ~other.rawValue) }

    public mutating func insert(_ other: PagePermissions) { self = union(other) }
    public mutating func remove(_ other: PagePermissions) { self = subtracting(other) }

    public static func | (lhs: PagePermissions, rhs: PagePermissions) -> PagePermissions { lhs.union(rhs) }
}
