import MemoryCore
import PropertyBased
import Testing

@Suite struct FrameAllocatorTests {
    @Test func handsOutEveryFrameOnceThenRunsOut() throws {
        let ram = SimulatedRAM(megabytes: 1)
        var seen = Set<UInt64>()
        for _ in 0..<ram.totalFrames {
            let frame = try ram.frames.pointee.allocate()
            #expect(frame.address >= ram.base)
            #expect(seen.insert(frame.value).inserted)
        }
        #expect(ram.freeFrames == 0)
        #expect(throws: FrameError.outOfMemory) { try ram.frames.pointee.allocate() }
    }

    @Test func refusesDoubleFreeAndForeignFrames() throws {
        let ram = SimulatedRAM(megabytes: 1)
        let frame = try ram.frames.pointee.allocate()
        try ram.frames.pointee.free(frame)
        #expect(throws: FrameError.doubleFree(frame)) { try ram.frames.pointee.free(frame) }
        let foreign = FrameNumber(ram.base.frame.value + ram.totalFrames)
        #expect(throws: FrameError.foreignFrame(foreign)) { try ram.frames.pointee.free(foreign) }
        #expect(throws: FrameError.foreignFrame(FrameNumber(0))) { try ram.frames.pointee.free(FrameNumber(0)) }
        #expect(ram.freeFrames == ram.totalFrames)
    }

