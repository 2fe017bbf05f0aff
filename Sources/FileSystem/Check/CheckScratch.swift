/// The working memory of one file-system check, carved out of one buffer
/// the caller lends (the check allocates nothing): three block buffers, and
/// per inode and per block what the passes learn. Owned by the one check
/// that runs over it; nothing else touches it while the check runs.
///
/// Inode numbers fit 16 bits (the superblock allows at most 65536 inodes,
/// and directory entries hold 16 bits), so parents and block owners are
/// kept as UInt16; 0 means "none" (inode 0 is never used).
struct CheckScratch {
    let inodeCount: Int
    let blockCount: Int
    /// The current inode block, a directory's data block, an indirect block.
    let inodeBlock: UnsafeMutableRawBufferPointer
    let dataBlock: UnsafeMutableRawBufferPointer
    let indirectBlock: UnsafeMutableRawBufferPointer
    /// Directory entries naming each inode (a directory's "." excluded).
    let references: UnsafeMutablePointer<UInt32>
    /// The inode whose data holds each block (data blocks only).
    let owners: UnsafeMutablePointer<UInt16>
    /// The directory whose entry names each directory (its first name).
    let parents: UnsafeMutablePointer<UInt16>
    /// What each directory's ".." names.
    let dotDots: UnsafeMutablePointer<UInt16>
    /// Each inode's link count field.
    let linkCounts: UnsafeMutablePointer<Int16>
    /// Each inode's kind (`Kind`), and each directory's reachability.
    let kinds: UnsafeMutablePointer<UInt8>
    let reach: UnsafeMutablePointer<UInt8>

    enum Kind {
        static let free: UInt8 = 0
        static let directory: UInt8 = 1
        static let file: UInt8 = 2
        static let device: UInt8 = 3
        static let unknown: UInt8 = 4
    }

    enum Reach {
        static let unknown: UInt8 = 0
        static let reachable: UInt8 = 1
        static let unnamed: UInt8 = 2
        static let cycle: UInt8 = 3
    }

    /// Bytes a check of a file system with this superblock needs.
    static func byteCount(inodeCount: Int, blockCount: Int) -> Int {
        3 * DiskFormat.blockSize + inodeCount * (4 + 2 + 2 + 2 + 1 + 1) + blockCount * 2
    }

    /// Lays the arrays out in `memory` (at least `byteCount` bytes, 4-byte
    /// aligned) and zeroes them.
    init(memory: UnsafeMutableRawBufferPointer, inodeCount: Int, blockCount: Int) {
        self.inodeCount = inodeCount
        self.blockCount = blockCount
        let base = memory.baseAddress!
        let blockSize = DiskFormat.blockSize
        memory.initializeMemory(as: UInt8.self, repeating: 0)
        inodeBlock = UnsafeMutableRawBufferPointer(start: base, count: blockSize)
        dataBlock = UnsafeMutableRawBufferPointer(start: base + blockSize, count: blockSize)
        indirectBlock = UnsafeMutableRawBufferPointer(start: base + 2 * blockSize, count: blockSize)
        // Widest elements first, so every array stays aligned.
        var offset = 3 * blockSize
        references = (base + offset).bindMemory(to: UInt32.self, capacity: inodeCount)
        offset += 4 * inodeCount
        owners = (base + offset).bindMemory(to: UInt16.self, capacity: blockCount)
        offset += 2 * blockCount
        parents = (base + offset).bindMemory(to: UInt16.self, capacity: inodeCount)
        offset += 2 * inodeCount
        dotDots = (base + offset).bindMemory(to: UInt16.self, capacity: inodeCount)
        offset += 2 * inodeCount
        linkCounts = (base + offset).bindMemory(to: Int16.self, capacity: inodeCount)
        offset += 2 * inodeCount
        kinds = (base + offset).bindMemory(to: UInt8.self, capacity: inodeCount)
        offset += inodeCount
        reach = (base + offset).bindMemory(to: UInt8.self, capacity: inodeCount)
    }
}
