import Synchronization

/// What can go wrong when asking for or returning physical frames.
public enum FrameError: Error, Equatable, Sendable {
    /// No free frame (or no free run of the requested length) is left.
    case outOfMemory
    /// The frame lies outside every range this allocator was given.
    case foreignFrame(FrameNumber)
    /// The frame is already free.
    case doubleFree(FrameNumber)
    /// A range handed to the allocator is empty, unaligned or outside its span.
    case invalidRange
    /// The bookkeeping storage is too small for the span.
    case storageTooSmall(needed: UInt64)
    /// The frame has other users: `release` it, never `free` it.
    case stillShared(FrameNumber)
    /// The frame's reference count is at its limit.
    case tooManyReferences(FrameNumber)
}

/// Hands out 4 KiB physical frames. It covers a fixed span of frame numbers
/// and keeps three bits per frame in storage the caller provides: "managed"
/// (the frame came from a range given with `addRange`), "free" (in the
/// pool), and "known zero" (in the pool, and every byte of it is 0). The
/// first two let it tell a double free from a foreign frame, and the bitmap
/// lets it find contiguous, aligned runs, which a free list cannot.
///
/// Known-zero frames: a page table clears each entry it used when it is torn
/// down, so its table pages come back all zeros (`freeZeroed`, to the pool,
/// never to a CPU's cache). They are kept on a short stack, and
/// `allocateZeroed` hands them out again without clearing 4 KiB. Every
/// allocation from the pool clears the frame's known-zero bit, so a stack
/// entry whose frame was handed out meanwhile is recognised and skipped.
///
/// Beside the bitmaps it keeps a reference count for every frame (a compact
/// array of `UInt16`, one per frame of the span), so that one frame can back
/// a page in several address spaces (copy-on-write after fork). The array
/// holds the users *beyond the first*: an allocated frame has one user and
/// 0 there, so `allocate` and `free` need not touch it. `retain` adds a
/// user, `release` drops one and frees the frame with its last user; `free`
/// refuses a frame that still has others.
///
/// With `caches` set, single frames come from and go back to the calling
/// CPU's `FrameCache` first (see `FrameCache`); the shared pool (the free
/// bits) refills and drains the caches in batches. `freeFrames` counts the
/// cached frames as free, so every count stays exact. A CPU allocates from
/// its own cache and the pool; when both are empty (or a run does not fit
/// in the pool) it empties every CPU's cache into the pool and tries once
/// more, so an allocation fails only when no frame is free anywhere.
///
/// Who may touch it: only through these methods, each of which holds
/// `lock` (when one is set) for its whole run, except the cached fast
/// paths of `allocate`, `free` and `release`, which touch only the calling
/// CPU's cache (under that cache's lock) and the reference-count slot of
/// the one frame the caller owns: the kernel sets `lock` to its "frame
/// allocator" spinlock, so bitmaps, counts and the search hint are only
/// ever changed under it. A cache's lock is taken before `lock`.
/// Host tests, where each allocator has one owner, leave it nil.
public struct FrameAllocator: ~Copyable {
    /// Taken around every method that reads or changes the bookkeeping.
    public var lock: FrameAllocatorLock? = nil
    /// The per-CPU caches of free frames; nil (none) until the owner sets it,
    /// once, before a second CPU runs.
    public var caches: FrameCacheAccess? = nil
    /// The reference-count slot of a frame that sits in a CPU's cache: free,
    /// but not in the pool. Reference counts stop one below it.
    static let cachedMark: UInt16 = .max
    public let span: AddressRange<PhysicalAddress>
    private let firstFrame: UInt64
    private let frameCount: UInt64
    private let managedBits: UnsafeMutablePointer<UInt64>
    private let freeBits: UnsafeMutablePointer<UInt64>
    /// Pool frames whose bytes are all zero (see the type's comment).
    private let zeroBits: UnsafeMutablePointer<UInt64>
    /// Frame indices freed zeroed, most recent on top, in the caller's
    /// storage (not in the struct: every copy of it would grow); an entry
    /// may be stale (its bit in `zeroBits` says).
    private let zeroStack: UnsafeMutablePointer<UInt32>
    private var zeroStackCount = 0
    static let zeroStackCapacity = 64
    /// Users of each frame beyond the first (see the type's comment).
    private let extraUsers: UnsafeMutablePointer<UInt16>
    /// One word per frame of the span kept for the page-table code, which
    /// records there which groups of a table page's entries may be in use
    /// (`PageTable`'s used-group bits). The allocator sets every word to all
    /// ones at start (every group possibly used) and never reads or writes
    /// them again: a frame's word belongs to the page table that uses the
    /// frame as a table page, under whatever guards that table's entries.
    private let tableWords: UnsafeMutablePointer<UInt64>
    /// Where the next single-frame search starts, so allocation is not quadratic.
    private var searchHint: UInt64 = 0
    /// Index of a frame no contiguous run may reach across from below (see
    /// `separateRuns`); `frameCount` when there is none.
    private var runBarrier: UInt64
    /// Free frames in the shared pool (free bit set).
    public private(set) var poolFrames: UInt64 = 0
    public private(set) var managedFrames: UInt64 = 0

