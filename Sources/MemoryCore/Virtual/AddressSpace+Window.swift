/// The virtual ranges that count as user space in an address space: at most
/// two, because x86-64 user space is split by the non-canonical hole (the low
/// half, and the upper half below the process-specific kernel area). A user
/// pointer is good only when every byte it names lies inside one of them.
public struct UserWindow: Sendable, Equatable {
    public let low: VirtualRange
    public let high: VirtualRange?

    public init(_ low: VirtualRange, _ high: VirtualRange? = nil) {
        self.low = low
        self.high = high
    }

    /// True when all of `range` lies in one part of the window.
    public func contains(_ range: VirtualRange) -> Bool {
        if low.contains(range) { return true }
        if let high { return high.contains(range) }
        return false
    }

    public func contains(_ va: VirtualAddress) -> Bool {
        low.contains(va) || (high?.contains(va) ?? false)
    }

    /// True when some byte of `range` lies in the window.
    public func overlaps(_ range: VirtualRange) -> Bool {
        low.overlaps(range) || (high?.overlaps(range) ?? false)
    }
}
