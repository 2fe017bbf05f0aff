import MemoryCore
import PropertyBased
import Testing

/// The CPU the cache hooks report as running, and what the hooks saw. Only
/// this suite sets caches, and it runs its tests one at a time.
nonisolated(unsafe) private var runningCPU = 0
nonisolated(unsafe) private var cacheDepth = 0
nonisolated(unsafe) private var lockTaken = 0
nonisolated(unsafe) private var lockDepth = 0
/// Cache locks held now, the most ever held at once, and how often one was
/// taken while the allocator's lock was held (the wrong order).
nonisolated(unsafe) private var cacheLocksHeld = 0
nonisolated(unsafe) private var mostCacheLocksHeld = 0
nonisolated(unsafe) private var cacheLocksOutOfOrder = 0

/// Simulated RAM whose allocator has a counting lock and `cpus` caches.
private final class CachedRAM {
    let ram: SimulatedRAM
    let caches: UnsafeMutablePointer<FrameCache>
    let cpus: Int

    init(megabytes: UInt64 = 1, cpus: Int = 2) {
        ram = SimulatedRAM(megabytes: megabytes)
        self.cpus = cpus
        caches = UnsafeMutablePointer<FrameCache>.allocate(capacity: cpus)
        caches.initialize(repeating: FrameCache(), count: cpus)
        runningCPU = 0
        cacheDepth = 0
        lockTaken = 0
        lockDepth = 0
        cacheLocksHeld = 0
        mostCacheLocksHeld = 0
        cacheLocksOutOfOrder = 0
        ram.frames.pointee.lock = FrameAllocatorLock(
            acquire: {
                lockTaken += 1
                lockDepth += 1
            },
            release: { lockDepth -= 1 })
        ram.frames.pointee.caches = FrameCacheAccess(
            caches: caches, count: cpus,
            enter: {
                cacheDepth += 1
                return runningCPU
            },
            leave: { cacheDepth -= 1 },
            lockCache: { _ in
                if lockDepth > 0 { cacheLocksOutOfOrder += 1 }
                cacheLocksHeld += 1
                mostCacheLocksHeld = max(mostCacheLocksHeld, cacheLocksHeld)
            },
            unlockCache: { _ in cacheLocksHeld -= 1 })
    }

    deinit { caches.deallocate() }

    var frames: UnsafeMutablePointer<FrameAllocator> { ram.frames }
    func cached(_ cpu: Int) -> Int { caches[cpu].count }
    /// Every lock and every cache access was given back, no CPU held two
    /// cache locks at once, and none was taken under the allocator's lock.
    var balanced: Bool {
        lockDepth == 0 && cacheDepth == 0 && cacheLocksHeld == 0 && mostCacheLocksHeld <= 1 && cacheLocksOutOfOrder == 0
    }
}

@Suite(.serialized) struct FrameCacheTests {
    @Test func singleFramesComeFromTheCPUsCacheWithoutTheLock() throws {
        let ram = CachedRAM()
        let total = ram.ram.totalFrames
        let batch = FrameCache.transferBatch
        var held: [FrameNumber] = [try ram.frames.pointee.allocate()]
        // The first allocation refilled the cache with one locked batch.
        #expect(lockTaken == 1)
        #expect(ram.cached(0) == batch - 1)
        #expect(ram.ram.freeFrames == total - 1)
        for _ in 1..<batch { held.append(try ram.frames.pointee.allocate()) }
        #expect(lockTaken == 1)
        #expect(ram.cached(0) == 0)
        #expect(Set(held.map(\.value)).count == batch)
        #expect(ram.ram.freeFrames == total - UInt64(batch))
        for frame in held { try ram.frames.pointee.free(frame) }
        // They all fit in the cache: still no lock, and every one counts as free.
        #expect(lockTaken == 1)
        #expect(ram.cached(0) == batch)
        #expect(ram.ram.freeFrames == total)
        #expect(ram.frames.pointee.poolFrames == total - UInt64(batch))
        #expect(ram.balanced)
    }

