/// Why two address types: a physical address names a byte of RAM or a device
/// register, a virtual address names a byte of an address space. Mixing them up
/// is the classic kernel bug, so the compiler keeps them apart. Arithmetic is
/// checked: an operation that would wrap returns nil instead of a wrong address.
public protocol MemoryAddress: Comparable, Hashable, Sendable {
    var raw: UInt64 { get }
    init(_ raw: UInt64)
}

extension MemoryAddress {
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.raw < rhs.raw }

    public func isAligned(to size: PageSize) -> Bool { raw & (size.bytes - 1) == 0 }
    public func isAligned(toBytes alignment: UInt64) -> Bool { raw & (alignment &- 1) == 0 }

    /// The page-aligned address at or below this one.
    public func alignedDown(to size: PageSize = .size4K) -> Self { Self(raw & ~(size.bytes - 1)) }

    /// The page-aligned address at or above this one; nil if that would wrap past 2^64.
    public func alignedUp(to size: PageSize = .size4K) -> Self? {
        let (sum, overflow) = raw.addingReportingOverflow(size.bytes - 1)
        return overflow ? nil : Self(sum & ~(size.bytes - 1))
    }

    /// `self + bytes`, or nil when the sum does not fit in 64 bits.
    public func adding(_ bytes: UInt64) -> Self? {
        let (sum, overflow) = raw.addingReportingOverflow(bytes)
        return overflow ? nil : Self(sum)
    }

    /// `self - bytes`, or nil when it would go below zero.
    public func subtracting(_ bytes: UInt64) -> Self? {
        let (difference, overflow) = raw.subtractingReportingOverflow(bytes)
        return overflow ? nil : Self(difference)
    }

    /// Bytes from `other` up to `self`, or nil when `other` lies above `self`.
    public func distance(from other: Self) -> UInt64? {
        let (difference, overflow) = raw.subtractingReportingOverflow(other.raw)
        return overflow ? nil : difference
    }

    /// Byte offset of this address inside its page of the given size.
    public func offset(in size: PageSize = .size4K) -> UInt64 { raw & (size.bytes - 1) }
}

/// An address in physical memory (RAM or a device register).
public struct PhysicalAddress: MemoryAddress {
    public let raw: UInt64
    public init(_ raw: UInt64) { self.raw = raw }

    /// The frame that contains this address.
    public var frame: FrameNumber { FrameNumber(raw >> PageSize.size4K.shift) }
}

/// An address in a virtual address space.
public struct VirtualAddress: MemoryAddress {
    public let raw: UInt64
    public init(_ raw: UInt64) { self.raw = raw }

    /// The 4 KiB page that contains this address.
    public var page: PageNumber { PageNumber(raw >> PageSize.size4K.shift) }
}

/// The number of a 4 KiB physical frame: physical address / 4096.
public struct FrameNumber: Comparable, Hashable, Sendable {
    public let value: UInt64
    public init(_ value: UInt64) { self.value = value }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }

    public var address: PhysicalAddress { PhysicalAddress(value << PageSize.size4K.shift) }
}

/// The number of a 4 KiB virtual page: virtual address / 4096.
public struct PageNumber: Comparable, Hashable, Sendable {
    public let value: UInt64
    public init(_ value: UInt64) { self.value = value }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }

    public var address: VirtualAddress { VirtualAddress(value << PageSize.size4K.shift) }
}

/// A half-open range `[start, end)` of addresses of one kind.
public struct AddressRange<Address: MemoryAddress>: Equatable, Sendable {
    public let start: Address
    public let end: Address

    /// nil when `end < start`.
    public init?(start: Address, end: Address) {
        guard start <= end else { return nil }
        self.start = start
        self.end = end
    }

    /// nil when `start + size` wraps.
    public init?(start: Address, size: UInt64) {
        guard let end = start.adding(size) else { return nil }
        self.start = start
        self.end = end
    }

    public var size: UInt64 { end.raw - start.raw }
    public var isEmpty: Bool { start == end }

    public func contains(_ address: Address) -> Bool { start <= address && address < end }

    /// True when every byte of `other` lies inside `self`.
    public func contains(_ other: AddressRange<Address>) -> Bool {
        start <= other.start && other.end <= end
    }

    public func overlaps(_ other: AddressRange<Address>) -> Bool {
        start < other.end && other.start < end
    }
}

public typealias PhysicalRange = AddressRange<PhysicalAddress>
public typealias VirtualRange = AddressRange<VirtualAddress>
