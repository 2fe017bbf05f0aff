import MemoryCore
import Testing

@Suite struct FramePairTests {
    @Test func lendsTwoDistinctFramesAndTakesBothBack() throws {
        let ram = SimulatedRAM(megabytes: 1)
        var lent: (FrameNumber, FrameNumber)? = nil
        let answer = FrameAllocator.withTwoFrames(from: ram.frames) { first, second in
            lent = (first, second)
            return ram.freeFrames == ram.totalFrames - 2
        }
        #expect(answer)
        let (first, second) = try #require(lent)
        #expect(first != second)
        #expect(ram.isFree(first) && ram.isFree(second))
        #expect(ram.freeFrames == ram.totalFrames)
        // The body's own answer comes back, and the frames go back with it.
        #expect(!FrameAllocator.withTwoFrames(from: ram.frames) { _, _ in false })
        #expect(ram.freeFrames == ram.totalFrames)
    }

    @Test func oneFreeFrameIsNotTakenForAPair() throws {
        let ram = SimulatedRAM(megabytes: 1)
        var taken: [FrameNumber] = []
        while ram.freeFrames > 1 { taken.append(try ram.frames.pointee.allocate()) }
        var ran = false
        #expect(
            !FrameAllocator.withTwoFrames(from: ram.frames) { _, _ in
                ran = true
                return true
            })
        #expect(!ran)
        // The one free frame is still free: the failed pair kept nothing.
        #expect(ram.freeFrames == 1)
        for frame in taken { try ram.frames.pointee.free(frame) }
        #expect(ram.freeFrames == ram.totalFrames)
    }
}
