/// Where a read's bytes go: the kernel copies them to user memory, tests
/// to arrays. `deliver` is all or nothing: it copies every byte of `bytes`
/// and returns true, or copies none and returns false (a bad user address);
/// a read then stops and reports what was delivered before.
public protocol FileSystemByteSink {
    mutating func deliver(_ bytes: UnsafeRawBufferPointer) -> Bool
}

/// Where a write's bytes come from. `fill` is all or nothing: it fills all
/// of `destination` with the next bytes and returns true, or leaves it
/// untouched and returns false.
public protocol FileSystemByteSource {
    mutating func fill(_ destination: UnsafeMutableRawBufferPointer) -> Bool
}

/// A sink over memory the caller owns (kernel buffers, tests).
public struct MemoryByteSink: FileSystemByteSink {
    public private(set) var remaining: UnsafeMutableRawBufferPointer
    public init(_ memory: UnsafeMutableRawBufferPointer) { remaining = memory }
    public mutating func deliver(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count <= remaining.count else { return false }
        UnsafeMutableRawBufferPointer(rebasing: remaining[0..<bytes.count]).copyMemory(from: bytes)
        remaining = UnsafeMutableRawBufferPointer(rebasing: remaining[bytes.count...])
        return true
    }
}

/// A source over memory the caller owns.
public struct MemoryByteSource: FileSystemByteSource {
    public private(set) var remaining: UnsafeRawBufferPointer
    public init(_ memory: UnsafeRawBufferPointer) { remaining = memory }
    public mutating func fill(_ destination: UnsafeMutableRawBufferPointer) -> Bool {
        guard destination.count <= remaining.count else { return false }
        destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: remaining[0..<destination.count]))
        remaining = UnsafeRawBufferPointer(rebasing: remaining[destination.count...])
        return true
    }
}
