/// A pipe: a ring buffer from the kernel heap between a writing end and a
/// reading end. Readers sleep while it is empty and writers while it is
/// full; closing the last writer gives readers end-of-file, closing the last
/// reader makes writes fail.
struct Pipe {
    static let capacity = 512

    var buffer: UnsafeMutablePointer<UInt8>? = nil
    /// Total bytes ever read and written; their difference is the fill level.
    var readCount: UInt64 = 0
    var writeCount: UInt64 = 0
    var readOpen = false
    var writeOpen = false
    /// Processes asleep in `Pipes.read` (waiting for bytes) and in
    /// `Pipes.write` (waiting for room), counted under the pipe's lock
    /// before they sleep: a change wakes the other side only when someone
    /// waits there, so a round trip with nobody waiting pays no wakeup.
    var readersWaiting = 0
    var writersWaiting = 0

    var isFree: Bool { !readOpen && !writeOpen }
    var isEmpty: Bool { readCount == writeCount }
    var isFull: Bool { writeCount - readCount == UInt64(Pipe.capacity) }
    var filled: Int { Int(writeCount - readCount) }
}

/// Every pipe in the system has a slot in this fixed table; its buffer
/// comes from the kernel heap. Running out of either is an ordinary error
/// (pipe() returns -1), not a kernel failure.
///
/// Locking: pipe `i`'s fields are guarded by its spinlock, `lock(i)`
/// ("pipe"), which readers and writers hold across their test and hand to
/// `sleep(on:releasing:)`; the copies between user memory and the ring run
/// under it too (they never sleep). Wakeups come after the change, under or
/// after the lock: a sleeper that tested before the change is asleep by
/// then. A sleeper counts itself (`readersWaiting`, `writersWaiting`) under
/// the lock before it sleeps, and the changer reads the count under the
/// lock, so a zero count means no one can be asleep on that side.
enum Pipes {
    static let count = 16
    nonisolated(unsafe) static var table: InlineArray<16, Pipe> = .init(repeating: Pipe())
    nonisolated(unsafe) private static var locks: InlineArray<16, Spinlock> = .init(repeating: Spinlock("pipe"))

    /// Pipe `index`'s spinlock, by address (a global's storage does not move).
    static func lock(_ index: Int) -> UnsafeMutablePointer<Spinlock> {
        withUnsafeMutablePointer(to: &locks) { UnsafeMutableRawPointer($0).assumingMemoryBound(to: Spinlock.self) + index }
    }

    /// A fresh pipe with both ends open, or nil when no slot or no heap
    /// memory is left.
    static func allocate() -> Int? {
        for index in 0..<count {
            Spinlock.acquire(lock(index))
            guard table[index].isFree else {
                Spinlock.release(lock(index))
                continue
            }
            guard let memory = KernelHeapArea.allocate(bytes: Pipe.capacity) else {
                Spinlock.release(lock(index))
                return nil
            }
            table[index] = Pipe(
                buffer: memory.bindMemory(to: UInt8.self, capacity: Pipe.capacity),
                readCount: 0, writeCount: 0, readOpen: true, writeOpen: true)
            Spinlock.release(lock(index))
            return index
        }
        return nil
    }

    /// Sleep channel of a pipe's readers or writers.
    static func readChannel(_ index: Int) -> SleepChannel { SleepChannel(kind: .pipeRead, index: index) }
    static func writeChannel(_ index: Int) -> SleepChannel { SleepChannel(kind: .pipeWrite, index: index) }

    /// Closes one end; the buffer goes back to the heap once both are closed.
    static func close(_ index: Int, writing: Bool) {
        Spinlock.acquire(lock(index))
        if writing { table[index].writeOpen = false } else { table[index].readOpen = false }
        var unused: UnsafeMutablePointer<UInt8>? = nil
        if table[index].isFree {
            unused = table[index].buffer
            table[index] = Pipe()
        }
        Spinlock.release(lock(index))
        Scheduler.wakeup(writing ? readChannel(index) : writeChannel(index))
        if let unused { KernelHeapArea.free(UnsafeMutableRawPointer(unused)) }
    }