    /// Zeroed frames (page tables, lazy pages) come from the pool, and from
    /// this CPU's cache once the pool is empty: every frame `freeFrames`
    /// counts can be had, as sbrk's promise needs.
    @Test func zeroedFramesComeFromTheCacheWhenThePoolIsEmpty() throws {
        let ram = CachedRAM()
        var held: [FrameNumber] = [try ram.frames.pointee.allocate()]
        while ram.frames.pointee.poolFrames > 0 { held.append(try ram.frames.pointee.allocateZeroed(ram.ram.memory)) }
        #expect(ram.cached(0) > 0)
        while ram.ram.freeFrames > 0 {
            let frame = try ram.frames.pointee.allocateZeroed(ram.ram.memory)
            let bytes = ram.ram.memory.pointer(to: frame.address, count: pageBytes)!
            #expect((0..<Int(pageBytes)).allSatisfy { bytes.load(fromByteOffset: $0, as: UInt8.self) == 0 })
            held.append(frame)
        }
        #expect(throws: FrameError.outOfMemory) { try ram.frames.pointee.allocateZeroed(ram.ram.memory) }
        for frame in held { try ram.frames.pointee.free(frame) }
        #expect(ram.ram.freeFrames == ram.ram.totalFrames)
        #expect(ram.balanced)
    }

    @Test func aFullCacheDrainsHalfToThePool() throws {
        let ram = CachedRAM()
        let total = ram.ram.totalFrames
        var held: [FrameNumber] = []
        for _ in 0..<40 { held.append(try ram.frames.pointee.allocate()) }
        #expect(lockTaken == 3)  // 16 + 16 + 16 frames: 8 left in the cache
        #expect(ram.cached(0) == 8)
        for frame in held { try ram.frames.pointee.free(frame) }
        // 24 frees filled the cache; the 25th drained 16 to the pool first.
        #expect(lockTaken == 4)
        #expect(ram.cached(0) == 32)
        #expect(ram.cached(0) <= FrameCache.capacity)
        #expect(ram.ram.freeFrames == total)
        #expect(ram.frames.pointee.poolFrames == total - 32)
        #expect(ram.balanced)
    }

    @Test func cachedFramesAreStillRefusedAsFree() throws {
        let ram = CachedRAM()
        let total = ram.ram.totalFrames
        let frame = try ram.frames.pointee.allocate()
        #expect(!ram.ram.isFree(frame))
        #expect(ram.frames.pointee.users(of: frame) == 1)
        try ram.frames.pointee.free(frame)
        #expect(ram.ram.isFree(frame))
        #expect(ram.frames.pointee.users(of: frame) == 0)
        #expect(throws: FrameError.doubleFree(frame)) { try ram.frames.pointee.free(frame) }
        #expect(throws: FrameError.doubleFree(frame)) { try ram.frames.pointee.retain(frame) }
        #expect(throws: FrameError.doubleFree(frame)) { try ram.frames.pointee.release(frame) }
        #expect(throws: FrameError.doubleFree(frame)) { try ram.frames.pointee.freeContiguous(frame, count: 1) }
        let foreign = FrameNumber(ram.ram.base.frame.value + total)
        #expect(throws: FrameError.foreignFrame(foreign)) { try ram.frames.pointee.free(foreign) }
        #expect(ram.ram.freeFrames == total)
        // The refused calls left the cache as it was.
        #expect(ram.cached(0) == FrameCache.transferBatch)
        #expect(ram.balanced)
    }

    @Test func sharedFramesKeepTheirCountsAndTheLastReleaseCaches() throws {
        let ram = CachedRAM()
        let total = ram.ram.totalFrames
        let frame = try ram.frames.pointee.allocate()
        try ram.frames.pointee.retain(frame)
        #expect(ram.frames.pointee.users(of: frame) == 2)
        #expect(throws: FrameError.stillShared(frame)) { try ram.frames.pointee.free(frame) }
        let cachedBefore = ram.cached(0)
        #expect(try ram.frames.pointee.release(frame) == false)
        #expect(ram.ram.freeFrames == total - 1)
        let locksBefore = lockTaken
        #expect(try ram.frames.pointee.release(frame) == true)
        // The last user's release went to the cache, without the lock.
        #expect(lockTaken == locksBefore)
        #expect(ram.cached(0) == cachedBefore + 1)
        #expect(ram.ram.freeFrames == total)
        // The next owner starts from one user again.
        let again = try ram.frames.pointee.allocate()
        #expect(again == frame)
        #expect(ram.frames.pointee.users(of: again) == 1)
        try ram.frames.pointee.free(again)
        #expect(ram.balanced)
    }

