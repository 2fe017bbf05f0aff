/// Why a page-table or address-space change was refused. Every operation that
/// throws one leaves the tables as they were.
public enum MapError: Error, Equatable, Sendable {
    /// An address or size is not aligned to the page size it needs.
    case misaligned
    /// A virtual address is not canonical, or a range crosses the hole.
    case nonCanonical
    /// A physical address does not fit in the scheme's entries.
    case physicalOutOfRange
    /// The scheme cannot map a page of this size (or a level is out of range).
    case unsupportedPageSize
    /// The scheme cannot encode these permissions (Sv39: write without read,
    /// nothing at all; x86-64: not readable).
    case invalidPermissions
    /// A page of the same size already maps this address.
    case alreadyMapped
    /// Nothing maps this address.
    case notMapped
    /// A page of another size is in the way: a large page covers the address,
    /// or a table sits where a large page would go.
    case largePageConflict
    /// The walk passes through a subtable shared from another page table,
    /// which this one may not change.
    case sharedTable
    /// No frame is left for a table or a page.
    case outOfMemory
    /// The range is not inside the address space's user window.
    case outsideUserWindow
    /// A kernel-only mapping was asked for inside the user window.
    case insideUserWindow
    /// The new heap break lies below the heap's start or outside user space.
    case invalidHeapBreak
}

/// A mapping as the page table sees it.
public struct Translation: Sendable, Equatable {
    /// The physical address of the byte asked about.
    public var physicalAddress: PhysicalAddress
    public var permissions: PagePermissions
    public var pageSize: PageSize
    /// The leaf carries the "frame owned by the mapping's owner" bit.
    public var isOwned: Bool
    /// The leaf is copy-on-write: `permissions` lack `.write` until a write
    /// gives the mapping a frame of its own.
    public var isCopyOnWrite: Bool

    public init(
        physicalAddress: PhysicalAddress, permissions: PagePermissions, pageSize: PageSize, isOwned: Bool = false,
        isCopyOnWrite: Bool = false
    ) {
        self.physicalAddress = physicalAddress
        self.permissions = permissions
        self.pageSize = pageSize
        self.isOwned = isOwned
        self.isCopyOnWrite = isCopyOnWrite
    }

    /// The first byte of the mapped page (or frame run, for a large page).
    public var pageStart: PhysicalAddress { physicalAddress.alignedDown(to: pageSize) }
}

extension PageSize {
    /// The page size mapped by a leaf at `level`, if any.
    public init?(level: Int) {
        switch level {
        case 0: self = .size4K
        case 1: self = .size2M
        case 2: self = .size1G
        default: return nil
        }
    }
}
