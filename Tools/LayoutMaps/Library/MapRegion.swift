import MemoryCore

/// What a band of a memory map shows: a region of a layout table, or a hole
/// between regions that the table leaves out.
public enum MapKind: Equatable, Sendable {
    /// Mapped once at boot or process creation (direct map, frames).
    case mapped
    /// A window mapped page by page at run time (user memory, virtual space).
    case window
    /// Never mapped, on purpose: a touch faults and is named.
    case guardPage
    /// In the table, but nothing is mapped there.
    case unused
    /// Not in the table at all; `expressible` is false for addresses the
    /// paging scheme cannot map (x86-64's non-canonical hole, above Sv39's MAXVA).
    case hole(expressible: Bool)
}

/// One guarded slot of a slotted region (kernel stacks, interrupt stacks).
public struct MapSlot: Equatable, Sendable {
    /// Slot index counted from the region's lowest address.
    public let index: Int
    public let guardFirst: UInt64
    public let stackFirst: UInt64
    /// Inclusive last address of the slot's stack.
    public let stackLast: UInt64
}

/// A region of a layout table in host terms (String names, inclusive last
/// addresses), ready to be drawn or listed. Built from a `LayoutRegion`, never typed in.
public struct MapRegion: Equatable, Sendable {
    public let name: String
    public let first: UInt64
    /// Inclusive, so that a region ending at 2^64 can be stated.
    public let last: UInt64
    public let kind: MapKind
    public let owner: RegionOwner?
    /// `rwxu` with dashes for missing permissions; empty for holes.
    public let permissions: String
    /// How the region gets its memory, in words.
    public let backing: String
    /// Physical address of the first byte, for direct mappings.
    public let physical: UInt64?
    public let slotCount: Int
    public let guardBytes: UInt64
    /// The bounds depend on where the linker put the kernel image.
    public let dependsOnImage: Bool
    /// What a representative program puts inside this region (lowest first);
    /// empty for most regions.
    public var inner: [MapRegion] = []

    /// Bytes in the region; saturates at UInt64.max for the whole 2^64 space.
    public var size: UInt64 { last - first == UInt64.max ? UInt64.max : last - first + 1 }
    /// The size as a real number, exact beyond 2^64 - 1 as well.
    public var sizeValue: Double { Double(last - first) + 1 }

    /// Every slot of a slotted region, lowest first.
    public var slots: [MapSlot] {
        guard slotCount > 0 else { return [] }
        let slotBytes = (last - first + 1) / UInt64(slotCount)
        return (0..<slotCount).map { index in
            let start = first + UInt64(index) * slotBytes
            return MapSlot(index: index, guardFirst: start, stackFirst: start + guardBytes, stackLast: start + slotBytes - 1)
        }
    }

    public init(
        name: String, first: UInt64, last: UInt64, kind: MapKind, owner: RegionOwner?, permissions: String,
        backing: String, physical: UInt64? = nil, slotCount: Int = 0, guardBytes: UInt64 = 0, dependsOnImage: Bool = false
    ) {
        self.name = name
        self.first = first
        self.last = last
        self.kind = kind
        self.owner = owner
        self.permissions = permissions
        self.backing = backing
        self.physical = physical
        self.slotCount = slotCount
        self.guardBytes = guardBytes
        self.dependsOnImage = dependsOnImage
    }

    /// A table row in host terms.
    public init(_ region: LayoutRegion, dependsOnImage: Bool) {
        self.init(LayoutLine(region), name: String(describing: region.name), dependsOnImage: dependsOnImage)
    }

    /// A row of the text format (LayoutText): what the boot log and vmmap
    /// print, and what `layout-maps --from-log` reads back. A table region
    /// and its printed row give equal regions.
    public init(_ line: LayoutLine, name: String, dependsOnImage: Bool = false) {
        let kind: MapKind
        var backing: String
        switch line.kind {
        case .direct:
            kind = .mapped
            backing = line.physical.map { "direct at physical \(hex($0))" } ?? "direct (physical address not shown)"
        case .frames:
            kind = .mapped
            backing = "frames from the allocator"
        case .window:
            kind = .window
            backing = "mapped on demand"
        case .guardPage:
            kind = .guardPage
            backing = "guard, never mapped"
        case .unused:
            kind = .unused
            backing = "unused"
        }
        if line.slotCount > 0 {
            backing += "; \(line.slotCount) slots, each a \(sizeText(line.slotGuardBytes)) guard below its stack"
        }
        switch line.state {
        case .none: break
        case .private: backing += "; private to the process"
        case .shared: backing += line.users > 1 ? "; shared by \(line.users) processes" : "; shared with other processes"
        case .lazy: backing += "; lazy: no frame until first touched"
        }
        self.init(
            name: name, first: line.first, last: line.last, kind: kind, owner: RegionOwner(line.owner),
            permissions: permissionText(PagePermissions(rawValue: UInt8(line.permissions & 0xF))), backing: backing,
            physical: line.kind == .direct ? line.physical : nil, slotCount: line.slotCount, guardBytes: line.slotGuardBytes,
            dependsOnImage: dependsOnImage)
    }
}

extension RegionOwner {
    /// The owner column of a printed row.
    init(_ owner: LayoutLineOwner) {
        switch owner {
        case .kernel: self = .kernel
        case .process: self = .process
        case .user: self = .user
        }
    }
}

/// `rwxu` with a dash for each permission the region lacks.
public func permissionText(_ permissions: PagePermissions) -> String {
    (permissions.contains(.read) ? "r" : "-") + (permissions.contains(.write) ? "w" : "-")
        + (permissions.contains(.execute) ? "x" : "-") + (permissions.contains(.user) ? "u" : "-")
}
