/// What kind of thing a page-table entry is.
public enum EntryKind: Sendable, Equatable {
    /// Not present: the hardware faults on it.
    case invalid
    /// Points at the next-level table.
    case table
    /// Maps a page (4 KiB at level 0, 2 MiB at level 1, 1 GiB at level 2).
    case leaf
}

/// A page-table entry decoded into scheme-independent terms.
public struct DecodedEntry: Sendable, Equatable {
    public var kind: EntryKind
    /// The next table (`.table`) or the first byte of the mapped page (`.leaf`).
    public var address: PhysicalAddress
    /// What a leaf allows; empty for tables and invalid entries.
    public var permissions: PagePermissions
    /// A table entry copied from another page table: this table does not own
    /// the subtable and must neither free nor change it.
    public var isShared: Bool
    /// A leaf whose frame belongs to the mapping's owner (an address space),
    /// which frees it at teardown. The page table itself never frees leaf frames.
    public var isOwned: Bool
    /// A leaf that is writable in principle but mapped without write access:
    /// its frame may have other users, and a write must first give this
    /// mapping a frame of its own (see `AddressSpace.resolveFault`).
    public var isCopyOnWrite: Bool

    public init(
        kind: EntryKind, address: PhysicalAddress = PhysicalAddress(0),
        permissions: PagePermissions = .none, isShared: Bool = false, isOwned: Bool = false,
        isCopyOnWrite: Bool = false
    ) {
        self.kind = kind
        self.address = address
        self.permissions = permissions
        self.isShared = isShared
        self.isOwned = isOwned
        self.isCopyOnWrite = isCopyOnWrite
    }

    public static let invalid = DecodedEntry(kind: .invalid)
}

/// A hardware paging scheme: how many levels a walk has, which levels may map
/// pages directly, and how entries are encoded. Both schemes Swiftlet runs on
/// use 4 KiB tables of 512 eight-byte entries, so a virtual address is split
/// into 9-bit indices above a 12-bit page offset; only the encodings differ.
/// Levels are numbered from the leaf table (0) up to the root (`levels - 1`).
public protocol PagingScheme: Sendable {
    /// Table levels in a walk (Sv39: 3, x86-64: 4).
    static var levels: Int { get }
    /// Significant virtual-address bits; higher bits must copy the top one.
    static var virtualAddressBits: Int { get }
    /// Physical-address bits an entry can hold.
    static var physicalAddressBits: Int { get }

    /// True when an entry at `level` may map a page directly.
    static func allowsLeaf(atLevel level: Int) -> Bool

    /// True when `permissions` can be encoded in a leaf exactly.
    static func canEncode(_ permissions: PagePermissions) -> Bool

    /// An entry pointing at the next-level table at `table`. `userBeneath`
    /// says user mappings may lie below it (x86-64 then sets US, as the CPU
    /// checks it at every level; Sv39 ignores it).
    static func tableEntry(pointingTo table: PhysicalAddress, userBeneath: Bool) -> UInt64

    /// `entry` (a table entry) changed to allow user mappings beneath it.
    static func allowingUserBeneath(_ entry: UInt64) -> UInt64

    /// A leaf mapping the page of `size` at `frame` (aligned to `size`) with
    /// `permissions` (which `canEncode` accepted). Accessed and dirty are set
    /// so that the hardware never faults or writes to update them.
    /// `copyOnWrite` sets the software bit that marks a copy-on-write page
    /// and leaves the hardware write bit clear whatever `permissions` say.
    static func leafEntry(
        frame: PhysicalAddress, permissions: PagePermissions, size: PageSize, owned: Bool, copyOnWrite: Bool
    ) -> UInt64

    /// `leaf` (a leaf entry) as it is once shared by fork: a writable leaf
    /// loses hardware write access and gains the copy-on-write mark; any
    /// other leaf (read-only, or copy-on-write already) is returned as is.
    static func copyOnWrite(_ leaf: UInt64) -> UInt64

    /// `entry` (a table entry) with the software "shared subtable" bit set.
    static func markedShared(_ entry: UInt64) -> UInt64

    /// Decodes an entry found in a table at `level`.
    static func decode(_ entry: UInt64, level: Int) -> DecodedEntry
}

extension PagingScheme {
    /// A leaf that is not copy-on-write.
    static func leafEntry(frame: PhysicalAddress, permissions: PagePermissions, size: PageSize, owned: Bool) -> UInt64 {
        leafEntry(frame: frame, permissions: permissions, size: size, owned: owned, copyOnWrite: false)
    }

    /// Entries in one table.
    public static var entriesPerTable: Int { 512 }

    /// Bytes one entry at `level` (0 ..< `levels`) covers: 4 KiB, 2 MiB,
    /// 1 GiB, 512 GiB. Inlined with wrapping arithmetic, so that a walk's
    /// known level folds it to a constant and an unknown one costs three
    /// instructions, not a call with overflow checks.
    @inline(__always)
    public static func entrySpan(atLevel level: Int) -> UInt64 { 1 &<< entryShift(atLevel: level) }

    /// The index into the table at `level` (0 ..< `levels`) that a walk for `va` uses.
    @inline(__always)
    public static func index(of va: VirtualAddress, level: Int) -> Int {
        Int(truncatingIfNeeded: (va.raw &>> entryShift(atLevel: level)) & 0x1FF)
    }

    /// log2 of `entrySpan(atLevel:)`: the page offset's 12 bits and 9 per level.
    @inline(__always)
    static func entryShift(atLevel level: Int) -> UInt64 { 12 &+ 9 &* UInt64(truncatingIfNeeded: level) }

    /// True when every bit above the top significant bit equals it.
    public static func isCanonical(_ va: VirtualAddress) -> Bool {
        canonical(va.raw) == va.raw
    }

    /// `raw` with its top significant bit copied into all higher bits.
    public static func canonical(_ raw: UInt64) -> UInt64 {
        let unused = UInt64(64 - virtualAddressBits)
        return UInt64(bitPattern: Int64(bitPattern: raw << unused) >> unused)
    }

    /// True when every address of `range` is canonical (it does not cross a hole).
    public static func isCanonical(_ range: VirtualRange) -> Bool {
        if range.isEmpty { return isCanonical(range.start) }
        let last = VirtualAddress(range.end.raw - 1)
        let topBit = UInt64(virtualAddressBits - 1)
        return isCanonical(range.start) && isCanonical(last)
            && (range.start.raw >> topBit) & 1 == (last.raw >> topBit) & 1
    }

    /// True when `size` bytes at `address` fit in the physical address width.
    public static func canHold(_ address: PhysicalAddress, size: UInt64) -> Bool {
        guard let end = address.adding(size) else { return false }
        return end.raw <= (1 as UInt64) << UInt64(physicalAddressBits)
    }
}
