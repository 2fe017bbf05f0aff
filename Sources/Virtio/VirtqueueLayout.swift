/// Where the three parts of a split virtqueue of `size` entries lie in the
/// one area the driver gives it (virtio 1.x, 2.7): the descriptor table
/// (16 bytes an entry, 16-byte aligned), the available ring (flags, index,
/// `size` entries of 2 bytes, the unused event word; 2-byte aligned) and the
/// used ring (flags, index, `size` entries of 8 bytes, the unused event
/// word; 4-byte aligned). After them comes the driver's own bookkeeping,
/// one byte per descriptor, which the device never sees.
public struct VirtqueueLayout: Equatable, Sendable {
    public let size: UInt16
    public let descriptorTableOffset: Int
    public let availableRingOffset: Int
    public let usedRingOffset: Int
    public let chainStateOffset: Int
    /// Bytes of the whole area.
    public let totalBytes: Int

    /// Largest queue the split format allows.
    public static let maximumSize: UInt16 = 32768
    public static let descriptorBytes = 16
    public static let usedElementBytes = 8

    /// nil unless `size` is a power of two from 1 to 32768 (2.7: a split
    /// queue's size is a power of two).
    public init?(size: UInt16) {
        guard size > 0, size <= Self.maximumSize, size & (size &- 1) == 0 else { return nil }
        let entries = Int(size)
        self.size = size
        descriptorTableOffset = 0
        availableRingOffset = entries * Self.descriptorBytes
        let availableEnd = availableRingOffset + 2 + 2 + 2 * entries + 2
        usedRingOffset = (availableEnd + 3) & ~3
        let usedEnd = usedRingOffset + 2 + 2 + Self.usedElementBytes * entries + 2
        chainStateOffset = usedEnd
        totalBytes = chainStateOffset + entries
    }
}

/// The memory a virtqueue lives in, which its owner provides: a pointer
/// through which the driver reads and writes it, and the physical address
/// the device sees for the same first byte (in the kernel, frames from the
/// frame allocator; in host tests, host memory and an invented address).
/// The owner keeps it valid and physically contiguous for the queue's life.
public struct VirtqueueArea {
    public let pointer: UnsafeMutableRawPointer
    public let physical: PhysicalAddress
    public let bytes: Int

    public init(pointer: UnsafeMutableRawPointer, physical: PhysicalAddress, bytes: Int) {
        self.pointer = pointer
        self.physical = physical
        self.bytes = bytes
    }
}

/// One part of a request: `length` bytes at physical address `physical`,
/// which the device reads, or writes when `deviceWritable`.
public struct VirtqueueBuffer: Equatable, Sendable {
    public let physical: PhysicalAddress
    public let length: UInt32
    public let deviceWritable: Bool

    public init(physical: PhysicalAddress, length: UInt32, deviceWritable: Bool) {
        self.physical = physical
        self.length = length
        self.deviceWritable = deviceWritable
    }
}

/// A chain the device has finished: its first descriptor and the bytes the
/// device says it wrote into the chain's writable buffers.
public struct VirtqueueCompletion: Equatable, Sendable {
    public let head: UInt16
    public let writtenBytes: UInt32
}

/// Why a queue could not be set up or a chain not be added.
public enum VirtqueueError: Error, Equatable, Sendable {
    /// The size is zero, not a power of two, or above 32768.
    case invalidSize
    /// The area is smaller than the layout needs, or misaligned (16 bytes).
    case areaTooSmall
    /// A chain of no buffers, or longer than the queue.
    case invalidChain
    /// Fewer free descriptors than the chain needs; completions free them.
    case noFreeDescriptors
    /// `release` of a head that is not a completed chain.
    case notCompleted
}