    @Test func eachCPUHasItsOwnCache() throws {
        let ram = CachedRAM()
        let total = ram.ram.totalFrames
        let first = try ram.frames.pointee.allocate()
        try ram.frames.pointee.free(first)
        runningCPU = 1
        let second = try ram.frames.pointee.allocate()
        #expect(second != first)
        #expect(lockTaken == 2)
        #expect(ram.cached(1) == FrameCache.transferBatch - 1)
        #expect(ram.ram.freeFrames == total - 1)
        try ram.frames.pointee.free(second)
        #expect(ram.cached(1) == FrameCache.transferBatch)
        runningCPU = 0
        // Last in, first out: CPU 0 gets back the frame it freed.
        #expect(try ram.frames.pointee.allocate() == first)
        try ram.frames.pointee.free(first)
        #expect(ram.ram.freeFrames == total)
        #expect(ram.balanced)
    }

    /// A CPU whose cache and the pool are empty takes back the frames other
    /// CPUs' caches hold: it runs out only when no frame is free anywhere,
    /// and the free count stays exact throughout.
    @Test func otherCPUsCachedFramesAreReclaimedWhenThePoolIsEmpty() throws {
        let ram = CachedRAM(cpus: 3)
        let total = ram.ram.totalFrames
        for cpu in 1...2 {
            runningCPU = cpu
            try ram.frames.pointee.free(try ram.frames.pointee.allocate())
            #expect(ram.cached(cpu) == FrameCache.transferBatch)
        }
        runningCPU = 0
        var held: [FrameNumber] = []
        while let frame = try? ram.frames.pointee.allocate() {
            held.append(frame)
            #expect(ram.ram.freeFrames == total - UInt64(held.count))
        }
        #expect(UInt64(held.count) == total)
        #expect(Set(held.map(\.value)).count == held.count)
        #expect(ram.cached(1) == 0 && ram.cached(2) == 0)
        #expect(ram.ram.freeFrames == 0)
        #expect(throws: FrameError.outOfMemory) { try ram.frames.pointee.allocate() }
        for frame in held { try ram.frames.pointee.free(frame) }
        #expect(ram.ram.freeFrames == total)
        #expect(mostCacheLocksHeld == 1)
        #expect(ram.balanced)
    }

    /// A run is searched in the pool; every CPU's cached frames go back
    /// there first when the pool alone cannot give it.
    @Test func runsTakeBackTheCallersCache() throws {
        let ram = CachedRAM()
        let total = ram.ram.totalFrames
        var held: [FrameNumber] = []
        while let frame = try? ram.frames.pointee.allocate() { held.append(frame) }
        #expect(UInt64(held.count) == total)
        for (index, frame) in held.enumerated() {
            runningCPU = index % 2
            try ram.frames.pointee.free(frame)
        }
        runningCPU = 0
        #expect(ram.cached(0) > 0 && ram.cached(1) > 0)
        let run = try ram.frames.pointee.allocateContiguous(count: total)
        #expect(run == ram.ram.base.frame)
        #expect(ram.cached(0) == 0 && ram.cached(1) == 0)
        #expect(ram.ram.freeFrames == 0)
        try ram.frames.pointee.freeContiguous(run, count: total)
        #expect(ram.ram.freeFrames == total)
        #expect(ram.balanced)
    }

