import FileSystem

/// A consistency check of a raw image, written for the tests apart from the
/// core's code paths (an independent judge): every problem found is one
/// line. It checks what a crash must never break:
/// - the superblock is valid and the log header is empty (after recovery);
/// - every inode reachable from the root has a known type, a size within
///   the format, and blocks in the data region, each block used once;
/// - directories: `.` names the directory itself, `..` its parent, no
///   directory is reachable twice (no cycles, no hard links), entries name
///   allocated inodes;
/// - link counts: a file's equals its names; a directory's is 1 + its
///   subdirectories (xv6 counts neither `.` nor its child's `..` twice);
/// - the bitmap marks exactly the metadata and the blocks in use;
/// - allocated inodes nobody names are allowed only with link count 0
///   (a file unlinked while open when the power went: xv6 keeps those too).
struct ImageChecker {
    let image: [UInt8]
    var problems: [String] = []
    private var superblock: Superblock
    private var blockOwners: [UInt32: String] = [:]
    private var names: [UInt32: Int] = [:]
    private var subdirectories: [UInt32: Int] = [:]
    private var visitedDirectories: Set<UInt32> = []

    init(image: [UInt8]) {
        self.image = image
        superblock = image.withUnsafeBytes {
            Superblock(decoding: UnsafeRawBufferPointer(rebasing: $0[DiskFormat.blockSize..<(2 * DiskFormat.blockSize)]))
        }
    }

    static func check(_ image: [UInt8]) -> [String] {
        var checker = ImageChecker(image: image)
        checker.run()
        return checker.problems
    }

    private func block(_ number: UInt32) -> UnsafeRawBufferPointer {
        image.withUnsafeBytes { all in
            UnsafeRawBufferPointer(
                rebasing: all[(Int(number) * DiskFormat.blockSize)..<((Int(number) + 1) * DiskFormat.blockSize)])
        }
    }

    private func inode(_ number: UInt32) -> DiskInode {
        DiskInode(decoding: block(superblock.block(holding: InodeNumber(number)).raw), at: superblock.offset(of: InodeNumber(number)))
    }

    private mutating func run() {
        if let problem = superblock.validate(deviceBlocks: UInt32(image.count / DiskFormat.blockSize)) {
            problems.append("superblock: \(problem.message)")
            return
        }
        if block(superblock.logStart).littleEndianWord(at: 0) != 0 { problems.append("log header not empty") }
        walkDirectory(1, parent: 1, path: "/")
        for number in 1..<superblock.inodeCount {
            let disk = inode(number)
            guard disk.type != 0 else {
                if names[number] != nil { problems.append("inode \(number) is free but named") }
                continue
            }
            let named = names[number] ?? 0
            if number == 1 { continue }
            if named == 0 {
                if disk.linkCount != 0 { problems.append("inode \(number) allocated, link count \(disk.linkCount), but unnamed") }
                claimBlocks(of: number, disk)
                continue
            }
            let expected = disk.type == InodeType.directory.rawValue ? 1 + (subdirectories[number] ?? 0) : named
            if Int(disk.linkCount) != expected {
                problems.append("inode \(number): link count \(disk.linkCount), expected \(expected)")
            }
        }
        let rootLinks = Int(inode(1).linkCount)
        if rootLinks != 1 + (subdirectories[1] ?? 0) { problems.append("root link count \(rootLinks)") }
        checkBitmap()
    }

