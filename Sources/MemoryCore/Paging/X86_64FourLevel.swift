/// x86-64 4-level paging: 48-bit canonical virtual addresses, physical
/// addresses up to 52 bits (bits 12..51 of an entry). Entry bits (Intel SDM
/// vol. 3, 4.5): P, R/W, U/S, PWT, PCD (both set for `.uncached`), A, D, PS (page size, levels 1 and 2),
/// G, bits 9..11 free for software, NX in bit 63.
///
/// Permissions are enforced at the leaf only: every table entry is P|R/W,
/// plus U/S once a user mapping lies beneath, so changing one mapping never
/// touches an upper-level entry that other mappings share. NX needs EFER.NXE.
public enum X86_64FourLevel: PagingScheme {
    static let present: UInt64 = 1 << 0
    static let writable: UInt64 = 1 << 1
    static let user: UInt64 = 1 << 2
    static let writeThrough: UInt64 = 1 << 3
    static let cacheDisable: UInt64 = 1 << 4
    static let accessed: UInt64 = 1 << 5
    static let dirty: UInt64 = 1 << 6
    static let pageSize: UInt64 = 1 << 7
    static let global: UInt64 = 1 << 8
    /// Software bit 9: the subtable belongs to another page table.
    static let sharedBit: UInt64 = 1 << 9
    /// Software bit 10: the leaf's frame is owned by the mapping's owner.
    static let ownedBit: UInt64 = 1 << 10
    /// Software bit 11: the leaf is copy-on-write.
    static let copyOnWriteBit: UInt64 = 1 << 11
    static let noExecute: UInt64 = 1 << 63
    static let addressMask: UInt64 = 0x000F_FFFF_FFFF_F000

    public static var levels: Int { 4 }
    public static var virtualAddressBits: Int { 48 }
    public static var physicalAddressBits: Int { 52 }

    /// 1 GiB pages need the CPU's pdpe1gb feature; the caller decides to use them.
    public static func allowsLeaf(atLevel level: Int) -> Bool { level >= 0 && level <= 2 }

    /// Every present page is readable: there is no way to say "not readable".
    public static func canEncode(_ permissions: PagePermissions) -> Bool { permissions.contains(.read) }

    public static func tableEntry(pointingTo table: PhysicalAddress, userBeneath: Bool) -> UInt64 {
        (table.raw & addressMask) | present | writable | (userBeneath ? user : 0)
    }

    public static func allowingUserBeneath(_ entry: UInt64) -> UInt64 { entry | user }

    public static func leafEntry(
        frame: PhysicalAddress, permissions: PagePermissions, size: PageSize, owned: Bool, copyOnWrite: Bool
    ) -> UInt64 {
        var entry = (frame.raw & addressMask) | present | accessed | dirty
        if size != .size4K { entry |= pageSize }
        if copyOnWrite {
            entry |= copyOnWriteBit
        } else if permissions.contains(.write) {
            entry |= writable
        }
        if permissions.contains(.user) { entry |= user }
        if permissions.contains(.global) { entry |= global }
        if permissions.contains(.uncached) { entry |= cacheDisable | writeThrough }
        if !permissions.contains(.execute) { entry |= noExecute }
        if owned { entry |= ownedBit }
        return entry
    }

    public static func copyOnWrite(_ leaf: UInt64) -> UInt64 {
        leaf & writable != 0 ? (leaf & ~writable) | copyOnWriteBit : leaf
    }

    public static func markedShared(_ entry: UInt64) -> UInt64 { entry | sharedBit }

    public static func decode(_ entry: UInt64, level: Int) -> DecodedEntry {
        guard entry & present != 0 else { return .invalid }
        // Level 0 entries are always pages (bit 7 is PAT there); PS is reserved at level 3.
        let isLeaf = level == 0 || (level <= 2 && entry & pageSize != 0)
        guard isLeaf else {
            return DecodedEntry(kind: .table, address: PhysicalAddress(entry & addressMask), isShared: entry & sharedBit != 0)
        }
        // In a large-page entry bit 12 is PAT, so the address starts at the page size.
        let lowBits = (1 << (12 + 9 * UInt64(level))) - 1 as UInt64
        var permissions = PagePermissions.read
        if entry & writable != 0 { permissions = permissions | .write }
        if entry & user != 0 { permissions = permissions | .user }
        if entry & global != 0 { permissions = permissions | .global }
        if entry & cacheDisable != 0 { permissions = permissions | .uncached }
        if entry & noExecute == 0 { permissions = permissions | .execute }
        return DecodedEntry(
            kind: .leaf, address: PhysicalAddress(entry & addressMask & ~lowBits),
            permissions: permissions, isOwned: entry & ownedBit != 0, isCopyOnWrite: entry & copyOnWriteBit != 0)
    }
}
