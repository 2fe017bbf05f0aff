/// Physical memory reached through two windows: the kernel's direct map for
/// low memory and a second window, elsewhere in virtual space, for RAM the
/// direct map does not cover (x86-64: RAM above 128 MiB, mapped into the
/// kernel-extra window). A range must lie wholly in one of them: the two
/// windows are not next to each other in virtual space, so a range that
/// straddles the split, or lies outside both, gets no pointer.
public struct SplitPhysicalMemory: PhysicalMemory {
    public let low: DirectMappedMemory
    /// Nil until (or unless) the RAM above `low` is mapped.
    public let high: DirectMappedMemory?

    /// `high`'s window must not overlap `low`'s; a frame is reached through
    /// `low` first.
    public init(low: DirectMappedMemory, high: DirectMappedMemory? = nil) {
        self.low = low
        self.high = high
    }

    public func pointer(to address: PhysicalAddress, count: UInt64) -> UnsafeMutableRawPointer? {
        if let pointer = low.pointer(to: address, count: count) { return pointer }
        return high?.pointer(to: address, count: count)
    }
}

extension DirectMappedMemory {
    /// The window `physical` seen from `virtualStart` on: the offset is
    /// whatever takes the first byte of one to the first byte of the other.
    public init(window physical: PhysicalRange, at virtualStart: VirtualAddress) {
        self.init(window: physical, offset: virtualStart.raw &- physical.start.raw)
    }
}
