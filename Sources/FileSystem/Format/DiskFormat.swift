/// The on-disk format: xv6's, exactly, so images made by xv6's mkfs mount
/// here and ours pass xv6's expectations. Every number the format fixes is
/// stated once, in this enum; mkfs, fsck, the kernel and the docs' drawing
/// read it from here.
///
/// Disk layout, in 1024-byte blocks:
///
///     [ boot | superblock | log header, log blocks | inode blocks | bitmap | data ]
///       0      1            superblock.logStart      .inodeStart    .bitmapStart
public enum DiskFormat {
    /// Bytes per block (and per disk request: one block is two 512-byte sectors).
    public static let blockSize = 1024
    /// The superblock's first word.
    public static let magic: UInt32 = 0x1020_3040
    /// Block 0 is left for a boot loader; the superblock is block 1.
    public static let superblockBlock = BlockNumber(1)
    /// Inode 0 means "no inode"; the root directory is inode 1.
    public static let rootInode = InodeNumber(1)

    /// Block addresses held in the inode itself.
    public static let directBlocks = 12
    /// Block addresses held in the one indirect block.
    public static let indirectBlocks = blockSize / 4
    /// The largest file, in blocks (268 blocks = 274,432 bytes).
    public static let maxFileBlocks = directBlocks + indirectBlocks
    public static let maxFileSize = maxFileBlocks * blockSize

    /// Bytes per on-disk inode, and inodes per block.
    public static let inodeSize = 64
    public static let inodesPerBlock = blockSize / inodeSize
    /// Bitmap bits (blocks described) per bitmap block.
    public static let bitsPerBlock = blockSize * 8

    /// Bytes per directory entry, and bytes of its name (NUL-padded, not
    /// NUL-terminated when all 14 are used).
    public static let directoryEntrySize = 16
    public static let nameLength = 14

    /// The geometry xv6's mkfs uses (FSSIZE, NINODES, LOGSIZE in xv6's
    /// param.h and mkfs.c).
    public static let xv6Geometry = Geometry(totalBlocks: 2000, inodeCount: 200, logBlocks: 30)
}

/// A block number on the file system's device (block 0 is the first 1024 bytes).
public struct BlockNumber: Hashable, Comparable, Sendable {
    public var raw: UInt32
    public init(_ raw: UInt32) { self.raw = raw }
    public static func < (a: BlockNumber, b: BlockNumber) -> Bool { a.raw < b.raw }
}

/// An inode number (0 means none; on disk a directory entry keeps 16 bits of it).
public struct InodeNumber: Hashable, Comparable, Sendable {
    public var raw: UInt32
    public init(_ raw: UInt32) { self.raw = raw }
    public static func < (a: InodeNumber, b: InodeNumber) -> Bool { a.raw < b.raw }
}

/// What an inode is, as stored in its `type` field.
public enum InodeType: Int16, Sendable {
    case free = 0
    case directory = 1
    case file = 2
    case device = 3
}

/// The sizes of a file system's regions, from which mkfs computes the
/// superblock the way xv6's mkfs does: one bitmap block more than the total
/// needs when it is a multiple of 8192, one inode block more than the
/// inodes need when they fill whole blocks (both exactly as xv6).
public struct Geometry: Equatable, Sendable {
    public var totalBlocks: UInt32
    public var inodeCount: UInt32
    public var logBlocks: UInt32

    public init(totalBlocks: UInt32, inodeCount: UInt32, logBlocks: UInt32) {
        self.totalBlocks = totalBlocks
        self.inodeCount = inodeCount
        self.logBlocks = logBlocks
    }

    public var bitmapBlocks: UInt32 { totalBlocks / UInt32(DiskFormat.bitsPerBlock) + 1 }
    public var inodeBlocks: UInt32 { inodeCount / UInt32(DiskFormat.inodesPerBlock) + 1 }
    /// Boot block, superblock, log, inode blocks, bitmap.
    public var metadataBlocks: UInt32 { 2 + logBlocks + inodeBlocks + bitmapBlocks }

    /// The superblock of a file system with this geometry.
    public var superblock: Superblock {
        Superblock(
            magic: DiskFormat.magic, totalBlocks: totalBlocks, dataBlocks: totalBlocks - metadataBlocks,
            inodeCount: inodeCount, logBlocks: logBlocks, logStart: 2, inodeStart: 2 + logBlocks,
            bitmapStart: 2 + logBlocks + inodeBlocks)
    }
}