    /// Writes up to `count` bytes from user address `source`; returns bytes
    /// written or -1 (no reader left, bad address, or the writer was killed).
    /// Whatever ends the call, readers are woken once bytes went in: a
    /// sleeping reader must never be left asleep with bytes in the pipe.
    static func write(_ index: Int, from source: VirtualAddress, count: Int) -> Int {
        var written = 0
        let pipeLock = lock(index)
        Spinlock.acquire(pipeLock)
        defer {
            let wakeReaders = written > 0 && table[index].readersWaiting > 0
            Spinlock.release(pipeLock)
            if wakeReaders { Scheduler.wakeup(readChannel(index)) }
        }
        while written < count {
            guard table[index].readOpen, !Processes.currentIsKilled else { return written > 0 ? written : -1 }
            if table[index].isFull {
                if table[index].readersWaiting > 0 { Scheduler.wakeup(readChannel(index)) }
                table[index].writersWaiting += 1
                Scheduler.sleep(on: writeChannel(index), releasing: pipeLock)
                table[index].writersWaiting -= 1
                continue
            }
            // Straight into the ring, at most `chunkLimit` at a time (what a
            // bad source address costs is the chunk it falls in).
            let n = min(min(count - written, Pipe.capacity - table[index].filled), chunkLimit)
            guard let address = source.adding(UInt64(written)),
                copyRing(index, at: table[index].writeCount, count: n, user: address, toRing: true)
            else { return written > 0 ? written : -1 }
            table[index].writeCount += UInt64(n)
            written += n
        }
        return written
    }

    /// Reads up to `count` bytes into user address `destination`, waiting
    /// until at least one byte is there or every writer is gone (then 0).
    /// Bytes leave the pipe only once they are in the caller's buffer: a
    /// buffer that runs into bad memory gets the bytes delivered so far, or
    /// -1 with the pipe untouched. Writers are woken once bytes came out.
    static func read(_ index: Int, into destination: VirtualAddress, count: Int) -> Int {
        let pipeLock = lock(index)
        Spinlock.acquire(pipeLock)
        var done = 0
        defer {
            let wakeWriters = done > 0 && table[index].writersWaiting > 0
            Spinlock.release(pipeLock)
            if wakeWriters { Scheduler.wakeup(writeChannel(index)) }
        }
        while table[index].isEmpty && table[index].writeOpen {
            guard !Processes.currentIsKilled else { return -1 }
            table[index].readersWaiting += 1
            Scheduler.sleep(on: readChannel(index), releasing: pipeLock)
            table[index].readersWaiting -= 1
        }
        while done < count && !table[index].isEmpty {
            let n = min(min(count - done, chunkLimit), table[index].filled)
            guard let address = destination.adding(UInt64(done)),
                copyRing(index, at: table[index].readCount, count: n, user: address, toRing: false)
            else { return done > 0 ? done : -1 }
            table[index].readCount += UInt64(n)
            done += n
        }
        return done
    }

    /// The most bytes one user copy moves: a bad user address fails its
    /// own chunk, and the chunks before it stay done (a read delivers them).
    static let chunkLimit = KernelBuffer.size

    /// Copies `count` bytes between user address `user` and pipe `index`'s
    /// ring from byte number `position` on (the ring wraps: at most two
    /// pieces), with no bounce buffer; false when the user range is bad.
    /// The caller holds the pipe's lock and moves the count on after.
    private static func copyRing(_ index: Int, at position: UInt64, count: Int, user: VirtualAddress, toRing: Bool) -> Bool {
        let ring = UnsafeMutableRawPointer(table[index].buffer.unsafelyUnwrapped)
        let start = Int(position % UInt64(Pipe.capacity))
        let first = min(count, Pipe.capacity - start)
        guard copyPiece(UnsafeMutableRawBufferPointer(start: ring + start, count: first), user: user, toRing: toRing)
        else { return false }
        guard first < count else { return true }
        guard let rest = user.adding(UInt64(first)) else { return false }
        return copyPiece(UnsafeMutableRawBufferPointer(start: ring, count: count - first), user: rest, toRing: toRing)
    }

    private static func copyPiece(_ piece: UnsafeMutableRawBufferPointer, user: VirtualAddress, toRing: Bool) -> Bool {
        toRing ? UserMemory.copyIn(from: user, into: piece) : UserMemory.copyOut(to: user, from: UnsafeRawBufferPointer(piece))
    }
}
