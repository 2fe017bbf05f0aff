/// The kernel's general-purpose allocator over one fixed region (on x86-64 the
/// 16 MiB kernel heap window; in tests a host buffer). All bookkeeping lives in
/// the region itself: a header before every block, and a singly linked list of
/// the free blocks kept in address order. Address order makes coalescing a
/// check of the two list neighbours and keeps first fit packing toward the
/// bottom of the region. Not synchronised: the owner serialises access.
public struct KernelHeap: ~Copyable {
    /// The alignment every payload has without asking.
    public static var minimumAlignment: Int { Int(heapGranule) }
    /// Bytes of bookkeeping in front of every payload.
    public static var headerBytes: Int { Int(heapHeaderBytes) }

    /// First byte of the managed area (the region's start rounded up to 16).
    public let start: UnsafeMutableRawPointer
    /// Bytes managed, from `start`.
    public let capacity: Int
    private let low: UInt
    private let high: UInt
    /// Lowest free block; 0 when none is free.
    private var firstFree: UInt
    private var bytesInUse: UInt = 0
    private var freeBlockCount = 1
    private var allocationCount = 0
    private var totalAllocations = 0
    private var peakInUse: UInt = 0

    /// Takes over `size` bytes at `region` as one free block. The region must
    /// stay valid and untouched by others for the heap's lifetime.
    public init(region: UnsafeMutableRawPointer, size: Int) throws(HeapError) {
        let raw = UInt(bitPattern: region)
        guard size > 0, let first = alignUp(raw, heapGranule) else { throw .regionTooSmall }
        let (end, overflow) = raw.addingReportingOverflow(UInt(size))
        guard !overflow, end >= first else { throw .regionTooSmall }
        let usable = (end - first) & ~(heapGranule - 1)
        guard usable >= heapMinimumBlock else { throw .regionTooSmall }
        start = UnsafeMutableRawPointer(bitPattern: first).unsafelyUnwrapped
        capacity = Int(usable)
        low = first
        high = first + usable
        firstFree = first
        heapHeader(first).initialize(
            to: HeapBlockHeader(
                size: usable, tag: HeapBlockHeader.freeTag(at: first), nextFree: 0, requested: 0))
    }

    /// `size` bytes aligned to `alignment` (a power of two; below 16 counts as 16).
    public mutating func allocate(size: Int, alignment: Int = KernelHeap.minimumAlignment) throws(HeapError) -> UnsafeMutableRawPointer {
        guard size > 0 else { throw .invalidSize }
        guard alignment > 0, alignment & (alignment - 1) == 0 else { throw .invalidAlignment }
        // Larger than the whole heap: fail before any rounding can overflow.
        guard size <= capacity else { throw .outOfMemory }
        let payload = alignUp(UInt(size), heapGranule).unsafelyUnwrapped
        let align = max(UInt(alignment), heapGranule)
        var previous: UInt = 0
        var current = firstFree
        while current != 0 {
            if let gap = placement(in: current, payload: payload, alignment: align) {
                return carve(current, after: previous, gap: gap, payload: payload, requested: UInt(size))
            }
            previous = current
            current = heapHeader(current).pointee.nextFree
        }
        throw .outOfMemory
    }

    /// Gives a block back and merges it with free neighbours. Refuses pointers
    /// whose header does not check out, leaving the heap unchanged.
    public mutating func free(_ pointer: UnsafeMutableRawPointer) throws(HeapError) {
        let payload = UInt(bitPattern: pointer)
        guard payload >= low + heapHeaderBytes, payload < high, payload % heapGranule == 0 else { throw .foreignPointer }
        let address = payload - heapHeaderBytes
        let block = heapHeader(address)
        let size = block.pointee.size
        if block.pointee.tag == HeapBlockHeader.freeTag(at: address) { throw .doubleFree }
        guard block.pointee.tag == HeapBlockHeader.usedTag(at: address),
            size >= heapMinimumBlock, size % heapGranule == 0, size <= high - address
        else { throw .foreignPointer }
        // The free neighbours below and above, from the address-ordered list.
        var previous: UInt = 0
        var next = firstFree
        while next != 0 && next < address {
            previous = next
            next = heapHeader(next).pointee.nextFree
        }
        // A "used" header overlapping free space is stale data, not a live block.
        if previous != 0 && previous + heapHeader(previous).pointee.size > address { throw .foreignPointer }
        if next != 0 && address + size > next { throw .foreignPointer }

        block.pointee.tag = HeapBlockHeader.freeTag(at: address)
        block.pointee.requested = 0
        block.pointee.nextFree = next
        if previous == 0 { firstFree = address } else { heapHeader(previous).pointee.nextFree = address }
        bytesInUse -= size
        allocationCount -= 1
        freeBlockCount += 1
        // The absorbed header keeps its free tag, so freeing it again reads as a double free.
        if next != 0 && address + size == next {
            block.pointee.size += heapHeader(next).pointee.size
            block.pointee.nextFree = heapHeader(next).pointee.nextFree
            freeBlockCount -= 1
        }
        if previous != 0 && previous + heapHeader(previous).pointee.size == address {
            heapHeader(previous).pointee.size += block.pointee.size
            heapHeader(previous).pointee.nextFree = block.pointee.nextFree
            freeBlockCount -= 1
        }
    }

