/// What can go wrong when asking the kernel heap for memory or giving it back.
public enum HeapError: Error, Equatable, Sendable {
    /// A size of zero or less.
    case invalidSize
    /// An alignment that is not a power of two.
    case invalidAlignment
    /// No free block can hold the request (size and alignment together).
    case outOfMemory
    /// The pointer was never handed out by this heap.
    case foreignPointer
    /// The pointer's block is already free.
    case doubleFree
    /// The region given to `init` cannot hold even one block.
    case regionTooSmall
}

/// A snapshot of the heap's state. Block sizes count their headers, so
/// `bytesInUse + bytesFree == capacity` always holds.
public struct HeapStatistics: Equatable, Sendable {
    /// Bytes the heap manages (the region less alignment trimming).
    public var capacity: Int
    /// Bytes in allocated blocks, headers included.
    public var bytesInUse: Int
    /// Bytes in free blocks, headers included.
    public var bytesFree: Int
    /// Number of free blocks; 1 when nothing is allocated.
    public var freeBlockCount: Int
    /// Size of the largest free block, header included. A request of up to
    /// `largestFreeBlock - KernelHeap.headerBytes` bytes with the default
    /// alignment succeeds.
    public var largestFreeBlock: Int
    /// Allocations currently live.
    public var allocationCount: Int
    /// Allocations made since the heap was created.
    public var totalAllocations: Int
    /// The highest `bytesInUse` seen.
    public var peakInUse: Int
}
