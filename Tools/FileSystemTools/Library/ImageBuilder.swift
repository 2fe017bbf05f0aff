import FileSystem

/// A file to put in the root directory of a new image.
public struct ImageFile: Equatable, Sendable {
    /// The name in the root directory (1 to 14 bytes, no '/').
    public var name: String
    public var contents: [UInt8]

    public init(name: String, contents: [UInt8]) {
        self.name = name
        self.contents = contents
    }

    /// The name a build path gets on the disk: its last component without
    /// one leading '_' (build trees name programs `_cat` so that the host
    /// never runs them in place of its own `cat`).
    public static func diskName(forPath path: String) -> String {
        var name = Substring(path.split(separator: "/", omittingEmptySubsequences: true).last ?? "")
        if name.hasPrefix("_") { name = name.dropFirst() }
        return String(name)
    }
}

/// Why mkfs refused to build an image (nothing is written then).
public enum ImageBuildError: Error, Equatable, CustomStringConvertible {
    case badGeometry(SuperblockProblem)
    case badName(String)
    case duplicateName(String)
    case tooManyFiles(files: Int, inodes: UInt32)
    case fileTooLarge(name: String, bytes: Int)
    case outOfBlocks(name: String, totalBlocks: UInt32)

    public var description: String {
        switch self {
        case .badGeometry(let problem): "bad geometry: \(problem.message)"
        case .badName(let name): "bad file name \"\(name)\": a name has 1 to \(DiskFormat.nameLength) bytes, without '/', and is not . or .."
        case .duplicateName(let name): "two files named \"\(name)\""
        case .tooManyFiles(let files, let inodes): "\(files) files need \(files + 2) inodes (inode 0 is unused, 1 is the root); the image has \(inodes)"
        case .fileTooLarge(let name, let bytes): "\(name): \(bytes) bytes; the largest file is \(DiskFormat.maxFileSize) bytes"
        case .outOfBlocks(let name, let totalBlocks): "out of blocks while writing \(name): \(totalBlocks) blocks are not enough"
        }
    }
}

/// Builds an image the way xv6's mkfs does, so that the same file list and
/// geometry give the same bytes: inodes numbered from 1 (the root) in file
/// order; blocks handed out one after another from the first block after
/// the metadata, in the order the data is appended (the root's first
/// block, then per file its directory entry, its data blocks and, at file
/// block 12, the indirect block before the block it maps); the root's size
/// rounded up past its last entry to the next block boundary (a whole
/// unallocated block when the entries end on one, as xv6's does); the
/// first N blocks marked used in the bitmap. Unlike xv6's it writes every
/// bitmap block (images larger than 8192 blocks) and refuses bad input
/// instead of writing past its tables.
public struct ImageBuilder {
    public let geometry: Geometry
    public let superblock: Superblock
    public private(set) var image: [UInt8]
    /// The next block to hand out, and the next free inode number.
    public private(set) var nextBlock: UInt32
    public private(set) var nextInode: UInt32 = DiskFormat.rootInode.raw
    var inodes: [UInt32: DiskInode] = [:]

    public init(geometry: Geometry = DiskFormat.xv6Geometry) throws(ImageBuildError) {
        guard geometry.metadataBlocks < geometry.totalBlocks else { throw .badGeometry(.regionsOutOfOrder) }
        let superblock = geometry.superblock
        if let problem = superblock.validate(deviceBlocks: geometry.totalBlocks) { throw .badGeometry(problem) }
        self.geometry = geometry
        self.superblock = superblock
        image = [UInt8](repeating: 0, count: Int(geometry.totalBlocks) * DiskFormat.blockSize)
        nextBlock = geometry.metadataBlocks
        withBlock(DiskFormat.superblockBlock.raw) { superblock.encode(into: $0) }
    }

    /// The image of `files` in the root directory.
    public static func build(files: [ImageFile], geometry: Geometry = DiskFormat.xv6Geometry) throws(ImageBuildError) -> [UInt8] {
        var seen = Set<String>()
        for file in files {
            let bytes = Array(file.name.utf8)
            if bytes.isEmpty || bytes.count > DiskFormat.nameLength || bytes.contains(UInt8(ascii: "/")) || file.name == "."
                || file.name == ".."
            {
                throw .badName(file.name)
            }
            if !seen.insert(file.name).inserted { throw .duplicateName(file.name) }
            if file.contents.count > DiskFormat.maxFileSize { throw .fileTooLarge(name: file.name, bytes: file.contents.count) }
        }
        if UInt32(files.count) + 2 > geometry.inodeCount { throw .tooManyFiles(files: files.count, inodes: geometry.inodeCount) }
        var builder = try ImageBuilder(geometry: geometry)
        let root = builder.allocateInode(.directory)
        try builder.append(entry(inode: root, name: "."), to: root, naming: "/")
        try builder.append(entry(inode: root, name: ".."), to: root, naming: "/")
        for file in files {
            let inode = builder.allocateInode(.file)
            try builder.append(entry(inode: inode, name: file.name), to: root, naming: "/")
            try builder.append(file.contents, to: inode, naming: file.name)
        }
        builder.roundUpSize(of: root)
        builder.finish()
        return builder.image
    }

