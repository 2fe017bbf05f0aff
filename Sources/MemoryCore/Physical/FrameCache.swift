/// A few free frames set aside for one CPU, so that its single-frame
/// allocations and frees (page tables, process pages, fork's copies, exit's
/// releases) take no shared lock: `FrameAllocator` serves them from here and
/// goes to its shared pool, under its lock, only to refill an empty cache or
/// drain a full one, `transferBatch` frames at a time.
///
/// Who may touch it: only the CPU it belongs to, between the `enter` and
/// `leave` of the allocator's `FrameCacheAccess` (the kernel: interrupts off
/// on that CPU, so nothing else runs there meanwhile). Other CPUs only read
/// `count`, for the free-frame total.
///
/// A cached frame is free for every count the allocator reports, but not for
/// its bitmap: its free bit stays clear (so the shared pool cannot hand it
/// out) and its reference-count slot holds `FrameAllocator.cachedMark` (so a
/// second free of it is still refused as a double free).
public struct FrameCache {
    public static let capacity = 32
    /// Frames moved between a cache and the shared pool in one locked step:
    /// a refill fills half the cache, a drain empties half of it, so a CPU
    /// that allocates and frees in turn never goes back to the pool.
    public static let transferBatch = capacity / 2

    private var frames: InlineArray<32, UInt64> = .init(repeating: 0)
    /// How many frames the cache holds now.
    public private(set) var count = 0

    public init() {}

    var isFull: Bool { count == Self.capacity }

    /// Adds a frame; the caller has checked there is room.
    mutating func push(_ frame: FrameNumber) {
        frames[count] = frame.value
        count += 1
    }

    /// The frame added last (its page is most likely still in this CPU's
    /// data cache), or nil when empty.
    mutating func pop() -> FrameNumber? {
        guard count > 0 else { return nil }
        count -= 1
        return FrameNumber(frames[count])
    }
}

/// How a `FrameAllocator` reaches the calling CPU's `FrameCache`: one cache
/// per CPU at `caches`, indexed by the number `enter` returns. Plain
/// function pointers, like `FrameAllocatorLock`.
public struct FrameCacheAccess {
    /// `count` caches, one per CPU; the memory stays valid as long as the allocator.
    public let caches: UnsafeMutablePointer<FrameCache>
    public let count: Int
    /// Keeps the caller on its CPU with nothing else running there until
    /// `leave` (the kernel: interrupts off, nested), and returns that CPU's
    /// index into `caches`, below `count`.
    public let enter: @convention(c) () -> Int
    public let leave: @convention(c) () -> Void

    public init(
        caches: UnsafeMutablePointer<FrameCache>, count: Int, enter: @convention(c) () -> Int,
        leave: @convention(c) () -> Void
    ) {
        self.caches = caches
        self.count = count
        self.enter = enter
        self.leave = leave
    }

    /// Frames held by all the caches together.
    var cachedFrames: UInt64 {
        var total = 0
        for index in 0..<count { total += caches[index].count }
        return UInt64(total)
    }
}
