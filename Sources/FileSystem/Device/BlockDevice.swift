/// A disk of `DiskFormat.blockSize`-byte blocks. The file-system core does
/// all its I/O through this protocol: RAM disks in host tests (some that
/// lose power at a chosen write), a file in mkfs and fsck, virtio-blk in the
/// kernel. Calls are synchronous: when `write` returns the block is on the
/// device (the log's ordering depends on it). A kernel driver may sleep the
/// calling process inside them; the caller holds the buffer's sleep lock,
/// never a spinlock, while it waits.
public protocol BlockDevice {
    /// Blocks the device holds.
    var blockCount: UInt32 { get }
    /// Fills `buffer` (exactly one block) with block `block`.
    func read(_ block: BlockNumber, into buffer: UnsafeMutableRawBufferPointer) throws(BlockDeviceError)
    /// Writes `buffer` (exactly one block) to block `block`.
    func write(_ block: BlockNumber, from buffer: UnsafeRawBufferPointer) throws(BlockDeviceError)
}

/// Why a block request failed. The file system turns each into a failed
/// call (-1), never a panic.
public enum BlockDeviceError: Error, Equatable, Sendable {
    /// The block number is past the end of the device.
    case outOfRange
    /// The device reported an error, or the power went (test devices).
    case ioError
}
