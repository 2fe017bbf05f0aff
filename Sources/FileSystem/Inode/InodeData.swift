/// A file's bytes: mapping file blocks to disk blocks through the 12
/// direct addresses and the one indirect block, reading, writing and
/// truncating. The caller holds the inode's sleep lock; writes and
/// truncation run inside an operation.
extension FileSystemVolume {
    /// The disk block holding file block `fileBlock`, allocating it (and the
    /// indirect block) when `allocate` is set; nil for a hole otherwise. Every
    /// address read from disk is checked against the data region.
    func blockAddress(_ inode: InodeReference, fileBlock: Int, allocate: Bool) throws(FileSystemError) -> BlockNumber? {
        let fields = self.fields(inode)
        if fileBlock < DiskFormat.directBlocks {
            let address = fields.pointee.addresses[fileBlock]
            if address != 0 { return try checked(address) }
            guard allocate else { return nil }
            let block = try allocateBlock()
            fields.pointee.addresses[fileBlock] = block.raw
            return block
        }
        let index = fileBlock - DiskFormat.directBlocks
        guard index < DiskFormat.indirectBlocks else { throw .badOffset }
        var indirect = fields.pointee.indirect
        if indirect == 0 {
            guard allocate else { return nil }
            indirect = try allocateBlock().raw
            fields.pointee.indirect = indirect
        }
        let address = try indirectEntry(try checked(indirect), index)
        if address != 0 { return try checked(address) }
        guard allocate else { return nil }
        // Allocated with the indirect block unlocked: in a damaged image the
        // bitmap may call the indirect block itself free, and zeroing it
        // while holding its lock would wait forever.
        let block = try allocateBlock()
        let buffer = try cache.read(try checked(indirect))
        defer { cache.release(buffer) }
        cache.bytes(buffer).storeLittleEndianWord(block.raw, at: 4 * index)
        try log.write(buffer)
        return block
    }

    /// Entry `index` of an indirect block.
    private func indirectEntry(_ indirect: BlockNumber, _ index: Int) throws(FileSystemError) -> UInt32 {
        let buffer = try cache.read(indirect)
        defer { cache.release(buffer) }
        return cache.bytes(buffer).littleEndianWord(at: 4 * index)
    }

    private func checked(_ address: UInt32) throws(FileSystemError) -> BlockNumber {
        guard dataBlocks.contains(address) else { throw .corrupt(.blockOutOfRange) }
        return BlockNumber(address)
    }

    /// Copies up to `count` bytes from `offset` into `sink`; returns the
    /// bytes delivered (0 at or past the end). A sink that fails before the
    /// first byte fails the call.
    func readData<Sink: FileSystemByteSink>(
        _ inode: InodeReference, at offset: UInt32, count: Int, into sink: inout Sink
    ) throws(FileSystemError) -> Int {
        let size = fields(inode).pointee.size
        guard count > 0, offset < size else { return 0 }
        let total = min(count, Int(size - offset))
        var done = 0
        while done < total {
            let position = Int(offset) + done
            let within = position % DiskFormat.blockSize
            let chunk = min(total - done, DiskFormat.blockSize - within)
            var delivered: Bool
            if let block = try blockAddress(inode, fileBlock: position / DiskFormat.blockSize, allocate: false) {
                let buffer = try cache.read(block)
                let bytes = UnsafeRawBufferPointer(cache.bytes(buffer))
                delivered = sink.deliver(UnsafeRawBufferPointer(rebasing: bytes[within..<(within + chunk)]))
                cache.release(buffer)
            } else {
                delivered = deliverZeros(chunk, into: &sink)
            }
            guard delivered else {
                if done == 0 { throw .badAddress }
                break
            }
            done += chunk
        }
        return done
    }

    /// A hole (only a damaged image has one) reads as zeros.
    private func deliverZeros<Sink: FileSystemByteSink>(_ count: Int, into sink: inout Sink) -> Bool {
        let zeros = InlineArray<64, UInt8>(repeating: 0)
        var left = count
        return zeros.span.withUnsafeBytes { bytes in
            while left > 0 {
                let piece = min(left, bytes.count)
                guard sink.deliver(UnsafeRawBufferPointer(rebasing: bytes[0..<piece])) else { return false }
                left -= piece
            }
            return true
        }
    }

    /// Copies `count` bytes from `source` to `offset` (inside an operation,
    /// which must have room for the blocks: `FileSystemVolume.writeChunk`
    /// bytes at most). Returns the bytes written; the size grows to cover
    /// them. Fails when nothing could be written.
    func writeData<Source: FileSystemByteSource>(
        _ inode: InodeReference, at offset: UInt32, count: Int, from source: inout Source
    ) throws(FileSystemError) -> Int {
        let fields = self.fields(inode)
        guard offset <= fields.pointee.size, Int(offset) + count <= DiskFormat.maxFileSize else { throw .badOffset }
        var done = 0
        var failure: FileSystemError? = nil
        while done < count {
            let position = Int(offset) + done
            let within = position % DiskFormat.blockSize
            let chunk = min(count - done, DiskFormat.blockSize - within)
            do throws(FileSystemError) {
                guard let block = try blockAddress(inode, fileBlock: position / DiskFormat.blockSize, allocate: true)
                else { break }
                let buffer = try cache.read(block)
                defer { cache.release(buffer) }
                let bytes = cache.bytes(buffer)
                guard source.fill(UnsafeMutableRawBufferPointer(rebasing: bytes[within..<(within + chunk)])) else {
                    failure = .badAddress
                    break
                }
                try log.write(buffer)
            } catch {
                failure = error
                break
            }
            done += chunk
        }
        // Blocks may have been allocated even when no byte was written.
        if Int(offset) + done > Int(fields.pointee.size) { fields.pointee.size = offset + UInt32(done) }
        try update(inode)
        if done == 0, let failure { throw failure }
        return done
    }

    /// Frees every block of the inode and sets its size to 0 (inside an operation).
    func truncateData(_ inode: InodeReference) throws(FileSystemError) {
        let fields = self.fields(inode)
        for i in 0..<DiskFormat.directBlocks where fields.pointee.addresses[i] != 0 {
            let address = fields.pointee.addresses[i]
            fields.pointee.addresses[i] = 0
            try freeBlock(BlockNumber(address))
        }
        if fields.pointee.indirect != 0 {
            let indirect = try checked(fields.pointee.indirect)
            let buffer = try cache.read(indirect)
            let bytes = cache.bytes(buffer)
            for i in 0..<DiskFormat.indirectBlocks {
                let address = bytes.littleEndianWord(at: 4 * i)
                if address != 0 {
                    do throws(FileSystemError) { try freeBlock(BlockNumber(address)) } catch {
                        cache.release(buffer)
                        throw error
                    }
                }
            }
            cache.release(buffer)
            fields.pointee.indirect = 0
            try freeBlock(indirect)
        }
        fields.pointee.size = 0
        try update(inode)
    }
}