    /// A directory entry's bytes.
    static func entry(inode: UInt32, name: String) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: DiskFormat.directoryEntrySize)
        let entry = Array(name.utf8).withUnsafeBytes { DiskDirectoryEntry(inode: UInt16(inode), name: $0) }
        bytes.withUnsafeMutableBytes { entry.encode(into: $0, at: 0) }
        return bytes
    }

    /// A new inode of `type` with one link (callers checked the count).
    mutating func allocateInode(_ type: InodeType) -> UInt32 {
        let number = nextInode
        nextInode += 1
        var inode = DiskInode()
        inode.type = type.rawValue
        inode.linkCount = 1
        inodes[number] = inode
        return number
    }

    mutating func allocateBlock(naming name: String) throws(ImageBuildError) -> UInt32 {
        guard nextBlock < geometry.totalBlocks else { throw .outOfBlocks(name: name, totalBlocks: geometry.totalBlocks) }
        defer { nextBlock += 1 }
        return nextBlock
    }

    /// Appends `data` at the end of inode `number`, allocating blocks as it
    /// crosses into them.
    mutating func append(_ data: [UInt8], to number: UInt32, naming name: String) throws(ImageBuildError) {
        var inode = inodes[number]!
        var offset = Int(inode.size)
        var done = 0
        let blockSize = DiskFormat.blockSize
        while done < data.count {
            let fileBlock = offset / blockSize
            guard fileBlock < DiskFormat.maxFileBlocks else { throw .fileTooLarge(name: name, bytes: offset + data.count - done) }
            let block: UInt32
            if fileBlock < DiskFormat.directBlocks {
                if inode.addresses[fileBlock] == 0 { inode.addresses[fileBlock] = try allocateBlock(naming: name) }
                block = inode.addresses[fileBlock]
            } else {
                if inode.indirect == 0 { inode.indirect = try allocateBlock(naming: name) }
                let slot = 4 * (fileBlock - DiskFormat.directBlocks)
                var mapped = withBlock(inode.indirect) { UnsafeRawBufferPointer($0).littleEndianWord(at: slot) }
                if mapped == 0 {
                    mapped = try allocateBlock(naming: name)
                    let value = mapped
                    withBlock(inode.indirect) { $0.storeLittleEndianWord(value, at: slot) }
                }
                block = mapped
            }
            let count = min(data.count - done, (fileBlock + 1) * blockSize - offset)
            let start = Int(block) * blockSize + offset % blockSize
            image.replaceSubrange(start..<start + count, with: data[done..<done + count])
            done += count
            offset += count
        }
        inode.size = UInt32(offset)
        inodes[number] = inode
    }

    /// xv6's mkfs ends with the root's size moved past its last entry to
    /// the next block boundary.
    mutating func roundUpSize(of number: UInt32) {
        let blockSize = UInt32(DiskFormat.blockSize)
        inodes[number]!.size = (inodes[number]!.size / blockSize + 1) * blockSize
    }

    /// Writes the inode table and marks every block handed out (and the
    /// metadata before them) used in the bitmap.
    mutating func finish() {
        for (number, inode) in inodes {
            let sb = superblock
            withBlock(sb.block(holding: InodeNumber(number)).raw) { inode.encode(into: $0, at: sb.offset(of: InodeNumber(number))) }
        }
        for block in 0..<nextBlock {
            let bitmapBlock = superblock.bitmapBlock(for: BlockNumber(block)).raw
            let bit = Int(block) % DiskFormat.bitsPerBlock
            withBlock(bitmapBlock) { $0[bit / 8] |= UInt8(1) << (bit % 8) }
        }
    }

    mutating func withBlock<Result>(_ block: UInt32, _ body: (UnsafeMutableRawBufferPointer) -> Result) -> Result {
        let start = Int(block) * DiskFormat.blockSize
        return image.withUnsafeMutableBytes { body(UnsafeMutableRawBufferPointer(rebasing: $0[start..<start + DiskFormat.blockSize])) }
    }
}
