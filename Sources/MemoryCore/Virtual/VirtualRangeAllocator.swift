/// What can go wrong when taking or returning a range of virtual pages.
public enum VirtualRangeError: Error, Equatable, Sendable {
    /// Empty, not page aligned, or not inside the window.
    case invalidRange
    /// No free run of the requested length is left.
    case outOfSpace
    /// Part of the range is already free: a double free, or a range never handed out.
    case notAllocated
    /// Returning the range would need one more free-list entry than the list
    /// holds. Nothing changed; the range is still allocated.
    case freeListFull
}

/// Hands out page-granular ranges of one virtual window, first fit. The free
/// ranges sit in a fixed array sorted by address, and a returned range merges
/// with both neighbours, so no two entries ever overlap or touch.
public struct VirtualRangeAllocator: ~Copyable {
    /// How many separate free ranges the list can hold.
    public static var capacity: Int { 64 }

    public let window: VirtualRange
    /// Free ranges by address; only the first `freeRangeCount` are meaningful.
    private var entries: InlineArray<64, VirtualRange>
    public private(set) var freeRangeCount: Int
    public private(set) var freeBytes: UInt64

    /// An allocator with all of `window` (page aligned, not empty) free.
    public init(window: VirtualRange) throws(VirtualRangeError) {
        guard !window.isEmpty, window.start.isAligned(to: .size4K), window.end.isAligned(to: .size4K) else {
            throw .invalidRange
        }
        self.window = window
        entries = InlineArray(repeating: window)
        freeRangeCount = 1
        freeBytes = window.size
    }

    /// The `index`th free range from the bottom of the window.
    public func freeRange(at index: Int) -> VirtualRange {
        precondition(index >= 0 && index < freeRangeCount, "free range index out of bounds")
        return entries[index]
    }

    /// `pages` contiguous pages from the lowest free run that holds them.
    public mutating func allocate(pages: UInt64) throws(VirtualRangeError) -> VirtualRange {
        try allocate(pages: pages, alignment: .size4K)
    }

    /// `pages` contiguous pages from the lowest free run that holds them at a
    /// start `offset` bytes past a multiple of `alignment` (page aligned, below
    /// `alignment`), so a run of large pages can line up with its frames. The
    /// pages skipped below such a start stay free; carving from the middle of
    /// a run takes one more free-list entry, and a run that would need it
    /// while the list is full is passed over (`freeListFull` if that was all).
    public mutating func allocate(
        pages: UInt64, alignment: PageSize, offset: UInt64 = 0
    ) throws(VirtualRangeError) -> VirtualRange {
        guard pages > 0, offset < alignment.bytes, offset % pageBytes == 0 else { throw .invalidRange }
        let (bytes, overflow) = pages.multipliedReportingOverflow(by: pageBytes)
        guard !overflow, bytes <= freeBytes else { throw .outOfSpace }
        var listWasFull = false
        for index in 0..<freeRangeCount where entries[index].size >= bytes {
            let run = entries[index]
            guard let start = Self.firstStart(in: run, alignment: alignment, offset: offset),
                let taken = VirtualRange(start: start, size: bytes), taken.end <= run.end
            else { continue }
            let keepsHead = taken.start > run.start
            let keepsTail = taken.end < run.end
            if keepsHead && keepsTail {
                guard freeRangeCount < Self.capacity else {
                    listWasFull = true
                    continue
                }
                entries[index] = VirtualRange(start: run.start, end: taken.start).unsafelyUnwrapped
                insert(VirtualRange(start: taken.end, end: run.end).unsafelyUnwrapped, at: index + 1)
            } else if keepsHead {
                entries[index] = VirtualRange(start: run.start, end: taken.start).unsafelyUnwrapped
            } else if keepsTail {
                entries[index] = VirtualRange(start: taken.end, end: run.end).unsafelyUnwrapped
            } else {
                remove(at: index)
            }
            freeBytes -= bytes
            return taken
        }
        throw listWasFull ? .freeListFull : .outOfSpace
    }

    /// The lowest address in `run` that lies `offset` past a multiple of
    /// `alignment`; nil if that would pass 2^64.
    private static func firstStart(in run: VirtualRange, alignment: PageSize, offset: UInt64) -> VirtualAddress? {
        let mask = alignment.bytes - 1
        let base = run.start.raw & ~mask
        let (candidate, overflow) = base.addingReportingOverflow(offset)
        if overflow { return nil }
        if candidate >= run.start.raw { return VirtualAddress(candidate) }
        let (next, overflowNext) = candidate.addingReportingOverflow(alignment.bytes)
        return overflowNext ? nil : VirtualAddress(next)
    }

    /// Returns `range` and merges it with the free ranges it touches. Checks
    /// everything first, so a refused call changes nothing.
    public mutating func free(_ range: VirtualRange) throws(VirtualRangeError) {
        guard !range.isEmpty, range.start.isAligned(to: .size4K), range.end.isAligned(to: .size4K),
            window.contains(range)
        else { throw .invalidRange }
        // The first free range above `range`; the one before it lies below.
        var next = 0
        while next < freeRangeCount && entries[next].start < range.start { next += 1 }
        let hasPrevious = next > 0
        let hasNext = next < freeRangeCount
        if hasPrevious && entries[next - 1].end > range.start { throw .notAllocated }
        if hasNext && entries[next].start < range.end { throw .notAllocated }
        let joinsPrevious = hasPrevious && entries[next - 1].end == range.start
        let joinsNext = hasNext && entries[next].start == range.end

        if joinsPrevious && joinsNext {
            // Bridge the gap: one range from the previous start to the next end.
            entries[next - 1] = VirtualRange(start: entries[next - 1].start, end: entries[next].end).unsafelyUnwrapped
            remove(at: next)
        } else if joinsPrevious {
            entries[next - 1] = VirtualRange(start: entries[next - 1].start, end: range.end).unsafelyUnwrapped
        } else if joinsNext {
            entries[next] = VirtualRange(start: range.start, end: entries[next].end).unsafelyUnwrapped
        } else {
            guard freeRangeCount < Self.capacity else { throw .freeListFull }
            insert(range, at: next)
        }
        freeBytes += range.size
    }

    private mutating func remove(at index: Int) {
        var i = index
        while i + 1 < freeRangeCount {
            entries[i] = entries[i + 1]
            i += 1
        }
        freeRangeCount -= 1
    }

    private mutating func insert(_ range: VirtualRange, at index: Int) {
        var i = freeRangeCount
        while i > index {
            entries[i] = entries[i - 1]
            i -= 1
        }
        entries[index] = range
        freeRangeCount += 1
    }
}
