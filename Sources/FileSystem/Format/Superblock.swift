/// Block 1: where each region of the disk starts (xv6's `struct superblock`,
/// eight little-endian 32-bit words).
public struct Superblock: Equatable, Sendable {
    public static let byteSize = 32

    public var magic: UInt32
    /// Size of the whole file system, in blocks.
    public var totalBlocks: UInt32
    /// Blocks after the metadata (xv6 `nblocks`; informative only).
    public var dataBlocks: UInt32
    public var inodeCount: UInt32
    /// Log blocks including the header block (xv6 `nlog`).
    public var logBlocks: UInt32
    public var logStart: UInt32
    public var inodeStart: UInt32
    public var bitmapStart: UInt32

    public init(
        magic: UInt32, totalBlocks: UInt32, dataBlocks: UInt32, inodeCount: UInt32, logBlocks: UInt32,
        logStart: UInt32, inodeStart: UInt32, bitmapStart: UInt32
    ) {
        self.magic = magic
        self.totalBlocks = totalBlocks
        self.dataBlocks = dataBlocks
        self.inodeCount = inodeCount
        self.logBlocks = logBlocks
        self.logStart = logStart
        self.inodeStart = inodeStart
        self.bitmapStart = bitmapStart
    }

    /// Reads the superblock from the start of block 1's bytes.
    public init(decoding block: UnsafeRawBufferPointer) {
        magic = block.littleEndianWord(at: 0)
        totalBlocks = block.littleEndianWord(at: 4)
        dataBlocks = block.littleEndianWord(at: 8)
        inodeCount = block.littleEndianWord(at: 12)
        logBlocks = block.littleEndianWord(at: 16)
        logStart = block.littleEndianWord(at: 20)
        inodeStart = block.littleEndianWord(at: 24)
        bitmapStart = block.littleEndianWord(at: 28)
    }

    /// Writes the superblock into the start of block 1's bytes.
    public func encode(into block: UnsafeMutableRawBufferPointer) {
        block.storeLittleEndianWord(magic, at: 0)
        block.storeLittleEndianWord(totalBlocks, at: 4)
        block.storeLittleEndianWord(dataBlocks, at: 8)
        block.storeLittleEndianWord(inodeCount, at: 12)
        block.storeLittleEndianWord(logBlocks, at: 16)
        block.storeLittleEndianWord(logStart, at: 20)
        block.storeLittleEndianWord(inodeStart, at: 24)
        block.storeLittleEndianWord(bitmapStart, at: 28)
    }

    /// Blocks that hold inodes (enough for `inodeCount`).
    public var inodeBlocksNeeded: UInt32 { (inodeCount + UInt32(DiskFormat.inodesPerBlock) - 1) / UInt32(DiskFormat.inodesPerBlock) }
    /// Bitmap blocks that describe `totalBlocks`.
    public var bitmapBlocksNeeded: UInt32 { (totalBlocks + UInt32(DiskFormat.bitsPerBlock) - 1) / UInt32(DiskFormat.bitsPerBlock) }
    /// The first block after the bitmap: where file data may start.
    public var firstDataBlock: UInt32 { bitmapStart &+ bitmapBlocksNeeded }

    /// The block that holds `inode`.
    public func block(holding inode: InodeNumber) -> BlockNumber {
        BlockNumber(inodeStart + inode.raw / UInt32(DiskFormat.inodesPerBlock))
    }
    /// The byte offset of `inode` inside that block.
    public func offset(of inode: InodeNumber) -> Int {
        Int(inode.raw % UInt32(DiskFormat.inodesPerBlock)) * DiskFormat.inodeSize
    }
    /// The bitmap block that holds the bit of `block`.
    public func bitmapBlock(for block: BlockNumber) -> BlockNumber {
        BlockNumber(bitmapStart + block.raw / UInt32(DiskFormat.bitsPerBlock))
    }

    /// Checks that the regions are in xv6's order, do not overlap, fit the
    /// device and the format's limits. A corrupt image is refused here with
    /// the reason, before any other block is trusted.
    public func validate(deviceBlocks: UInt32) -> SuperblockProblem? {
        if magic != DiskFormat.magic { return .badMagic }
        if totalBlocks < 4 || totalBlocks > deviceBlocks { return .sizeExceedsDevice }
        if inodeCount < 2 || inodeCount > 65536 { return .badInodeCount }
        if logBlocks < 2 || logBlocks > UInt32(LogHeader.capacity + 1) { return .badLogSize }
        // In 64 bits, so no field can wrap the comparisons.
        let logEnd = UInt64(logStart) + UInt64(logBlocks)
        let inodeEnd = UInt64(inodeStart) + UInt64(inodeBlocksNeeded)
        let bitmapEnd = UInt64(bitmapStart) + UInt64(bitmapBlocksNeeded)
        guard logStart >= 2, logEnd <= UInt64(inodeStart), inodeEnd <= UInt64(bitmapStart),
            bitmapEnd < UInt64(totalBlocks)
        else { return .regionsOutOfOrder }
        return nil
    }
}

/// Why a superblock was refused (one line each, for the console and fsck).
public enum SuperblockProblem: Equatable, Sendable {
    case badMagic
    case sizeExceedsDevice
    case badInodeCount
    case badLogSize
    case regionsOutOfOrder

    public var message: StaticString {
        switch self {
        case .badMagic: "bad superblock magic (not an xv6-format file system)"
        case .sizeExceedsDevice: "superblock size is larger than the disk or too small"
        case .badInodeCount: "superblock inode count out of range"
        case .badLogSize: "superblock log size out of range"
        case .regionsOutOfOrder: "superblock regions overlap or leave no data blocks"
        }
    }
}
