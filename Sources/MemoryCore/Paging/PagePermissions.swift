/// What a mapping allows, independent of how a paging scheme encodes it.
/// Sv39 encodes each bit directly; x86-64 has no "readable" bit (every present
/// page is readable) and expresses "not executable" with NX.
public struct PagePermissions: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let read = PagePermissions(rawValue: 1 << 0)
    public static let write = PagePermissions(rawValue: 1 << 1)
    public static let execute = PagePermissions(rawValue: 1 << 2)
    /// Reachable from user mode.
    public static let user = PagePermissions(rawValue: 1 << 3)
    /// Present in every address space; not flushed from the TLB on a switch.
    public static let global = PagePermissions(rawValue: 1 << 4)

    public static let readOnly: PagePermissions = [.read]
    public static let readWrite: PagePermissions = [.read, .write]
    public static let readExecute: PagePermissions = [.read, .execute]
}
