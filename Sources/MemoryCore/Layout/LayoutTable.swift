/// The most regions a table holds; InlineArray needs a fixed capacity.
public let layoutTableCapacity = 24

/// An architecture's memory layout, stated once: a sorted list of regions.
/// Page tables are built from it, the boot log prints it, the boot audit
/// checks the live page tables against it and the docs draw it.
public struct LayoutTable: Sendable {
    public let name: StaticString
    public private(set) var count = 0
    /// Unused slots hold a placeholder; only the first `count` are regions.
    /// (Not optionals: a force unwrap adds a failure path on which the
    /// Embedded compiler cannot destroy a live generic ~Copyable owner.)
    private var storage: InlineArray<24, LayoutRegion> = .init(repeating: LayoutRegion.placeholder)

    public init(name: StaticString) { self.name = name }

    /// Appends a region; tables are written in address order.
    public mutating func add(_ region: LayoutRegion) {
        precondition(count < layoutTableCapacity, "layout table full")
        storage[count] = region
        count += 1
    }

    public subscript(index: Int) -> LayoutRegion {
        precondition(index < count, "layout table index out of range")
        return storage[index]
    }

    /// The region that contains `address`, if any.
    public func region(containing address: VirtualAddress) -> LayoutRegion? {
        for index in 0..<count where self[index].range.contains(address) { return self[index] }
        return nil
    }

    /// The region with this name (names are unique within a table).
    public func region(named name: StaticString) -> LayoutRegion? {
        for index in 0..<count where equalNames(self[index].name, name) { return self[index] }
        return nil
    }
}

/// Byte-wise comparison of two static strings.
public func equalNames(_ a: StaticString, _ b: StaticString) -> Bool {
    guard a.utf8CodeUnitCount == b.utf8CodeUnitCount else { return false }
    for i in 0..<a.utf8CodeUnitCount where a.utf8Start[i] != b.utf8Start[i] { return false }
    return true
}
