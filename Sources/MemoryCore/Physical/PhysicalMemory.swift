/// How the memory core reaches physical memory. Page tables, the frame
/// allocator's bitmap and copyin/copyout all go through this, never through a
/// raw pointer, so the host tests can run them on simulated RAM and the kernel
/// on its direct map.
public protocol PhysicalMemory {
    /// A pointer through which `count` bytes at `address` can be read and
    /// written, or nil if that range is not reachable.
    func pointer(to address: PhysicalAddress, count: UInt64) -> UnsafeMutableRawPointer?
}

extension PhysicalMemory {
    public func load64(_ address: PhysicalAddress) -> UInt64 {
        pointer(to: address, count: 8)!.load(as: UInt64.self)
    }

    public func store64(_ address: PhysicalAddress, _ value: UInt64) {
        pointer(to: address, count: 8)!.storeBytes(of: value, as: UInt64.self)
    }

    /// Fills one 4 KiB frame with zeros.
    public func zeroFrame(_ frame: FrameNumber) {
        pointer(to: frame.address, count: pageBytes)!.initializeMemory(as: UInt8.self, repeating: 0, count: Int(pageBytes))
    }
}

/// Physical memory reached through a window where physical address `p` is
/// visible at virtual address `p + offset`: the kernel's direct map (offset 0
/// on RISC-V, 0xFFFF_FFFF_8000_0000 on x86-64) or a host buffer that stands in
/// for RAM in the tests.
public struct DirectMappedMemory: PhysicalMemory {
    public let window: PhysicalRange
    /// Added (with wrapping) to a physical address to get the pointer to it.
    public let offset: UInt64

    public init(window: PhysicalRange, offset: UInt64) {
        self.window = window
        self.offset = offset
    }

    public func pointer(to address: PhysicalAddress, count: UInt64) -> UnsafeMutableRawPointer? {
        guard let range = PhysicalRange(start: address, size: count), window.contains(range) else { return nil }
        return UnsafeMutableRawPointer(bitPattern: UInt(address.raw &+ offset))
    }
}
