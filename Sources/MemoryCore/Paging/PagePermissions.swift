/// What a mapping allows, independent of how a paging scheme encodes it.
/// Sv39 encodes each bit directly; x86-64 has no "readable" bit (every present
/// page is readable) and expresses "not executable" with NX.
///
/// A plain bit set rather than an OptionSet: OptionSet brings array-literal
/// initialisers, which the kernel (compiled with -no-allocations) rejects.
/// Combine with `|`.
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

    public static let readOnly = read
    public static let readWrite = read | write
    public static let readExecute = read | execute

    public static func | (lhs: PagePermissions, rhs: PagePermissions) -> PagePermissions {
        PagePermissions(rawValue: lhs.rawValue | rhs.rawValue)
    }

    /// True when every permission in `other` is also in `self`.
    public func contains(_ other: PagePermissions) -> Bool { rawValue & other.rawValue == other.rawValue }
    public func union(_ other: PagePermissions) -> PagePermissions { self | other }
    public func intersection(_ other: PagePermissions) -> PagePermissions {
        PagePermissions(rawValue: rawValue & other.rawValue)
    }
    public func subtracting(_ other: PagePermissions) -> PagePermissions {
        PagePermissions(rawValue: rawValue & ~other.rawValue)
    }
    public var isEmpty: Bool { rawValue == 0 }
}
