/// An inode as stored on disk (xv6's `struct dinode`, 64 bytes): type, major
/// and minor device numbers, link count (16-bit each), size (32-bit), then
/// 12 direct block addresses and one indirect block address.
public struct DiskInode: Equatable, Sendable {
    public var type: Int16 = 0
    public var major: Int16 = 0
    public var minor: Int16 = 0
    public var linkCount: Int16 = 0
    public var size: UInt32 = 0
    /// `directBlocks` direct addresses, then the indirect block's; 0 = none.
    public var addresses: InlineArray<13, UInt32> = .init(repeating: 0)

    public init() {}

    /// Reads the inode at `offset` of an inode block.
    public init(decoding block: UnsafeRawBufferPointer, at offset: Int) {
        type = Int16(bitPattern: block.littleEndianHalf(at: offset))
        major = Int16(bitPattern: block.littleEndianHalf(at: offset + 2))
        minor = Int16(bitPattern: block.littleEndianHalf(at: offset + 4))
        linkCount = Int16(bitPattern: block.littleEndianHalf(at: offset + 6))
        size = block.littleEndianWord(at: offset + 8)
        for i in 0..<13 { addresses[i] = block.littleEndianWord(at: offset + 12 + 4 * i) }
    }

    /// Writes the inode at `offset` of an inode block.
    public func encode(into block: UnsafeMutableRawBufferPointer, at offset: Int) {
        block.storeLittleEndianHalf(UInt16(bitPattern: type), at: offset)
        block.storeLittleEndianHalf(UInt16(bitPattern: major), at: offset + 2)
        block.storeLittleEndianHalf(UInt16(bitPattern: minor), at: offset + 4)
        block.storeLittleEndianHalf(UInt16(bitPattern: linkCount), at: offset + 6)
        block.storeLittleEndianWord(size, at: offset + 8)
        for i in 0..<13 { block.storeLittleEndianWord(addresses[i], at: offset + 12 + 4 * i) }
    }

    /// The type, or nil when the field holds no type the format knows.
    public var inodeType: InodeType? { InodeType(rawValue: type) }

    public static func == (a: DiskInode, b: DiskInode) -> Bool {
        guard a.type == b.type, a.major == b.major, a.minor == b.minor, a.linkCount == b.linkCount,
            a.size == b.size
        else { return false }
        for i in 0..<13 where a.addresses[i] != b.addresses[i] { return false }
        return true
    }

    /// The indirect block's address (0 = none).
    public var indirect: UInt32 {
        get { addresses[DiskFormat.directBlocks] }
        set { addresses[DiskFormat.directBlocks] = newValue }
    }
}

/// A directory entry as stored in a directory's data (xv6's `struct dirent`):
/// a 16-bit inode number (0 = free slot) and a 14-byte NUL-padded name.
public struct DiskDirectoryEntry: Equatable, Sendable {
    public var inode: UInt16 = 0
    public var name: InlineArray<14, UInt8> = .init(repeating: 0)

    public init() {}

    public init(inode: UInt16, name bytes: UnsafeRawBufferPointer) {
        self.inode = inode
        for i in 0..<min(bytes.count, DiskFormat.nameLength) { name[i] = bytes[i] }
    }

    public init(decoding bytes: UnsafeRawBufferPointer, at offset: Int) {
        inode = bytes.littleEndianHalf(at: offset)
        for i in 0..<DiskFormat.nameLength { name[i] = bytes[offset + 2 + i] }
    }

    public func encode(into bytes: UnsafeMutableRawBufferPointer, at offset: Int) {
        bytes.storeLittleEndianHalf(inode, at: offset)
        for i in 0..<DiskFormat.nameLength { bytes[offset + 2 + i] = name[i] }
    }

    public static func == (a: DiskDirectoryEntry, b: DiskDirectoryEntry) -> Bool {
        guard a.inode == b.inode else { return false }
        for i in 0..<DiskFormat.nameLength where a.name[i] != b.name[i] { return false }
        return true
    }

    /// Bytes of the name before its first NUL (at most 14).
    public var nameLength: Int {
        for i in 0..<DiskFormat.nameLength where name[i] == 0 { return i }
        return DiskFormat.nameLength
    }

    /// Whether the name equals `other` compared as xv6 does: at most 14
    /// bytes, so a longer `other` matches on its first 14.
    public func nameMatches(_ other: UnsafeRawBufferPointer) -> Bool {
        name.span.withUnsafeBytes { Self.name($0.baseAddress.unsafelyUnwrapped, matches: other) }
    }

    /// `nameMatches` for the 14 name bytes at `name` (an entry where it
    /// lies in a block, compared without copying it out).
    static func name(_ name: UnsafeRawPointer, matches other: UnsafeRawBufferPointer) -> Bool {
        let length = min(other.count, DiskFormat.nameLength)
        for i in 0..<length where name.load(fromByteOffset: i, as: UInt8.self) != other[i] { return false }
        return length == DiskFormat.nameLength || name.load(fromByteOffset: length, as: UInt8.self) == 0
    }
}

/// The log's header block: how many logged blocks follow and, for each,
/// its home block number (xv6's `struct logheader`: a 32-bit count, then
/// the block numbers). A count of 0 means "nothing committed".
public struct LogHeader: Equatable, Sendable {
    /// Home block numbers one header block can name.
    public static let capacity = DiskFormat.blockSize / 4 - 1

    public var count: UInt32 = 0
    public var blocks: InlineArray<255, UInt32> = .init(repeating: 0)

    public init() {}

    public static func == (a: LogHeader, b: LogHeader) -> Bool {
        guard a.count == b.count else { return false }
        for i in 0..<LogHeader.capacity where a.blocks[i] != b.blocks[i] { return false }
        return true
    }

    public init(decoding block: UnsafeRawBufferPointer) {
        count = block.littleEndianWord(at: 0)
        for i in 0..<LogHeader.capacity { blocks[i] = block.littleEndianWord(at: 4 + 4 * i) }
    }

    public func encode(into block: UnsafeMutableRawBufferPointer) {
        block.storeLittleEndianWord(count, at: 0)
        for i in 0..<LogHeader.capacity { block.storeLittleEndianWord(blocks[i], at: 4 + 4 * i) }
    }
}
