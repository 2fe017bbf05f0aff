/// The kernel's physical frame allocator: it owns every frame of RAM after
/// the kernel image, and (x86-64) the RAM above the direct map once the
/// architecture has mapped it (`addHighRAM`). The allocator itself and its
/// bitmap live in the first frames of that RAM, so it sits at a fixed
/// address (page tables and address spaces keep a pointer to it) and no
/// static buffer limits how much RAM it can manage.
///
/// Locking: every allocator call takes `lock` ("frame allocator") through
/// the allocator's `FrameAllocatorLock` hook, whoever calls it (page tables
/// and address spaces in the memory core hold a pointer to the allocator),
/// except single frames taken from or given to the calling CPU's cache
/// (`caches`, once `startCaches` has run), which take no lock.
enum PhysicalFrames {
    nonisolated(unsafe) static var lock = Spinlock("frame allocator")
    static var allocatorLock: UnsafeMutablePointer<Spinlock> { withUnsafeMutablePointer(to: &lock) { $0 } }
    /// Set once by `initialize`, before anything allocates.
    nonisolated(unsafe) private static var storage: UnsafeMutablePointer<FrameAllocator>? = nil
    static var allocator: UnsafeMutablePointer<FrameAllocator> { storage.unsafelyUnwrapped }
    static var isReady: Bool { storage != nil }
    /// The frames that hold the allocator and its bitmap.
    nonisolated(unsafe) private(set) static var bitmap: PhysicalRange? = nil

    /// Frames free when the allocator was set up: all free RAM but the bitmap.
    nonisolated(unsafe) private(set) static var initialFreeFrames: UInt64 = 0

    /// RAM the kernel reaches through a window of its own, not through the
    /// direct map (x86-64: above 128 MiB), once given with `addHighRAM`.
    nonisolated(unsafe) private(set) static var highRAM: PhysicalRange? = nil

    /// Sets the allocator up once. x86-64's boot code calls it early (its
    /// kernel page table takes frames from here); kernelMain's call then
    /// finds it ready and does nothing.
    static func initialize() {
        guard !isReady else { return }
        let free = Platform.freeMemory
        let span = Platform.allocatorSpan
        let headerBytes = UInt64(MemoryLayout<FrameAllocator>.stride + 15) & ~15
        let storageBytes = FrameAllocator.storageBytes(for: span)
        guard let header = Platform.physicalMemory.pointer(to: free.start, count: headerBytes + storageBytes),
            let bookkeepingEnd = free.start.adding(headerBytes + storageBytes)?.alignedUp(),
            let bookkeeping = PhysicalRange(start: free.start, end: bookkeepingEnd),
            let managed = PhysicalRange(start: bookkeepingEnd, end: free.end)
        else { kernelPanic("free memory is too small for the frame allocator's bitmap") }
        do throws(FrameError) {
            var frames = try FrameAllocator(span: span, storage: header + Int(headerBytes), storageBytes: storageBytes)
            try frames.addRange(managed)
            frames.lock = FrameAllocatorLock(
                acquire: { Spinlock.acquire(PhysicalFrames.allocatorLock) },
                release: { Spinlock.release(PhysicalFrames.allocatorLock) })
            let placed = header.bindMemory(to: FrameAllocator.self, capacity: 1)
            placed.initialize(to: frames)
            storage = placed
            bitmap = bookkeeping
            initialFreeFrames = placed.pointee.freeFrames
        } catch {
            kernelPanic("cannot set up the frame allocator")
        }
    }

    /// Gives the allocator `range`, RAM above the direct map that the kernel
    /// now reaches through its own window (`Platform.physicalMemory` must
    /// already translate it). Its frames are handed out first: every page
    /// table and process page from here on uses the window, so the tests
    /// that run processes prove it works, and the direct-mapped frames stay
    /// for last. No contiguous run holds frames on both sides of its start,
    /// because no single pointer reaches such a run.
    static func addHighRAM(_ range: PhysicalRange) {
        guard isReady, highRAM == nil, Platform.allocatorSpan.contains(range),
            Platform.physicalMemory.pointer(to: range.start, count: range.size) != nil
        else { kernelPanic("high RAM outside the allocator's span, or not mapped") }
        do throws(FrameError) {
            try allocator.pointee.addRange(range)
            if range.start > Platform.allocatorSpan.start { try allocator.pointee.separateRuns(at: range.start.frame) }
            try allocator.pointee.startSearch(at: range.start.frame)
        } catch {
            kernelPanic("cannot give high RAM to the frame allocator")
        }
        highRAM = range
    }

    /// One cache of free frames per CPU, indexed by CPU id (`FrameCache`):
    /// only its own CPU touches one, with interrupts off
    /// (`CPUs.disableInterrupts` in the allocator's `enter` hook).
    nonisolated(unsafe) private static var caches: InlineArray<8, FrameCache> = .init(repeating: FrameCache())

    /// Turns the per-CPU caches on: from here single frames come from and
    /// go back to the calling CPU's cache. kernelMain calls it once, after
    /// `initialize`; the hooks need this CPU's record (`CPUs.start`).
    static func startCaches() {
        guard isReady, allocator.pointee.caches == nil, CPUs.started, caches.count == CPUs.capacity else {
            kernelPanic("frame caches started twice, too early, or not one per CPU")
        }
        let first = withUnsafeMutablePointer(to: &caches) { UnsafeMutableRawPointer($0).assumingMemoryBound(to: FrameCache.self) }
        allocator.pointee.caches = FrameCacheAccess(
            caches: first, count: CPUs.capacity,
            enter: {
                CPUs.disableInterrupts()
                return CPUs.this.pointee.id
            },
            leave: { CPUs.restoreInterrupts() })
    }

    /// Free frames, those in every CPU's cache included.
    static var freeFrames: UInt64 { isReady ? allocator.pointee.freeFrames : 0 }
}
