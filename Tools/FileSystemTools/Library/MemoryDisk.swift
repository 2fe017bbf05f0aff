import FileSystem

/// A disk held in host memory: the image mkfs builds and fsck checks, and
/// the device host tests corrupt. A class, so that the `BlockDevice` calls
/// (non-mutating, like a driver's) can change its bytes; one owner at a time.
public final class MemoryDisk: BlockDevice {
    public private(set) var bytes: [UInt8]

    /// A zeroed disk of `blocks` blocks.
    public init(blocks: UInt32) {
        bytes = [UInt8](repeating: 0, count: Int(blocks) * DiskFormat.blockSize)
    }

    /// A disk holding `image`; a partial last block is not part of it.
    public init(image: [UInt8]) {
        bytes = Array(image.prefix(image.count / DiskFormat.blockSize * DiskFormat.blockSize))
    }

    public var blockCount: UInt32 { UInt32(bytes.count / DiskFormat.blockSize) }

    public func read(_ block: BlockNumber, into buffer: UnsafeMutableRawBufferPointer) throws(BlockDeviceError) {
        guard block.raw < blockCount else { throw .outOfRange }
        let start = Int(block.raw) * DiskFormat.blockSize
        bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[start..<start + DiskFormat.blockSize])) }
    }

    public func write(_ block: BlockNumber, from buffer: UnsafeRawBufferPointer) throws(BlockDeviceError) {
        guard block.raw < blockCount else { throw .outOfRange }
        let start = Int(block.raw) * DiskFormat.blockSize
        bytes.withUnsafeMutableBytes { UnsafeMutableRawBufferPointer(rebasing: $0[start..<start + DiskFormat.blockSize]).copyMemory(from: buffer) }
    }

    /// Edits block `block` in place (tests corrupt images with this).
    public func modifyBlock<Result>(_ block: UInt32, _ body: (UnsafeMutableRawBufferPointer) throws -> Result) rethrows -> Result {
        let start = Int(block) * DiskFormat.blockSize
        return try bytes.withUnsafeMutableBytes { try body(UnsafeMutableRawBufferPointer(rebasing: $0[start..<start + DiskFormat.blockSize])) }
    }
}
