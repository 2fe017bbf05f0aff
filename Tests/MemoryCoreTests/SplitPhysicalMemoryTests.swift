import MemoryCore
import PropertyBased
import Testing

/// Two host buffers that play low RAM (physical 0 up to the split, the
/// "direct map") and high RAM (from the split on, the "window"), in
/// separate allocations so that no pointer arithmetic leads from one to the
/// other, with one frame allocator over both, handing out high frames
/// first, as the x86-64 kernel sets it up.
private final class SplitRAM {
    static let split: UInt64 = 1 << 20
    static let highBytes: UInt64 = 2 << 20
    let lowBuffer: UnsafeMutableRawPointer
    let highBuffer: UnsafeMutableRawPointer
    let memory: SplitPhysicalMemory
    let bitmap: UnsafeMutableRawPointer
    let frames: UnsafeMutablePointer<FrameAllocator>

    var splitFrame: FrameNumber { PhysicalAddress(Self.split).frame }
    var lowRange: PhysicalRange { PhysicalRange(start: PhysicalAddress(0), size: Self.split)! }
    var highRange: PhysicalRange { PhysicalRange(start: PhysicalAddress(Self.split), size: Self.highBytes)! }

    init(separated: Bool = true, highFirst: Bool = true) {
        lowBuffer = UnsafeMutableRawPointer.allocate(byteCount: Int(Self.split), alignment: 4096)
        highBuffer = UnsafeMutableRawPointer.allocate(byteCount: Int(Self.highBytes), alignment: 4096)
        lowBuffer.initializeMemory(as: UInt8.self, repeating: 0xA5, count: Int(Self.split))
        highBuffer.initializeMemory(as: UInt8.self, repeating: 0x5A, count: Int(Self.highBytes))
        let low = PhysicalRange(start: PhysicalAddress(0), size: Self.split)!
        let high = PhysicalRange(start: PhysicalAddress(Self.split), size: Self.highBytes)!
        memory = SplitPhysicalMemory(
            low: DirectMappedMemory(window: low, at: VirtualAddress(UInt64(UInt(bitPattern: lowBuffer)))),
            high: DirectMappedMemory(window: high, at: VirtualAddress(UInt64(UInt(bitPattern: highBuffer)))))
        let span = PhysicalRange(start: low.start, end: high.end)!
        let storage = FrameAllocator.storageBytes(for: span)
        bitmap = UnsafeMutableRawPointer.allocate(byteCount: Int(storage), alignment: 8)
        frames = UnsafeMutablePointer<FrameAllocator>.allocate(capacity: 1)
        frames.initialize(to: try! FrameAllocator(span: span, storage: bitmap, storageBytes: storage))
        try! frames.pointee.addRange(low)
        try! frames.pointee.addRange(high)
        if separated { try! frames.pointee.separateRuns(at: high.start.frame) }
        if highFirst { try! frames.pointee.startSearch(at: high.start.frame) }
    }

    deinit {
        frames.deinitialize(count: 1)
        frames.deallocate()
        bitmap.deallocate()
        lowBuffer.deallocate()
        highBuffer.deallocate()
    }

    var totalFrames: UInt64 { (Self.split + Self.highBytes) / pageBytes }
    var freeFrames: UInt64 { frames.pointee.freeFrames }
    func isFree(_ frame: FrameNumber) -> Bool { frames.pointee.isFree(frame) }
}

private func pa(_ raw: UInt64) -> PhysicalAddress { PhysicalAddress(raw) }

@Suite struct SplitPhysicalMemoryTests {
    @Test func framesBelowTheSplitUseTheDirectMapAboveItTheWindow() {
        let ram = SplitRAM()
        let split = SplitRAM.split
        // Below: the low buffer at the same offset.
        #expect(ram.memory.pointer(to: pa(0x3000), count: pageBytes) == ram.lowBuffer + 0x3000)
        #expect(ram.memory.pointer(to: pa(split - pageBytes), count: pageBytes) == ram.lowBuffer + Int(split - pageBytes))
        // Above: the high buffer, offset from the split.
        #expect(ram.memory.pointer(to: pa(split), count: pageBytes) == ram.highBuffer)
        #expect(ram.memory.pointer(to: pa(split + 0x5008), count: 8) == ram.highBuffer + 0x5008)
        // A range across the split, or past the end of either, is refused.
        #expect(ram.memory.pointer(to: pa(split - 8), count: 16) == nil)
        #expect(ram.memory.pointer(to: pa(split - pageBytes), count: 2 * pageBytes) == nil)
        #expect(ram.memory.pointer(to: pa(split + SplitRAM.highBytes), count: 1) == nil)
        #expect(ram.memory.pointer(to: pa(split + SplitRAM.highBytes - 4), count: 8) == nil)
        #expect(ram.memory.pointer(to: pa(UInt64.max - 3), count: 8) == nil)
        // Without the window, only the direct map answers.
        let lowOnly = SplitPhysicalMemory(low: ram.memory.low)
        #expect(lowOnly.pointer(to: pa(0x3000), count: 8) == ram.lowBuffer + 0x3000)
        #expect(lowOnly.pointer(to: pa(split), count: 8) == nil)
    }

