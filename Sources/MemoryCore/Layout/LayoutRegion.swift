/// How a region of an address space gets its memory.
public enum RegionBacking: Equatable, Sendable {
    /// Mapped linearly onto physical memory starting at this address
    /// (the direct map, device registers, the kernel image, the trampoline).
    case direct(PhysicalAddress)
    /// Backed by frames from the frame allocator, mapped when the region's
    /// owner is created: at boot for the kernel, at process creation for a process.
    case frames
    /// A window whose pages are mapped and unmapped at run time by the
    /// subsystem that serves it (user memory, the virtual-space mapper).
    case window
    /// Never mapped, on purpose: a touch faults and the fault names it.
    case guardPage
    /// Nothing is mapped here and nothing ever will be.
    case unused
}

/// Who a region belongs to, which decides when it is built and who frees it.
public enum RegionOwner: Equatable, Sendable {
    /// Shared by every address space (on x86-64) or the kernel's own space (on RISC-V).
    case kernel
    /// Kernel memory private to each process (its kernel stack, its trap frame).
    case process
    /// The user program's memory.
    case user
}

/// A region made of `count` equal slots, each with an unmapped guard at its
/// bottom: kernel stacks and interrupt stacks, where the guard catches an
/// overflow running down out of the stack above it.
public struct GuardedSlots: Equatable, Sendable {
    public let count: Int
    public let guardBytes: UInt64
    public init(count: Int, guardBytes: UInt64) {
        self.count = count
        self.guardBytes = guardBytes
    }
}

/// One row of a layout table: a named, page-aligned range of virtual addresses.
public struct LayoutRegion: Sendable {
    public let name: StaticString
    public let range: VirtualRange
    public let backing: RegionBacking
    public let permissions: PagePermissions
    public let owner: RegionOwner
    /// Set for regions that repeat a guard + stack pattern.
    public let slots: GuardedSlots?

    public init(
        _ name: StaticString, _ range: VirtualRange, _ backing: RegionBacking,
        _ permissions: PagePermissions = .none, owner: RegionOwner, slots: GuardedSlots? = nil
    ) {
        self.name = name
        self.range = range
        self.backing = backing
        self.permissions = permissions
        self.owner = owner
        self.slots = slots
    }

    static let placeholder = LayoutRegion("", VirtualRange(start: VirtualAddress(0), end: VirtualAddress(0)).unsafelyUnwrapped, .unused, owner: .kernel)

    /// True when pages of this region are (or will be) present in page tables.
    public var isMapped: Bool {
        switch backing {
        case .direct, .frames, .window: return true
        case .guardPage, .unused: return false
        }
    }

    /// Bytes of one slot (guard plus stack), for slotted regions.
    public var slotBytes: UInt64 {
        guard let slots else { return range.size }
        return range.size / UInt64(slots.count)
    }

    /// The mapped part of slot `index` (above its guard).
    public func slot(_ index: Int) -> VirtualRange {
        let guardBytes = slots?.guardBytes ?? 0
        let start = range.start.raw + UInt64(index) * slotBytes
        return VirtualRange(start: VirtualAddress(start + guardBytes), end: VirtualAddress(start + slotBytes))!
    }

    /// The unmapped guard below slot `index`.
    public func slotGuard(_ index: Int) -> VirtualRange {
        let start = range.start.raw + UInt64(index) * slotBytes
        return VirtualRange(start: VirtualAddress(start), size: slots?.guardBytes ?? 0)!
    }

    /// Whether `address` falls in a guard of this region: the whole region
    /// for a guard region, or a slot's guard.
    public func isGuard(_ address: VirtualAddress) -> Bool {
        guard range.contains(address) else { return false }
        if backing == .guardPage { return true }
        guard let slots else { return false }
        return (address.raw - range.start.raw) % slotBytes < slots.guardBytes
    }
}

/// Builds a region from its first address and size; the tables are written
/// this way so each line reads like the specification.
@inline(__always)
func span(_ start: UInt64, size: UInt64) -> VirtualRange {
    VirtualRange(start: VirtualAddress(start), size: size)!
}

/// Builds a region from its first address and the address just past it.
@inline(__always)
func span(_ start: UInt64, to end: UInt64) -> VirtualRange {
    VirtualRange(start: VirtualAddress(start), end: VirtualAddress(end))!
}
