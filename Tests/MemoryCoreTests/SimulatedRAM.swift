import MemoryCore

/// A host buffer that plays the part of physical RAM at `base`, with a frame
/// allocator over it, so the core runs in tests exactly as in the kernel.
/// A class only so that the frame allocator has a stable address for the
/// owners that point back at it; the core itself never uses classes.
final class SimulatedRAM {
    let base: PhysicalAddress
    let bytes: UInt64
    let buffer: UnsafeMutableRawPointer
    let memory: DirectMappedMemory
    let bitmap: UnsafeMutableRawPointer
    /// The allocator lives at a fixed address for the object's lifetime.
    let frames: UnsafeMutablePointer<FrameAllocator>

    /// `megabytes` of RAM at `base`, every frame free.
    init(base: UInt64 = 0x8000_0000, megabytes: UInt64 = 4) {
        self.base = PhysicalAddress(base)
        bytes = megabytes << 20
        buffer = UnsafeMutableRawPointer.allocate(byteCount: Int(bytes), alignment: 4096)
        buffer.initializeMemory(as: UInt8.self, repeating: 0xA5, count: Int(bytes))
        let window = PhysicalRange(start: PhysicalAddress(base), size: bytes)!
        memory = DirectMappedMemory(window: window, offset: UInt64(UInt(bitPattern: buffer)) &- base)
        let storage = FrameAllocator.storageBytes(for: window)
        bitmap = UnsafeMutableRawPointer.allocate(byteCount: Int(storage), alignment: 8)
        frames = UnsafeMutablePointer<FrameAllocator>.allocate(capacity: 1)
        frames.initialize(to: try! FrameAllocator(span: window, storage: bitmap, storageBytes: storage))
        try! frames.pointee.addRange(window)
    }

    deinit {
        frames.deinitialize(count: 1)
        frames.deallocate()
        bitmap.deallocate()
        buffer.deallocate()
    }

    var totalFrames: UInt64 { bytes / pageBytes }
    var freeFrames: UInt64 { frames.pointee.freeFrames }
    /// `#expect` cannot call a method on a ~Copyable value, so tests ask here.
    func isFree(_ frame: FrameNumber) -> Bool { frames.pointee.isFree(frame) }
}