    /// Free frames: the pool's and those in every CPU's cache. (This and
    /// the small readers below are inlined: a call that borrows the
    /// allocator made the compiler copy all of it, 184 bytes, first.)
    @inline(__always)
    public var freeFrames: UInt64 { poolFrames + (caches?.cachedFrames ?? 0) }

    /// True when at least `count` frames are free (`freeFrames`), the
    /// pool's count alone answering when it suffices: the caches are only
    /// summed (a loop over every CPU's) when the pool falls short. The
    /// answer is `count <= freeFrames` either way.
    @inline(__always)
    public func hasFreeFrames(_ count: UInt64) -> Bool {
        count <= poolFrames || count <= freeFrames
    }

    /// Bytes of storage needed to manage `span`.
    public static func storageBytes(for span: PhysicalRange) -> UInt64 {
        let frames = span.size / pageBytes
        let bitmaps = 3 * ((frames + 63) / 64) * 8
        let counts = (frames * 2 + 7) & ~7
        return bitmaps + counts + UInt64(zeroStackCapacity * 4) + frames * 8
    }

    /// Creates an allocator for frames in `span` that owns no frame yet.
    /// `storage` must hold `storageBytes(for: span)` bytes, 8-byte aligned, and
    /// stay valid as long as the allocator.
    public init(span: PhysicalRange, storage: UnsafeMutableRawPointer, storageBytes: UInt64) throws(FrameError) {
        guard span.start.isAligned(to: .size4K), span.end.isAligned(to: .size4K), !span.isEmpty else {
            throw .invalidRange
        }
        let needed = Self.storageBytes(for: span)
        guard storageBytes >= needed else { throw .storageTooSmall(needed: needed) }
        self.span = span
        firstFrame = span.start.frame.value
        frameCount = span.size / pageBytes
        runBarrier = frameCount
        let words = Int((frameCount + 63) / 64)
        managedBits = storage.bindMemory(to: UInt64.self, capacity: 3 * words)
        freeBits = managedBits + words
        zeroBits = freeBits + words
        managedBits.initialize(repeating: 0, count: 3 * words)
        extraUsers = (storage + 3 * words * 8).bindMemory(to: UInt16.self, capacity: Int(frameCount))
        extraUsers.initialize(repeating: 0, count: Int(frameCount))
        let countBytes = (Int(frameCount) * 2 + 7) & ~7
        zeroStack = (storage + 3 * words * 8 + countBytes).bindMemory(to: UInt32.self, capacity: Self.zeroStackCapacity)
        zeroStack.initialize(repeating: 0, count: Self.zeroStackCapacity)
        let wordsStart = storage + 3 * words * 8 + countBytes + Self.zeroStackCapacity * 4
        tableWords = wordsStart.bindMemory(to: UInt64.self, capacity: Int(frameCount))
        tableWords.initialize(repeating: .max, count: Int(frameCount))
    }

    /// The page-table code's word for `frame` (see `tableWords`), or nil
    /// for a frame outside the span.
    @inline(__always)
    public mutating func tableWord(_ frame: FrameNumber) -> UnsafeMutablePointer<UInt64>? {
        let index = frame.value &- firstFrame
        guard index < frameCount else { return nil }
        return tableWords + Int(index)
    }