    @Test func storesThroughEitherWindowLandInTheRightBuffer() {
        let ram = SplitRAM()
        let lowFrame = FrameNumber(5)
        let highFrame = FrameNumber(ram.splitFrame.value + 7)
        ram.memory.zeroFrame(highFrame)
        ram.memory.store64(highFrame.address, 0x1122_3344_5566_7788)
        ram.memory.store64(lowFrame.address, 0x99AA_BBCC_DDEE_FF00)
        #expect(ram.highBuffer.load(fromByteOffset: 7 * Int(pageBytes), as: UInt64.self) == 0x1122_3344_5566_7788)
        #expect(ram.highBuffer.load(fromByteOffset: 7 * Int(pageBytes) + 8, as: UInt64.self) == 0)
        #expect(ram.lowBuffer.load(fromByteOffset: 5 * Int(pageBytes), as: UInt64.self) == 0x99AA_BBCC_DDEE_FF00)
        #expect(ram.memory.load64(highFrame.address) == 0x1122_3344_5566_7788)
    }

    /// Any range gets the pointer its window gives, or none if no window
    /// holds all of it.
    @Test func everyRangeResolvesInExactlyOneWindowOrNone() async {
        let ram = SplitRAM()
        let limit = SplitRAM.split + SplitRAM.highBytes
        await propertyCheck(count: 300, input: Gen.uint64(in: 0...(limit + 0x1000)), Gen.uint64(in: 1...0x3000)) {
            start, count in
            let pointer = ram.memory.pointer(to: pa(start), count: count)
            let end = start + count
            if end <= SplitRAM.split {
                #expect(pointer == ram.lowBuffer + Int(start))
            } else if start >= SplitRAM.split && end <= limit {
                #expect(pointer == ram.highBuffer + Int(start - SplitRAM.split))
            } else {
                #expect(pointer == nil)
            }
        }
    }

    @Test func highFramesAreHandedOutFirstThenLowOnes() throws {
        let ram = SplitRAM()
        let highFrames = SplitRAM.highBytes / pageBytes
        for _ in 0..<highFrames {
            let frame = try ram.frames.pointee.allocate()
            #expect(ram.highRange.contains(frame.address))
        }
        // The search wraps to low memory once the high frames are gone.
        let next = try ram.frames.pointee.allocate()
        #expect(ram.lowRange.contains(next.address))
        #expect(ram.freeFrames == ram.totalFrames - highFrames - 1)
        #expect(throws: FrameError.invalidRange) { try ram.frames.pointee.startSearch(at: FrameNumber(0x10_0000)) }
    }

    @Test func contiguousRunsNeverStraddleTheSplit() throws {
        for separated in [true, false] {
            let ram = SplitRAM(separated: separated)
            // Take everything, then free two frames either side of the split.
            while (try? ram.frames.pointee.allocate()) != nil {}
            let split = ram.splitFrame.value
            for value in (split - 2)..<(split + 2) { try ram.frames.pointee.free(FrameNumber(value)) }
            let four = try? ram.frames.pointee.allocateContiguous(count: 4)
            if separated {
                #expect(four == nil)
                // Two fit on either side.
                let low = try ram.frames.pointee.allocateContiguous(count: 2)
                let high = try ram.frames.pointee.allocateContiguous(count: 2)
                #expect(low.value == split - 2 && high.value == split)
                #expect(ram.memory.pointer(to: low.address, count: 2 * pageBytes) != nil)
                #expect(ram.memory.pointer(to: high.address, count: 2 * pageBytes) != nil)
            } else {
                // The control: without the split the run is found, and no
                // pointer reaches it.
                #expect(four?.value == split - 2)
                if let four { #expect(ram.memory.pointer(to: four.address, count: 4 * pageBytes) == nil) }
            }
        }
        let ram = SplitRAM()
        #expect(throws: FrameError.invalidRange) { try ram.frames.pointee.separateRuns(at: FrameNumber(0)) }
        #expect(throws: FrameError.invalidRange) { try ram.frames.pointee.separateRuns(at: FrameNumber(0x10_0000)) }
    }

    /// A process-style address space built from high frames: its tables and
    /// its pages lie above the split, and copies in and out go through the
    /// window.
    @Test func pageTablesAndUserPagesAboveTheSplitWork() throws {
        let ram = SplitRAM()
        let window = UserWindow(VirtualRange(start: VirtualAddress(0), end: VirtualAddress(0x8000_0000_0000))!)
        do {
            var space = try AddressSpace<X86_64FourLevel, SplitPhysicalMemory>(
                memory: ram.memory, frames: ram.frames, userWindow: window)
            #expect(space.rootAddress.raw >= SplitRAM.split)
            let pages = VirtualRange(start: VirtualAddress(0x40_0000), size: 4 * pageBytes)!
            try space.mapUserPages(pages, permissions: .readWrite)
            let message: [UInt8] = Array(0..<200).map { UInt8($0) }
            let target = VirtualAddress(0x40_0000 + pageBytes - 100)  // across two pages
            try message.withUnsafeBytes { try space.copyOut(to: target, from: $0) }
            var back = [UInt8](repeating: 0, count: 200)
            try back.withUnsafeMutableBytes { try space.copyIn(from: target, into: $0) }
            #expect(back == message)
            let translation = try require(space.translate(target))
            #expect(translation.physicalAddress.raw >= SplitRAM.split)
            // The bytes are in the high buffer, where the window puts that frame.
            let offset = Int(translation.physicalAddress.raw - SplitRAM.split)
            #expect(ram.highBuffer.load(fromByteOffset: offset, as: UInt8.self) == 0)
            #expect(ram.highBuffer.load(fromByteOffset: offset + 99, as: UInt8.self) == 99)
            #expect(ram.freeFrames < ram.totalFrames)
        }
        // Teardown walks the high tables and gives every frame back.
        #expect(ram.freeFrames == ram.totalFrames)
    }
}