    private mutating func walkDirectory(_ number: UInt32, parent: UInt32, path: String) {
        guard visitedDirectories.insert(number).inserted else {
            problems.append("\(path): directory reached twice")
            return
        }
        let disk = inode(number)
        guard disk.type == InodeType.directory.rawValue else {
            problems.append("\(path): inode \(number) is not a directory")
            return
        }
        guard let data = fileBytes(number, disk, path: path) else { return }
        if data.count % DiskFormat.directoryEntrySize != 0 { problems.append("\(path): size not whole entries") }
        var children: [(String, UInt32)] = []
        data.withUnsafeBytes { bytes in
            for offset in stride(from: 0, to: data.count - 15, by: DiskFormat.directoryEntrySize) {
                let entry = DiskDirectoryEntry(decoding: bytes, at: offset)
                guard entry.inode != 0 else { continue }
                let name = entry.nameString
                if offset == 0 {
                    if name != "." || UInt32(entry.inode) != number { problems.append("\(path): first entry is not .") }
                } else if offset == 16 {
                    if name != ".." || UInt32(entry.inode) != parent { problems.append("\(path): second entry is not .. -> \(parent)") }
                } else {
                    children.append((name, UInt32(entry.inode)))
                }
            }
        }
        for (name, child) in children {
            let childPath = path == "/" ? "/\(name)" : "\(path)/\(name)"
            guard child < superblock.inodeCount else {
                problems.append("\(childPath): inode number \(child) out of range")
                continue
            }
            names[child, default: 0] += 1
            let childInode = inode(child)
            if childInode.type == InodeType.directory.rawValue {
                subdirectories[number, default: 0] += 1
                walkDirectory(child, parent: number, path: childPath)
            } else if childInode.type == InodeType.file.rawValue || childInode.type == InodeType.device.rawValue {
                if names[child] == 1 { _ = fileBytes(child, childInode, path: childPath) }
            } else {
                problems.append("\(childPath): names inode \(child) of type \(childInode.type)")
            }
        }
    }

    /// The file's bytes, claiming its blocks; nil when its block map is broken.
    private mutating func fileBytes(_ number: UInt32, _ disk: DiskInode, path: String) -> [UInt8]? {
        guard Int(disk.size) <= DiskFormat.maxFileSize else {
            problems.append("\(path): size \(disk.size) too large")
            return nil
        }
        let blocks = claimBlocks(of: number, disk)
        let used = (Int(disk.size) + DiskFormat.blockSize - 1) / DiskFormat.blockSize
        var data: [UInt8] = []
        for index in 0..<used {
            guard index < blocks.count, blocks[index] != 0 else {
                problems.append("\(path): hole at block \(index)")
                return nil
            }
            data += block(blocks[index])
        }
        for index in used..<blocks.count where blocks[index] != 0 {
            problems.append("\(path): block \(index) beyond the size")
        }
        return Array(data[0..<Int(disk.size)])
    }

    /// The file's block list (0 = none), with each block recorded as used once.
    @discardableResult
    private mutating func claimBlocks(of number: UInt32, _ disk: DiskInode) -> [UInt32] {
        var list: [UInt32] = (0..<DiskFormat.directBlocks).map { disk.addresses[$0] }
        if disk.indirect != 0 {
            claim(disk.indirect, by: number)
            if superblock.firstDataBlock..<superblock.totalBlocks ~= disk.indirect {
                let indirect = block(disk.indirect)
                list += (0..<DiskFormat.indirectBlocks).map { indirect.littleEndianWord(at: 4 * $0) }
            }
        }
        for address in list where address != 0 { claim(address, by: number) }
        return list
    }

    private mutating func claim(_ address: UInt32, by number: UInt32) {
        guard superblock.firstDataBlock..<superblock.totalBlocks ~= address else {
            problems.append("inode \(number): block \(address) outside the data region")
            return
        }
        if let owner = blockOwners[address] {
            problems.append("block \(address) used by inode \(number) and \(owner)")
        }
        blockOwners[address] = "inode \(number)"
    }

    private mutating func checkBitmap() {
        for address in 0..<superblock.totalBlocks {
            let bitmap = block(superblock.bitmapBlock(for: BlockNumber(address)).raw)
            let bit = Int(address) % DiskFormat.bitsPerBlock
            let marked = bitmap[bit / 8] & (UInt8(1) << UInt8(bit % 8)) != 0
            let used = address < superblock.firstDataBlock || blockOwners[address] != nil
            if marked != used { problems.append("block \(address): bitmap says \(marked ? "used" : "free"), it is \(used ? "used" : "free")") }
        }
    }
}
