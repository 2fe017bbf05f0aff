/// One slot of the buffer cache.
///
/// Who touches what: `block`, `nextInBucket`, `references` and `lastUse`,
/// the sleep-lock word `locked` and `waiting` only under the `.bufferCache`
/// spinlock; `valid` and the slot's bytes only by the holder of the slot's
/// sleep lock.
struct BufferSlot {
    var block = BlockNumber(0)
    /// The next slot whose `block` falls in the same bucket, -1 at the end.
    var nextInBucket: Int32 = -1
    var references = 0
    var lastUse: UInt64 = 0
    var locked = false
    /// Someone sleeps on this slot's sleep lock: the unlock wakes them.
    /// Set by each sleeper before it sleeps, cleared by the wakeup, so an
    /// uncontended unlock skips the scheduler.
    var waiting = false
    var valid = false
}

/// Bookkeeping shared by all slots (under the `.bufferCache` spinlock).
/// The bucket table is reached from here, not from `BufferCache` itself:
/// the cache is a field of every volume value, which the kernel copies onto
/// its stack, so each byte it gains costs stack on the deepest paths.
struct BufferCacheState {
    /// Ticks once per release, to order slots by last use.
    var clock: UInt64 = 0
    /// The first slot of each bucket's chain, -1 when empty (set by `init`).
    var buckets: UnsafeMutablePointer<Int32>? = nil
    /// The bucket count less one (a mask: the count is a power of two).
    var bucketMask = 0
    /// Someone sleeps on `anyBufferFreed` (every slot was referenced):
    /// the next slot to lose its last reference wakes them.
    var waitingForFree = false
}

/// A locked, referenced buffer: what `read` hands out and `release` takes
/// back. Copyable for simplicity; every path that reads a block releases it.
public struct CachedBlock: Equatable {
    let slot: Int
    public let block: BlockNumber
}

/// The buffer cache: a fixed number of block-sized buffers, each with a
/// reference count and a sleep lock; a block is in at most one buffer, and
/// an unreferenced buffer is reused least recently used first. All of its
/// memory comes from the owner (see `FileSystemVolume.memoryNeeded`).
///
/// A block is found through a hash of its number: every slot sits in the
/// chain of the bucket its `block` falls in (`buckets`, a power of two of
/// them, at least one per slot), so a lookup looks at a slot or two, not at
/// every slot. Only a miss, which reads the disk anyway, scans every slot
/// for the least recently used free one. The buckets (in `state`) are
/// under the `.bufferCache` spinlock, like `block`.
public struct BufferCache<Device: BlockDevice, Host: FileSystemHost> {
    let slots: UnsafeMutablePointer<BufferSlot>
    let state: UnsafeMutablePointer<BufferCacheState>
    let storage: UnsafeMutableRawPointer
    public let count: Int
    public let device: Device
    let host: Host

    /// Bytes of owner memory a cache of `count` buffers takes.
    static func memoryNeeded(buffers count: Int) -> Int {
        MemoryCarver.bytesNeeded(count, of: BufferSlot.self) + MemoryCarver.bytesNeeded(1, of: BufferCacheState.self)
            + MemoryCarver.bytesNeeded(bucketCount(buffers: count), of: Int32.self)
            + count * DiskFormat.blockSize + 64
    }

    /// The smallest power of two not below `count`.
    static func bucketCount(buffers count: Int) -> Int {
        var buckets = 1
        while buckets < count { buckets <<= 1 }
        return buckets
    }

    init?(buffers count: Int, carving memory: inout MemoryCarver, device: Device, host: Host) {
        let bucketCount = Self.bucketCount(buffers: count)
        guard count > 0, count <= Int(Int32.max), let slots = memory.takeZeroed(count, of: BufferSlot.self),
            let state = memory.takeZeroed(1, of: BufferCacheState.self),
            let buckets = memory.takeZeroed(bucketCount, of: Int32.self),
            let storage = memory.bytes(count * DiskFormat.blockSize, alignment: 64)
        else { return nil }
        self.slots = slots
        self.state = state
        state.pointee.buckets = buckets
        state.pointee.bucketMask = bucketCount - 1
        // Every slot starts on block 0: one chain, in slot order.
        for bucket in 0..<bucketCount { buckets[bucket] = -1 }
        for slot in 0..<count { slots[slot].nextInBucket = slot + 1 < count ? Int32(slot + 1) : -1 }
        buckets[0] = 0
        self.storage = storage
        self.count = count
        self.device = device
        self.host = host
    }