    /// Counters plus the largest free block, found by walking the free list.
    public var statistics: HeapStatistics {
        var largest: UInt = 0
        var current = firstFree
        while current != 0 {
            largest = max(largest, heapHeader(current).pointee.size)
            current = heapHeader(current).pointee.nextFree
        }
        return HeapStatistics(
            capacity: capacity, bytesInUse: Int(bytesInUse), bytesFree: capacity - Int(bytesInUse),
            freeBlockCount: freeBlockCount, largestFreeBlock: Int(largest),
            allocationCount: allocationCount, totalAllocations: totalAllocations, peakInUse: Int(peakInUse))
    }

    /// True when `pointer` lies inside the heap's region.
    public func contains(_ pointer: UnsafeRawPointer) -> Bool {
        let address = UInt(bitPattern: pointer)
        return address >= low && address < high
    }

    /// Where in the free block at `block` an allocation fits: the bytes to leave
    /// free below its header, or nil. The gap below is either empty or a whole
    /// block, since a sliver could not be tracked.
    private func placement(in block: UInt, payload: UInt, alignment: UInt) -> UInt? {
        let size = heapHeader(block).pointee.size
        guard let aligned = alignUp(block + heapHeaderBytes, alignment) else { return nil }
        var gap = aligned - block - heapHeaderBytes
        if gap != 0 && gap < heapMinimumBlock {
            let (bumped, overflow) = gap.addingReportingOverflow(alignment)
            guard !overflow else { return nil }
            gap = bumped
        }
        // gap < size is checked first, so the sum below cannot overflow.
        guard gap < size, payload <= size - gap, heapHeaderBytes + payload <= size - gap else { return nil }
        return gap
    }

    /// Cuts an allocation out of the free block at `block`, `gap` bytes in,
    /// leaving any gap below and any whole block above on the free list.
    private mutating func carve(_ block: UInt, after previous: UInt, gap: UInt, payload: UInt, requested: UInt) -> UnsafeMutableRawPointer {
        let blockSize = heapHeader(block).pointee.size
        let used = block + gap
        var usedSize = blockSize - gap
        var link = heapHeader(block).pointee.nextFree
        if usedSize - heapHeaderBytes - payload >= heapMinimumBlock {
            let tail = used + heapHeaderBytes + payload
            heapHeader(tail).initialize(
                to: HeapBlockHeader(
                    size: usedSize - heapHeaderBytes - payload, tag: HeapBlockHeader.freeTag(at: tail), nextFree: link, requested: 0))
            link = tail
            usedSize = heapHeaderBytes + payload
            freeBlockCount += 1
        }
        if gap != 0 {
            heapHeader(block).pointee.size = gap
            heapHeader(block).pointee.nextFree = link
        } else {
            if previous == 0 { firstFree = link } else { heapHeader(previous).pointee.nextFree = link }
            freeBlockCount -= 1
        }
        heapHeader(used).initialize(
            to: HeapBlockHeader(
                size: usedSize, tag: HeapBlockHeader.usedTag(at: used), nextFree: 0, requested: requested))
        bytesInUse += usedSize
        peakInUse = max(peakInUse, bytesInUse)
        allocationCount += 1
        totalAllocations += 1
        return UnsafeMutableRawPointer(bitPattern: used + heapHeaderBytes).unsafelyUnwrapped
    }
}
