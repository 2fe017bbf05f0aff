/// The kernel's physical frame allocator: it owns every frame of RAM after
/// the kernel image. Its bitmap takes the first frames of that RAM, so no
/// fixed-size static buffer limits how much RAM it can manage.
enum PhysicalFrames {
    nonisolated(unsafe) static var allocator: FrameAllocator? = nil
    /// The frames that hold the allocator's own bitmap.
    nonisolated(unsafe) private(set) static var bitmap: PhysicalRange? = nil

    static func initialize() {
        let free = Platform.freeMemory
        let storageBytes = FrameAllocator.storageBytes(for: free)
        guard let storage = Platform.physicalMemory.pointer(to: free.start, count: storageBytes),
              let bitmapEnd = free.start.adding(storageBytes)?.alignedUp(),
              let bitmapRange = PhysicalRange(start: free.start, end: bitmapEnd),
              let managed = PhysicalRange(start: bitmapEnd, end: free.end)
        else { kernelPanic("free memory is too small for the frame allocator's bitmap") }
        do {
            var frames = try FrameAllocator(span: free, storage: storage, storageBytes: storageBytes)
            try frames.addRange(managed)
            allocator = consume frames
            bitmap = bitmapRange
        } catch {
            kernelPanic("cannot set up the frame allocator")
        }
    }

    static var freeFrames: UInt64 {
        switch allocator {
        case .some(let frames): return frames.freeFrames
        case .none: return 0
        }
    }
}