    /// The buffer's bytes; only its sleep-lock holder may use them.
    public func bytes(_ buffer: CachedBlock) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: storage + buffer.slot * DiskFormat.blockSize, count: DiskFormat.blockSize)
    }

    /// The buffer holding `block`, locked, with its contents read from the
    /// device if the cache did not have them.
    public func read(_ block: BlockNumber) throws(FileSystemError) -> CachedBlock {
        let buffer = try claimLocked(block)
        if !slots[buffer.slot].valid {
            do throws(BlockDeviceError) {
                try device.read(block, into: bytes(buffer))
            } catch {
                release(buffer)
                throw .ioError
            }
            slots[buffer.slot].valid = true
        }
        return buffer
    }

    /// The buffer for `block`, locked, without reading the device: for a
    /// caller that overwrites every byte before it releases the buffer.
    public func readForOverwrite(_ block: BlockNumber) throws(FileSystemError) -> CachedBlock {
        let buffer = try claimLocked(block)
        slots[buffer.slot].valid = true
        return buffer
    }

    /// Writes a locked buffer's bytes to its block on the device.
    public func write(_ buffer: CachedBlock) throws(FileSystemError) {
        do throws(BlockDeviceError) {
            try device.write(buffer.block, from: UnsafeRawBufferPointer(bytes(buffer)))
        } catch {
            throw .ioError
        }
    }

    /// Unlocks the buffer and drops the caller's reference, in one trip
    /// to the spinlock; the scheduler only when someone waits. Not
    /// inlined, like `claimLocked`: inlined into the file system's deepest
    /// calls, they grew those frames past the kernel stack's budget.
    @inline(never)
    public func release(_ buffer: CachedBlock) {
        host.acquire(.bufferCache)
        slots[buffer.slot].locked = false
        if slots[buffer.slot].waiting {
            slots[buffer.slot].waiting = false
            host.wakeup(channel(buffer.slot))
        }
        dropReference(buffer.slot)
        host.release(.bufferCache)
    }

    /// An extra reference that keeps the block in the cache (the log pins
    /// every block of a transaction until it is installed).
    func pin(_ buffer: CachedBlock) {
        host.acquire(.bufferCache)
        slots[buffer.slot].references += 1
        host.release(.bufferCache)
    }

    /// Drops a `pin`.
    func unpin(_ buffer: CachedBlock) {
        host.acquire(.bufferCache)
        dropReference(buffer.slot)
        host.release(.bufferCache)
    }

    /// Buffers nobody references (for tests and statistics).
    public var unreferencedBuffers: Int {
        host.acquire(.bufferCache)
        defer { host.release(.bufferCache) }
        var free = 0
        for i in 0..<count where slots[i].references == 0 { free += 1 }
        return free
    }

    // MARK: - Slots

    /// A referenced and locked slot for `block`: the one holding it, or
    /// the least recently used free slot, emptied for it; one trip to the
    /// spinlock when nobody else holds the slot. When every slot is
    /// referenced it waits while some slot is locked (its holder is using
    /// it and will release it); when none is, the rest are pinned by the
    /// open transaction, waiting could not end, and the call fails.
    @inline(never)
    private func claimLocked(_ block: BlockNumber) throws(FileSystemError) -> CachedBlock {
        host.acquire(.bufferCache)
        defer { host.release(.bufferCache) }
        while true {
            let buckets = state.pointee.buckets.unsafelyUnwrapped
            var i = Int(buckets[bucket(of: block)])
            while i >= 0 {
                if slots[i].block == block && (slots[i].valid || slots[i].references > 0) {
                    // The reference keeps the slot on this block while the
                    // lock's wait below gives up the spinlock.
                    slots[i].references += 1
                    while slots[i].locked {
                        slots[i].waiting = true
                        host.sleep(on: channel(i), releasing: .bufferCache)
                    }
                    slots[i].locked = true
                    return CachedBlock(slot: i, block: block)
                }
                i = Int(slots[i].nextInBucket)
            }
            var victim = -1
            var anyLocked = false
            for i in 0..<count {
                if slots[i].references == 0 && (victim < 0 || slots[i].lastUse < slots[victim].lastUse) {
                    victim = i
                }
                if slots[i].locked { anyLocked = true }
            }
            if victim >= 0 {
                // Unreferenced, so unlocked: nobody can be waiting on it.
                move(victim, to: block)
                slots[victim].valid = false
                slots[victim].references = 1
                slots[victim].locked = true
                return CachedBlock(slot: victim, block: block)
            }
            guard anyLocked else { throw .noFreeBuffers }
            state.pointee.waitingForFree = true
            host.sleep(on: Self.anyBufferFreed, releasing: .bufferCache)
        }
    }

    private func bucket(of block: BlockNumber) -> Int { Int(block.raw) & state.pointee.bucketMask }

    /// Gives `slot` to `block`, moving it to that block's bucket chain.
    /// Caller holds `.bufferCache`.
    private func move(_ slot: Int, to block: BlockNumber) {
        let buckets = state.pointee.buckets.unsafelyUnwrapped
        let old = bucket(of: slots[slot].block)
        if buckets[old] == Int32(slot) {
            buckets[old] = slots[slot].nextInBucket
        } else {
            var previous = Int(buckets[old])
            while slots[previous].nextInBucket != Int32(slot) { previous = Int(slots[previous].nextInBucket) }
            slots[previous].nextInBucket = slots[slot].nextInBucket
        }
        slots[slot].block = block
        let new = bucket(of: block)
        slots[slot].nextInBucket = buckets[new]
        buckets[new] = Int32(slot)
    }

    /// Where `claim` waits for some buffer to become unreferenced.
    static var anyBufferFreed: FileSystemChannel { FileSystemChannel(kind: .buffer, index: -1) }

    /// Caller holds `.bufferCache`.
    private func dropReference(_ slot: Int) {
        slots[slot].references -= 1
        if slots[slot].references == 0 {
            state.pointee.clock &+= 1
            slots[slot].lastUse = state.pointee.clock
            if state.pointee.waitingForFree {
                state.pointee.waitingForFree = false
                host.wakeup(Self.anyBufferFreed)
            }
        }
    }

    private func channel(_ slot: Int) -> FileSystemChannel { FileSystemChannel(kind: .buffer, index: slot) }
}