    /// Gives the frames of `range` to the allocator as free frames.
    public mutating func addRange(_ range: PhysicalRange) throws(FrameError) {
        lock?.acquire()
        defer { lock?.release() }
        guard range.start.isAligned(to: .size4K), range.end.isAligned(to: .size4K), span.contains(range) else {
            throw .invalidRange
        }
        var frame = range.start.frame.value - firstFrame
        let end = range.end.frame.value - firstFrame
        while frame < end {
            if !test(managedBits, frame) {
                set(managedBits, frame, true)
                set(freeBits, frame, true)
                managedFrames += 1
                poolFrames += 1
            }
            frame += 1
        }
    }

    /// Declares that the frames below `frame` and those from `frame` on are
    /// reached through different windows (x86-64: the direct map below 128
    /// MiB, the kernel-extra window above), so a contiguous run must not
    /// hold frames of both: one pointer could not reach it all. One such
    /// split per allocator; a frame outside the span is refused.
    public mutating func separateRuns(at frame: FrameNumber) throws(FrameError) {
        lock?.acquire()
        defer { lock?.release() }
        guard frame.value > firstFrame, frame.value - firstFrame < frameCount else { throw .invalidRange }
        runBarrier = frame.value - firstFrame
    }

    /// Makes the next single-frame searches start at `frame`, so that the
    /// frames from there on are handed out before those below it (the search
    /// wraps around once they are all taken).
    public mutating func startSearch(at frame: FrameNumber) throws(FrameError) {
        lock?.acquire()
        defer { lock?.release() }
        guard frame.value >= firstFrame, frame.value - firstFrame < frameCount else { throw .invalidRange }
        searchHint = frame.value - firstFrame
    }

    /// One free frame, or `.outOfMemory`: from this CPU's cache when there
    /// are caches (refilled from the pool when empty), else from the pool.
    public mutating func allocate() throws(FrameError) -> FrameNumber {
        if let caches {
            if let frame = takeCached(caches) { return frame }
            reclaimCaches(caches)
            guard let frame = takeCached(caches) else { throw .outOfMemory }
            return frame
        }
        lock?.acquire()
        defer { lock?.release() }
        return try allocateUnlocked()
    }

    /// One free frame whose bytes are all zero, or `.outOfMemory`: a
    /// known-zero frame when there is one, else a frame of the pool,
    /// cleared through `memory` (outside the lock).
    /// When the pool is empty, this CPU's cache gives the frame.
    public mutating func allocateZeroed(_ memory: some PhysicalMemory) throws(FrameError) -> FrameNumber {
        lock?.acquire()
        let taken: (FrameNumber, Bool)
        do {
            taken = try allocateZeroedHoldingLock()
        } catch {
            lock?.release()
            guard caches != nil else { throw error }
            let frame = try allocate()
            memory.zeroFrame(frame)
            return frame
        }
        lock?.release()
        if !taken.1 { memory.zeroFrame(taken.0) }
        return taken.0
    }

    /// Returns, to the pool, a frame whose bytes the caller has made all
    /// zero (a page table's emptied table page); refused as `free` refuses.
    public mutating func freeZeroed(_ frame: FrameNumber) throws(FrameError) {
        lock?.acquire()
        defer { lock?.release() }
        try freeZeroedHoldingLock(frame)
    }

    // MARK: Runs of calls under one taking of the lock

    /// Takes the lock for a run of `...HoldingLock` calls (a page table
    /// sharing or freeing a whole table of pages), which must be given back
    /// with `releaseLock`; nothing else may be called meanwhile. These work
    /// on the pool alone, never on a CPU's cache.
    mutating func acquireLock() { lock?.acquire() }
    mutating func releaseLock() { lock?.release() }

    /// `allocateZeroed` without the lock or the clearing: the frame, and
    /// true when it is known to be zero already.
    mutating func allocateZeroedHoldingLock() throws(FrameError) -> (FrameNumber, Bool) {
        while zeroStackCount > 0 {
            zeroStackCount -= 1
            let index = UInt64(zeroStack[zeroStackCount])
            if test(zeroBits, index) && test(freeBits, index) {
                take(index)
                extraUsers[Int(index)] = 0
                return (FrameNumber(firstFrame + index), true)
            }
        }
        return (try allocateHoldingLock(), false)
    }

