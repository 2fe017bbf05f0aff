import MemoryCore
import Testing

/// What the lock hooks saw (only the test below sets a lock).
nonisolated(unsafe) private var heldDepth = 0
nonisolated(unsafe) private var takenCount = 0
nonisolated(unsafe) private var takenWhileHeld = false

@Suite struct FrameAllocatorLockTests {
    /// The kernel's spinlock panics when one CPU takes it twice: every call
    /// takes the allocator's lock exactly once (also where one public
    /// method uses another), and gives it back on every path, errors
    /// included.
    @Test func everyCallTakesTheLockOnceAndGivesItBack() throws {
        let ram = SimulatedRAM(megabytes: 1)
        ram.frames.pointee.lock = FrameAllocatorLock(
            acquire: {
                if heldDepth != 0 { takenWhileHeld = true }
                heldDepth += 1
                takenCount += 1
            },
            release: { heldDepth -= 1 })
        let frame = try ram.frames.pointee.allocate()
        try ram.frames.pointee.retain(frame)
        let users = ram.frames.pointee.users(of: frame)
        #expect(users == 2)
        #expect(throws: FrameError.stillShared(frame)) { try ram.frames.pointee.free(frame) }
        let freedWhileShared = try ram.frames.pointee.release(frame)
        #expect(!freedWhileShared)
        let freedByLastUser = try ram.frames.pointee.release(frame)
        #expect(freedByLastUser)
        let isFree = ram.frames.pointee.isFree(frame)
        #expect(isFree)
        #expect(throws: FrameError.doubleFree(frame)) { try ram.frames.pointee.free(frame) }
        let single = try ram.frames.pointee.allocateContiguous(count: 1)  // through allocate's search
        let run = try ram.frames.pointee.allocateContiguous(count: 4, alignment: 4)
        try ram.frames.pointee.freeContiguous(run, count: 4)  // through free, frame by frame
        try ram.frames.pointee.free(single)
        #expect(heldDepth == 0)
        #expect(!takenWhileHeld)
        #expect(takenCount == 12)
        #expect(ram.freeFrames == ram.totalFrames)
    }
}