    @Test func framesOutsideGivenRangesAreForeign() throws {
        let bitmap = UnsafeMutableRawPointer.allocate(byteCount: 920, alignment: 8)
        defer { bitmap.deallocate() }
        let span = PhysicalRange(start: PhysicalAddress(0x10_0000), size: 64 * pageBytes)!
        // Three one-word bitmaps, a two-byte count per frame, the stack of
        // 64 frames known to be zero, and the page tables' word per frame.
        #expect(FrameAllocator.storageBytes(for: span) == 24 + 128 + 256 + 512)
        var frames = try FrameAllocator(span: span, storage: bitmap, storageBytes: 920)
        try frames.addRange(PhysicalRange(start: PhysicalAddress(0x10_0000 + 8 * pageBytes), size: 8 * pageBytes)!)
        #expect(frames.freeFrames == 8)
        let outside = FrameNumber(0x100)
        #expect(throws: FrameError.foreignFrame(outside)) { try frames.free(outside) }
        #expect(throws: FrameError.invalidRange) {
            try frames.addRange(PhysicalRange(start: PhysicalAddress(0x10_0800), size: pageBytes)!)
        }
        #expect(throws: FrameError.storageTooSmall(needed: 920)) {
            _ = try FrameAllocator(span: span, storage: bitmap, storageBytes: 8)
        }
    }

    @Test func sharedFramesFreeWithTheirLastUser() throws {
        let ram = SimulatedRAM(megabytes: 1)
        let frame = try ram.frames.pointee.allocate()
        #expect(ram.frames.pointee.users(of: frame) == 1)
        try ram.frames.pointee.retain(frame)
        try ram.frames.pointee.retain(frame)
        #expect(ram.frames.pointee.users(of: frame) == 3)
        // A frame with other users cannot be freed outright.
        #expect(throws: FrameError.stillShared(frame)) { try ram.frames.pointee.free(frame) }
        #expect(throws: FrameError.stillShared(frame)) { try ram.frames.pointee.freeContiguous(frame, count: 1) }
        #expect(try ram.frames.pointee.release(frame) == false)
        #expect(try ram.frames.pointee.release(frame) == false)
        #expect(ram.freeFrames == ram.totalFrames - 1)
        #expect(try ram.frames.pointee.release(frame) == true)
        #expect(ram.freeFrames == ram.totalFrames)
        #expect(ram.frames.pointee.users(of: frame) == 0)
        // Free and foreign frames can be neither retained nor released.
        #expect(throws: FrameError.doubleFree(frame)) { try ram.frames.pointee.retain(frame) }
        #expect(throws: FrameError.doubleFree(frame)) { try ram.frames.pointee.release(frame) }
        let foreign = FrameNumber(ram.base.frame.value + ram.totalFrames)
        #expect(throws: FrameError.foreignFrame(foreign)) { try ram.frames.pointee.retain(foreign) }
        // The count starts from one again for the frame's next owner.
        let again = try ram.frames.pointee.allocate()
        #expect(ram.frames.pointee.users(of: again) == 1)
        try ram.frames.pointee.free(again)
    }

    @Test func referenceCountsStopAtTheirLimit() throws {
        let ram = SimulatedRAM(megabytes: 1)
        let frame = try ram.frames.pointee.allocate()
        // The count's top value marks a frame in a CPU's cache (FrameCache).
        for _ in 0..<Int(UInt16.max - 1) { try ram.frames.pointee.retain(frame) }
        #expect(ram.frames.pointee.users(of: frame) == 65535)
        #expect(throws: FrameError.tooManyReferences(frame)) { try ram.frames.pointee.retain(frame) }
        for _ in 0..<Int(UInt16.max - 1) { #expect(try ram.frames.pointee.release(frame) == false) }
        #expect(try ram.frames.pointee.release(frame) == true)
        #expect(ram.freeFrames == ram.totalFrames)
    }

    @Test func contiguousRunsAreAlignedAndFree() throws {
        let ram = SimulatedRAM(megabytes: 4)
        // Fragment memory: take every third frame.
        var taken: [FrameNumber] = []
        for _ in 0..<30 { taken.append(try ram.frames.pointee.allocate()) }
        for (i, frame) in taken.enumerated() where i % 3 != 0 { try ram.frames.pointee.free(frame) }
        let run = try ram.frames.pointee.allocateContiguous(count: 512, alignment: 512)
        #expect(run.value % 512 == 0)
        for i in 0..<UInt64(512) { #expect(!ram.isFree(FrameNumber(run.value + i))) }
        for frame in taken where !ram.isFree(frame) {
            #expect(frame.value < run.value || frame.value >= run.value + 512)
        }
        #expect(throws: FrameError.outOfMemory) { try ram.frames.pointee.allocateContiguous(count: 1024, alignment: 512) }
        try ram.frames.pointee.freeContiguous(run, count: 512)
        #expect(throws: FrameError.doubleFree(run)) { try ram.frames.pointee.freeContiguous(run, count: 2) }
    }

    @Test func randomAllocateFreeKeepsCountExact() async {
        await propertyCheck(count: 100, input: Gen.int(in: 0...1000).array(of: 1...200)) { script in
            let ram = SimulatedRAM(megabytes: 1)
            var held: [FrameNumber] = []
            for step in script {
                if step % 3 == 0, !held.isEmpty {
                    try? ram.frames.pointee.free(held.remove(at: step % held.count))
                } else if step % 7 == 0 {
                    if let run = try? ram.frames.pointee.allocateContiguous(count: UInt64(step % 5 + 1), alignment: 4) {
                        #expect(run.value % 4 == 0)
                        for i in 0..<UInt64(step % 5 + 1) { held.append(FrameNumber(run.value + i)) }
                    }
                } else if let frame = try? ram.frames.pointee.allocate() {
                    held.append(frame)
                }
                #expect(Set(held.map(\.value)).count == held.count)
                #expect(ram.freeFrames + UInt64(held.count) == ram.totalFrames)
            }
            for frame in held { try? ram.frames.pointee.free(frame) }
            #expect(ram.freeFrames == ram.totalFrames)
        }
    }

    /// fork copies pages one frame at a time through allocateContiguous(count: 1):
    /// with almost everything taken, each must still find a free frame, and
    /// runs must be found past words with no free frame at all.
    @Test func singleFramesAndRunsWhenNearlyFull() throws {
        let ram = SimulatedRAM(megabytes: 4)
        var held: [FrameNumber] = []
        while let frame = try? ram.frames.pointee.allocate() { held.append(frame) }
        // Free a scattered handful, and one aligned run of 8 near the top.
        let scattered = [3, 200, 517, 900]
        for i in scattered { try ram.frames.pointee.free(held[i]) }
        let runStart = (held.count - 40) & ~7
        for i in runStart..<(runStart + 8) { try ram.frames.pointee.free(held[i]) }
        #expect(ram.freeFrames == UInt64(scattered.count + 8))
        let run = try ram.frames.pointee.allocateContiguous(count: 8, alignment: 8)
        #expect(run == held[runStart])
        var singles: Set<UInt64> = []
        for _ in scattered { singles.insert(try ram.frames.pointee.allocateContiguous(count: 1).value) }
        #expect(singles == Set(scattered.map { held[$0].value }))
        #expect(throws: FrameError.outOfMemory) { try ram.frames.pointee.allocateContiguous(count: 1) }
        try ram.frames.pointee.freeContiguous(run, count: 8)
        // A single frame that must be aligned still honours the alignment.
        let aligned = try ram.frames.pointee.allocateContiguous(count: 1, alignment: 8)
        #expect(aligned.value % 8 == 0)
    }
}