    mutating func freeZeroedHoldingLock(_ frame: FrameNumber) throws(FrameError) {
        try freeUnlocked(frame)
        let index = frame.value - firstFrame
        set(zeroBits, index, true)
        if zeroStackCount < Self.zeroStackCapacity {
            zeroStack[zeroStackCount] = UInt32(truncatingIfNeeded: index)
            zeroStackCount += 1
        }
    }

    mutating func allocateHoldingLock() throws(FrameError) -> FrameNumber {
        let frame = try allocateUnlocked()
        extraUsers[Int(frame.value - firstFrame)] = 0
        return frame
    }

    @inline(__always)
    mutating func retainHoldingLock(_ frame: FrameNumber) throws(FrameError) {
        let index = try allocatedIndex(frame)
        guard extraUsers[index] < Self.cachedMark - 1 else { throw .tooManyReferences(frame) }
        extraUsers[index] += 1
    }

    @inline(__always)
    mutating func releaseHoldingLock(_ frame: FrameNumber) throws(FrameError) -> Bool {
        let index = try allocatedIndex(frame)
        if extraUsers[index] > 0 {
            extraUsers[index] -= 1
            return false
        }
        set(freeBits, UInt64(index), true)
        poolFrames += 1
        return true
    }

    mutating func freeHoldingLock(_ frame: FrameNumber) throws(FrameError) {
        try freeUnlocked(frame)
    }

    /// A frame from this CPU's cache, refilled from the pool when empty;
    /// nil when both are empty.
    private mutating func takeCached(_ caches: FrameCacheAccess) -> FrameNumber? {
        let index = caches.enterOwnCache()
        defer { caches.leaveOwnCache(index) }
        let cache = caches.caches + index
        if cache.pointee.count == 0 { refill(cache) }
        guard let frame = cache.pointee.pop() else { return nil }
        extraUsers[Int(frame.value - firstFrame)] = 0
        return frame
    }

    /// Empties every CPU's cache into the pool, one cache at a time under
    /// its lock (so no CPU ever holds two cache locks: two CPUs reclaiming
    /// at once cannot wait for each other). Frames freed meanwhile go back
    /// into their CPU's cache and stay counted as free.
    private mutating func reclaimCaches(_ caches: FrameCacheAccess) {
        for index in 0..<caches.count {
            caches.lockCache(index)
            let cache = caches.caches + index
            drain(cache, count: cache.pointee.count)
            caches.unlockCache(index)
        }
    }

    /// Moves up to a batch of frames from the pool into `cache` (empty).
    private mutating func refill(_ cache: UnsafeMutablePointer<FrameCache>) {
        lock?.acquire()
        defer { lock?.release() }
        for _ in 0..<FrameCache.transferBatch {
            guard let frame = try? allocateUnlocked() else { break }
            extraUsers[Int(frame.value - firstFrame)] = Self.cachedMark
            cache.pointee.push(frame)
        }
    }

    /// Moves `count` frames (at most what it holds) from `cache` to the pool.
    private mutating func drain(_ cache: UnsafeMutablePointer<FrameCache>, count: Int) {
        lock?.acquire()
        defer { lock?.release() }
        for _ in 0..<count {
            guard let frame = cache.pointee.pop() else { break }
            let index = frame.value - firstFrame
            extraUsers[Int(index)] = 0
            set(freeBits, index, true)
            poolFrames += 1
        }
    }

    /// Puts `frame`, owned by the caller alone and already checked, into
    /// this CPU's cache, draining half of a full cache to the pool first.
    private mutating func cache(_ frame: FrameNumber, _ caches: FrameCacheAccess) {
        let index = caches.enterOwnCache()
        defer { caches.leaveOwnCache(index) }
        let cache = caches.caches + index
        if cache.pointee.isFull { drain(cache, count: FrameCache.transferBatch) }
        extraUsers[Int(frame.value - firstFrame)] = Self.cachedMark
        cache.pointee.push(frame)
    }

