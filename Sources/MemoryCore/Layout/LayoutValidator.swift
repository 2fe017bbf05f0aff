/// Which virtual addresses a paging scheme can express.
public enum AddressRule: Sendable {
    /// x86-64 4-level paging: bits 63..47 all equal bit 47.
    case canonical48
    /// Sv39 as Swiftlet uses it: every address below this limit (MAXVA).
    case below(UInt64)

    public func allows(_ address: UInt64) -> Bool {
        switch self {
        case .canonical48:
            let top = address >> 47
            return top == 0 || top == 0x1_FFFF
        case .below(let limit):
            return address < limit
        }
    }

    /// Every byte of the half-open range is expressible.
    public func allows(_ range: VirtualRange) -> Bool {
        guard !range.isEmpty else { return allows(range.start.raw) }
        return allows(range.start.raw) && allows(range.end.raw - 1) && sameHalf(range)
    }

    private func sameHalf(_ range: VirtualRange) -> Bool {
        guard case .canonical48 = self else { return true }
        return (range.start.raw >> 63) == ((range.end.raw - 1) >> 63)
    }
}

/// A reason a layout table is not well formed.
public enum LayoutError: Error, Equatable, Sendable {
    case empty(index: Int)
    case notPageAligned(index: Int)
    case notSorted(index: Int)
    case overlaps(index: Int)
    case notExpressible(index: Int)
    /// A guard or unused region that carries permissions or a physical backing.
    case guardMapped(index: Int)
    /// Slots that do not divide the region evenly, or a guard as big as a slot.
    case badSlots(index: Int)
}

/// Proves a layout table is well formed: regions non-empty, page aligned,
/// sorted, non-overlapping and expressible in the paging scheme, and guard
/// regions never mapped.
public func validate(_ table: LayoutTable, rule: AddressRule) throws(LayoutError) {
    for index in 0..<table.count {
        let region = table[index]
        guard !region.range.isEmpty else { throw .empty(index: index) }
        guard region.range.start.isAligned(to: .size4K), region.range.end.isAligned(to: .size4K) else {
            throw .notPageAligned(index: index)
        }
        guard rule.allows(region.range) else { throw .notExpressible(index: index) }
        if !region.isMapped && (region.permissions != .none || region.slots != nil) { throw .guardMapped(index: index) }
        if let slots = region.slots {
            guard slots.count > 0, region.range.size % UInt64(slots.count) == 0,
                slots.guardBytes % 4096 == 0, slots.guardBytes > 0, slots.guardBytes < region.slotBytes
            else { throw .badSlots(index: index) }
        }
        if index > 0 {
            let previous = table[index - 1].range
            guard previous.start < region.range.start else { throw .notSorted(index: index) }
            guard previous.end <= region.range.start else { throw .overlaps(index: index) }
        }
    }
}
