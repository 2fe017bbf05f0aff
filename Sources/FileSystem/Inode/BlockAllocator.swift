/// The block allocator: one bit per block in the bitmap blocks, 1 = in use.
/// Its state is the bitmap on disk; the bitmap block's buffer sleep lock
/// serializes changes to it, and every change goes through the log.
extension FileSystemVolume {
    /// Blocks that may hold file data: after the bitmap, before the end. A
    /// block number outside it in an inode or indirect block is corruption.
    var dataBlocks: Range<UInt32> { superblock.firstDataBlock..<superblock.totalBlocks }

    /// A zeroed block, marked in use (inside an operation).
    func allocateBlock() throws(FileSystemError) -> BlockNumber {
        let bitsPerBlock = UInt32(DiskFormat.bitsPerBlock)
        var first = dataBlocks.lowerBound
        while first < dataBlocks.upperBound {
            let bitmapBlock = superblock.bitmapBlock(for: BlockNumber(first))
            // In 64 bits: the end of the last bitmap block's range may pass 2^32.
            let rangeEnd = UInt64(first / bitsPerBlock + 1) * UInt64(bitsPerBlock)
            let end = UInt32(min(rangeEnd, UInt64(dataBlocks.upperBound)))
            let buffer = try cache.read(bitmapBlock)
            let bytes = cache.bytes(buffer)
            var block = first
            while block < end {
                let bit = Int(block % bitsPerBlock)
                // A byte of eight used blocks is passed over at once.
                if bit % 8 == 0 && bytes[bit / 8] == 0xFF {
                    block += 8
                    continue
                }
                let mask = UInt8(1) << UInt8(bit % 8)
                if bytes[bit / 8] & mask == 0 {
                    bytes[bit / 8] |= mask
                    do throws(FileSystemError) { try log.write(buffer) } catch {
                        bytes[bit / 8] &= ~mask
                        cache.release(buffer)
                        throw error
                    }
                    cache.release(buffer)
                    try zero(BlockNumber(block))
                    return BlockNumber(block)
                }
                block += 1
            }
            cache.release(buffer)
            first = end
        }
        throw .noFreeBlocks
    }

    /// Marks `block` free (inside an operation).
    func freeBlock(_ block: BlockNumber) throws(FileSystemError) {
        guard dataBlocks.contains(block.raw) else { throw .corrupt(.blockOutOfRange) }
        let buffer = try cache.read(superblock.bitmapBlock(for: block))
        defer { cache.release(buffer) }
        let bytes = cache.bytes(buffer)
        let bit = Int(block.raw % UInt32(DiskFormat.bitsPerBlock))
        let mask = UInt8(1) << UInt8(bit % 8)
        guard bytes[bit / 8] & mask != 0 else { throw .corrupt(.freeingFreeBlock) }
        bytes[bit / 8] &= ~mask
        try log.write(buffer)
    }

    private func zero(_ block: BlockNumber) throws(FileSystemError) {
        let buffer = try cache.readForOverwrite(block)
        defer { cache.release(buffer) }
        cache.bytes(buffer).initializeMemory(as: UInt8.self, repeating: 0)
        try log.write(buffer)
    }
}