    private mutating func allocateUnlocked() throws(FrameError) -> FrameNumber {
        guard poolFrames > 0 else { throw .outOfMemory }
        var index = searchHint
        for _ in 0..<frameCount {
            if index >= frameCount { index = 0 }
            // Skip whole words with no free frame.
            if index & 63 == 0 && freeBits[Int(index >> 6)] == 0 {
                index += 64
                continue
            }
            if test(freeBits, index) {
                take(index)
                searchHint = index + 1
                return FrameNumber(firstFrame + index)
            }
            index += 1
        }
        throw .outOfMemory
    }

    /// `count` physically contiguous free frames whose first frame number is a
    /// multiple of `alignment` (in frames, a power of two), or `.outOfMemory`.
    /// A single frame comes from this CPU's cache like `allocate`'s; a run
    /// that the pool cannot give is tried once more after every CPU's cache
    /// went back to the pool.
    public mutating func allocateContiguous(count: UInt64, alignment: UInt64 = 1) throws(FrameError) -> FrameNumber {
        guard count > 0, alignment > 0, alignment & (alignment - 1) == 0 else { throw .invalidRange }
        // One frame is the common case (fork copies 4 KiB pages this way):
        // take it from the cache or the hinted search, not from a scan from
        // the bottom, which made a fork with nearly all memory in use quadratic.
        if count == 1 && alignment == 1 { return try allocate() }
        do {
            return try allocateRun(count: count, alignment: alignment)
        } catch {
            guard let caches else { throw error }
            reclaimCaches(caches)
            return try allocateRun(count: count, alignment: alignment)
        }
    }

    private mutating func allocateRun(count: UInt64, alignment: UInt64) throws(FrameError) -> FrameNumber {
        lock?.acquire()
        defer { lock?.release() }
        guard count <= poolFrames else { throw .outOfMemory }
        // Candidate starts are aligned absolute frame numbers.
        var start = (firstFrame + alignment - 1) & ~(alignment - 1)
        while start + count <= firstFrame + frameCount {
            let index = start - firstFrame
            // A run may not cross the barrier: try again from it.
            if index < runBarrier && index + count > runBarrier {
                start = (firstFrame + runBarrier + alignment - 1) & ~(alignment - 1)
                continue
            }
            // A word with no free frame can neither start nor hold a run: skip it whole.
            if freeBits[Int(index >> 6)] == 0 {
                let next = firstFrame + (index | 63) + 1
                start = (next + alignment - 1) & ~(alignment - 1)
                continue
            }
            var run: UInt64 = 0
            while run < count && test(freeBits, start - firstFrame + run) { run += 1 }
            if run == count {
                for i in 0..<count { take(start - firstFrame + i) }
                return FrameNumber(start)
            }
            // Restart past the frame that broke the run, at the next aligned start.
            let broken = start + run + 1
            start = (broken + alignment - 1) & ~(alignment - 1)
        }
        throw .outOfMemory
    }

    /// Returns one frame (to this CPU's cache when there are caches).
    /// Refuses frames it never owned, frames already free (cached ones
    /// too) and frames other pages still map.
    public mutating func free(_ frame: FrameNumber) throws(FrameError) {
        if let caches {
            // The frame's bits and count are the caller's to read: it owns the frame.
            try checkFreeable(frame)
            cache(frame, caches)
            return
        }
        lock?.acquire()
        defer { lock?.release() }
        try freeUnlocked(frame)
    }

    @inline(__always)
    private mutating func freeUnlocked(_ frame: FrameNumber) throws(FrameError) {
        try checkFreeable(frame)
        set(freeBits, frame.value - firstFrame, true)
        poolFrames += 1
    }

    /// Throws unless `frame` is managed here, allocated and has one user.
    @inline(__always)
    private mutating func checkFreeable(_ frame: FrameNumber) throws(FrameError) {
        let index = try allocatedIndex(frame)
        guard extraUsers[index] == 0 else { throw .stillShared(frame) }
    }

    /// Adds a user to an allocated frame (one more page maps it).
    public mutating func retain(_ frame: FrameNumber) throws(FrameError) {
        lock?.acquire()
        defer { lock?.release() }
        try retainHoldingLock(frame)
    }