    /// Random allocations, frees, shares and runs on two CPUs: no frame is
    /// handed out twice, the free count is always exact, and everything
    /// comes back.
    @Test func randomWorkOnTwoCPUsKeepsCountsExact() async {
        await propertyCheck(count: 60, input: Gen.int(in: 0...1000).array(of: 1...300)) { script in
            let ram = CachedRAM()
            let total = ram.ram.totalFrames
            var held: [FrameNumber] = []  // one entry per user
            var runs: [(FrameNumber, UInt64)] = []
            for step in script {
                switch step % 9 {
                case 0: runningCPU = 1 - runningCPU
                case 1, 2:
                    if !held.isEmpty { _ = try? ram.frames.pointee.release(held.remove(at: step % held.count)) }
                case 3:
                    if !held.isEmpty, (try? ram.frames.pointee.retain(held[step % held.count])) != nil {
                        held.append(held[step % held.count])
                    }
                case 4:
                    let count = UInt64(step % 4 + 1)
                    if let run = try? ram.frames.pointee.allocateContiguous(count: count, alignment: 4) {
                        #expect(run.value % 4 == 0)
                        runs.append((run, count))
                    }
                case 5:
                    if !runs.isEmpty {
                        let (run, count) = runs.remove(at: step % runs.count)
                        #expect((try? ram.frames.pointee.freeContiguous(run, count: count)) != nil)
                    }
                default:
                    if let frame = try? ram.frames.pointee.allocate() { held.append(frame) }
                }
                let distinct = Set(held.map(\.value))
                let inRuns = runs.reduce(UInt64(0)) { $0 + $1.1 }
                for (run, count) in runs {
                    for i in 0..<count { #expect(!distinct.contains(run.value + i)) }
                }
                #expect(ram.ram.freeFrames + UInt64(distinct.count) + inRuns == total)
            }
            for frame in held { #expect((try? ram.frames.pointee.release(frame)) != nil) }
            for (run, count) in runs { #expect((try? ram.frames.pointee.freeContiguous(run, count: count)) != nil) }
            #expect(ram.ram.freeFrames == total)
            #expect(ram.cached(0) <= FrameCache.capacity && ram.cached(1) <= FrameCache.capacity)
            #expect(ram.balanced)
        }
    }

    /// `hasFreeFrames` answers `count <= freeFrames` when the pool alone
    /// falls short and the other CPUs' caches make up the difference, and a
    /// page table's map counts the cached frames too: mapping pages that
    /// only the caches can give succeeds (each reclaimed as needed), one
    /// page more than every free frame is refused, changing nothing.
    @Test func freeFrameChecksCountTheCachesWhenThePoolFallsShort() throws {
        let ram = CachedRAM(megabytes: 1, cpus: 2)
        // CPU 1 takes one batch into its cache and hands all but one back there.
        runningCPU = 1
        let lent = try ram.frames.pointee.allocate()
        runningCPU = 0
        let cachedElsewhere = UInt64(ram.cached(1))
        #expect(cachedElsewhere == UInt64(FrameCache.transferBatch - 1))
        let pool = ram.frames.pointee.poolFrames
        let free = ram.ram.freeFrames
        #expect(free == pool + cachedElsewhere)
        let answers = [pool, pool + 1, free, free + 1].map { ram.frames.pointee.hasFreeFrames($0) }
        #expect(answers == [true, true, true, false])
        // A space whose pages need the other CPU's cached frames: every
        // free frame but one page table's worth mapped, then one too many.
        var space = try AddressSpace<Sv39, DirectMappedMemory>(
            memory: ram.ram.memory, frames: ram.frames,
            userWindow: UserWindow(VirtualRange(start: VirtualAddress(0), size: 1 << 30)!))
        let room = ram.ram.freeFrames
        #expect(room > pool - 2)
        let tooMany = VirtualRange(start: VirtualAddress(0), size: room * pageBytes)!
        #expect(throws: MapError.outOfMemory) { try space.mapUserPages(tooMany, permissions: .readWrite) }
        #expect(ram.ram.freeFrames == room)
        // Two tables (levels 1 and 0) below the root, and the rest pages.
        let fits = VirtualRange(start: VirtualAddress(0), size: (room - 2) * pageBytes)!
        #expect(room - 2 > pool)
        try space.mapUserPages(fits, permissions: .readWrite)
        #expect(ram.ram.freeFrames == 0)
        _ = consume space
        try ram.frames.pointee.free(lent)
        #expect(ram.ram.freeFrames == ram.ram.totalFrames)
        #expect(ram.balanced)
    }
}
