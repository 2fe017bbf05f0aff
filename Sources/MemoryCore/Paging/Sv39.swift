/// RISC-V Sv39: three levels, 39-bit virtual addresses, 56-bit physical
/// addresses. Entry bits (privileged spec): V R W X U G A D, two RSW bits
/// for software, then the 44-bit physical page number from bit 10.
/// An entry with V and none of R/W/X points at the next table.
public enum Sv39: PagingScheme {
    static let valid: UInt64 = 1 << 0
    static let readable: UInt64 = 1 << 1
    static let writable: UInt64 = 1 << 2
    static let executable: UInt64 = 1 << 3
    static let user: UInt64 = 1 << 4
    static let global: UInt64 = 1 << 5
    static let accessed: UInt64 = 1 << 6
    static let dirty: UInt64 = 1 << 7
    /// RSW bit 8 in a table entry: the subtable belongs to another page table.
    static let sharedBit: UInt64 = 1 << 8
    /// RSW bit 8 in a leaf (Sv39 has only two RSW bits; a leaf is never a
    /// shared subtable): the page is copy-on-write.
    static let copyOnWriteBit: UInt64 = 1 << 8
    /// RSW bit 9: the leaf's frame is owned by the mapping's owner.
    static let ownedBit: UInt64 = 1 << 9
    static let ppnShift: UInt64 = 10
    static let ppnMask: UInt64 = (1 << 44) - 1

    public static var levels: Int { 3 }
    public static var virtualAddressBits: Int { 39 }
    public static var physicalAddressBits: Int { 56 }

    public static func allowsLeaf(atLevel level: Int) -> Bool { level >= 0 && level <= 2 }

    /// R/W/X all clear would mean "pointer", and W without R is reserved.
    /// No per-page caching attribute without Svpbmt (`PagePermissions.uncached`).
    public static func canEncode(_ permissions: PagePermissions) -> Bool {
        guard !permissions.contains(.uncached) else { return false }
        guard !permissions.intersection(.read | .write | .execute).isEmpty else { return false }
        return !permissions.contains(.write) || permissions.contains(.read)
    }

    static func ppnField(_ address: PhysicalAddress) -> UInt64 {
        ((address.raw >> 12) & ppnMask) << ppnShift
    }

    public static func tableEntry(pointingTo table: PhysicalAddress, userBeneath: Bool) -> UInt64 {
        // A non-leaf entry carries only V: U, G, A and D are reserved there.
        ppnField(table) | valid
    }

    public static func allowingUserBeneath(_ entry: UInt64) -> UInt64 { entry }

    public static func leafEntry(
        frame: PhysicalAddress, permissions: PagePermissions, size: PageSize, owned: Bool, copyOnWrite: Bool
    ) -> UInt64 {
        var entry = ppnField(frame) | valid | accessed | dirty
        if permissions.contains(.read) { entry |= readable }
        if copyOnWrite {
            entry |= copyOnWriteBit
        } else if permissions.contains(.write) {
            entry |= writable
        }
        if permissions.contains(.execute) { entry |= executable }
        if permissions.contains(.user) { entry |= user }
        if permissions.contains(.global) { entry |= global }
        if owned { entry |= ownedBit }
        return entry
    }

    public static func copyOnWrite(_ leaf: UInt64) -> UInt64 {
        leaf & writable != 0 ? (leaf & ~writable) | copyOnWriteBit : leaf
    }

    public static func markedShared(_ entry: UInt64) -> UInt64 { entry | sharedBit }

    public static func decode(_ entry: UInt64, level: Int) -> DecodedEntry {
        guard entry & valid != 0 else { return .invalid }
        let address = PhysicalAddress(((entry >> ppnShift) & ppnMask) << 12)
        guard entry & (readable | writable | executable) != 0 else {
            // A pointer in the last-level table is invalid to the hardware.
            if level == 0 { return .invalid }
            return DecodedEntry(kind: .table, address: address, isShared: entry & sharedBit != 0)
        }
        var permissions = PagePermissions.none
        if entry & readable != 0 { permissions = permissions | .read }
        if entry & writable != 0 { permissions = permissions | .write }
        if entry & executable != 0 { permissions = permissions | .execute }
        if entry & user != 0 { permissions = permissions | .user }
        if entry & global != 0 { permissions = permissions | .global }
        return DecodedEntry(
            kind: .leaf, address: address, permissions: permissions, isOwned: entry & ownedBit != 0,
            isCopyOnWrite: entry & copyOnWriteBit != 0)
    }
}