    /// Drops a user of an allocated frame; the last user's release frees it.
    /// Returns true when the frame went back to the free frames.
    ///
    /// With caches, a frame whose count says one user goes to this CPU's
    /// cache without the lock: that user is the caller, and only a page
    /// that maps the frame can add another (fork retains the pages of the
    /// space it copies, never those of a space being torn down).
    @discardableResult
    public mutating func release(_ frame: FrameNumber) throws(FrameError) -> Bool {
        if let caches, try sharedCount(allocatedIndex(frame)) == 0 {
            cache(frame, caches)
            return true
        }
        lock?.acquire()
        defer { lock?.release() }
        return try releaseHoldingLock(frame)
    }

    /// The users of `frame` beyond the first, read with acquire ordering:
    /// a count another CPU lowered under the lock (its last write to the
    /// page before) is seen before the caller reuses the frame.
    @inline(__always)
    private func sharedCount(_ index: Int) -> UInt16 {
        let slot = UnsafeMutableRawPointer(extraUsers + index)
        return slot.assumingMemoryBound(to: Atomic<UInt16>.self).pointee.load(ordering: .acquiring)
    }

    /// How many users an allocated frame has (1 when unshared); 0 for a
    /// free frame or one this allocator does not manage.
    @inline(__always)
    public func users(of frame: FrameNumber) -> UInt64 {
        lock?.acquire()
        defer { lock?.release() }
        guard let index = try? allocatedIndex(frame) else { return 0 }
        return 1 + UInt64(extraUsers[index])
    }

    /// The index of `frame` if it is managed here and allocated. (Inlined:
    /// a call from a mutating method copied the whole allocator onto the
    /// stack to pass it.)
    @inline(__always)
    private func allocatedIndex(_ frame: FrameNumber) throws(FrameError) -> Int {
        guard frame.value >= firstFrame, frame.value - firstFrame < frameCount,
            test(managedBits, frame.value - firstFrame)
        else { throw .foreignFrame(frame) }
        let index = frame.value - firstFrame
        guard !test(freeBits, index), extraUsers[Int(index)] != Self.cachedMark else { throw .doubleFree(frame) }
        return Int(index)
    }

    /// Returns `count` frames starting at `first`, as from `allocateContiguous`,
    /// to the pool (a run is not worth splitting over a cache).
    /// Checks every frame before freeing any, so a bad call changes nothing.
    public mutating func freeContiguous(_ first: FrameNumber, count: UInt64) throws(FrameError) {
        lock?.acquire()
        defer { lock?.release() }
        for i in 0..<count { try checkFreeable(FrameNumber(first.value + i)) }
        for i in 0..<count { try freeUnlocked(FrameNumber(first.value + i)) }
    }

    /// True when `frame` belongs to this allocator and is currently free
    /// (in the pool or in a CPU's cache).
    public func isFree(_ frame: FrameNumber) -> Bool {
        lock?.acquire()
        defer { lock?.release() }
        guard frame.value >= firstFrame, frame.value - firstFrame < frameCount else { return false }
        let index = frame.value - firstFrame
        return test(freeBits, index) || (test(managedBits, index) && extraUsers[Int(index)] == Self.cachedMark)
    }

    /// Every allocation from the pool comes here: the frame stops being
    /// free, and so stops being known zero (its new owner writes it).
    @inline(__always)
    private mutating func take(_ index: UInt64) {
        set(freeBits, index, false)
        set(zeroBits, index, false)
        poolFrames -= 1
    }

    @inline(__always)
    private func test(_ bits: UnsafeMutablePointer<UInt64>, _ index: UInt64) -> Bool {
        bits[Int(index >> 6)] & (1 << (index & 63)) != 0
    }

    @inline(__always)
    private func set(_ bits: UnsafeMutablePointer<UInt64>, _ index: UInt64, _ value: Bool) {
        if value {
            bits[Int(index >> 6)] |= 1 << (index & 63)
        } else {
            bits[Int(index >> 6)] &= ~(1 << (index & 63))
        }
    }
}

/// The lock a `FrameAllocator` takes around each call: two C functions the
/// owner supplies (the kernel: taking and giving back its spinlock). Plain
/// function pointers, so the Embedded kernel needs no closure context.
public struct FrameAllocatorLock: Sendable {
    public let acquire: @convention(c) () -> Void
    public let release: @convention(c) () -> Void

    public init(acquire: @convention(c) () -> Void, release: @convention(c) () -> Void) {
        self.acquire = acquire
        self.release = release
    }
}
