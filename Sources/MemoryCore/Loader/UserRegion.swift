/// How a region of a user address space is backed.
public enum UserRegionKind: Sendable, Equatable {
    /// Mapped when the process is created.
    case mapped
    /// Left unmapped on purpose, so that running off the stack faults.
    case guardPage
    /// Mapped on demand as it grows (the heap, up to its limit).
    case growable
}

/// One named region of a user address space, for vmmap and fault reports.
public struct UserRegion: Sendable {
    public let name: StaticString
    public let range: VirtualRange
    public let kind: UserRegionKind
    public let permissions: PagePermissions

    public init(name: StaticString, range: VirtualRange, kind: UserRegionKind, permissions: PagePermissions) {
        self.name = name
        self.range = range
        self.kind = kind
        self.permissions = permissions
    }
}

/// Why a user image layout could not be built around a plan.
public enum UserLayoutError: Error, Equatable, Sendable {
    /// The stack size is zero or not a whole number of pages.
    case badStackSize
    /// The loaded image lies outside the part of user space the layout gives it.
    case imageOutsideUserRegion
    /// The stack (with its guard page) does not fit where the layout puts it.
    case stackDoesNotFit
}
