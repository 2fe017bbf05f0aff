/// Where a check reports what it finds, one finding at a time (the host
/// tool prints each as a line; tests collect them).
public protocol CheckFindingSink {
    mutating func report(_ finding: CheckFinding)
}

/// What a check saw, besides its findings.
public struct CheckSummary: Equatable, Sendable {
    /// Findings reported to the sink.
    public var findings = 0
    public var directories = 0
    public var files = 0
    public var devices = 0
    /// Data blocks some inode uses (indirect blocks included).
    public var usedDataBlocks = 0
    /// False when the check stopped early (unusable superblock, a block
    /// the device could not read): the image was not fully checked.
    public var completed = false

    public init() {}
}

/// The superblock of a device, or why it cannot be used.
public enum CheckedSuperblock: Equatable, Sendable {
    case valid(Superblock)
    case refused(CheckFinding)
}

/// An offline check of an unmounted image (the file-system check, fsck):
/// superblock sanity, every block either free in the bitmap or used exactly
/// once (metadata marked used), link counts equal to the entries that name
/// each inode, "." and ".." right, every directory reachable from the root
/// without cycles, sizes that match the blocks, known inode types, entries
/// that name allocated inodes, and an empty log.
///
/// It reads through `BlockDevice` only and allocates nothing: the caller
/// lends a scratch buffer of `scratchByteCount(for:)` bytes.
public enum FileSystemCheck {
    /// Reads block 1 into `blockBuffer` (one block) and validates it.
    public static func readSuperblock<Device: BlockDevice>(
        of device: Device, blockBuffer: UnsafeMutableRawBufferPointer
    ) -> CheckedSuperblock {
        if device.blockCount <= DiskFormat.superblockBlock.raw {
            return .refused(.superblock(.sizeExceedsDevice))
        }
        do {
            try device.read(DiskFormat.superblockBlock, into: blockBuffer)
        } catch {
            return .refused(.unreadableBlock(block: DiskFormat.superblockBlock.raw))
        }
        let superblock = Superblock(decoding: UnsafeRawBufferPointer(blockBuffer))
        if let problem = superblock.validate(deviceBlocks: device.blockCount) { return .refused(.superblock(problem)) }
        return .valid(superblock)
    }

    /// Bytes of scratch a check of this file system needs (about 12 per
    /// inode and 2 per block, plus three block buffers).
    public static func scratchByteCount(for superblock: Superblock) -> Int {
        CheckScratch.byteCount(inodeCount: Int(superblock.inodeCount), blockCount: Int(superblock.totalBlocks))
    }

    /// Checks the file system that `superblock` (from `readSuperblock`)
    /// describes, reporting each problem to `sink`. `scratch` must hold
    /// `scratchByteCount(for:)` bytes, aligned to 4.
    public static func run<Device: BlockDevice, Sink: CheckFindingSink>(
        on device: Device, superblock: Superblock, scratch: UnsafeMutableRawBufferPointer, sink: inout Sink
    ) -> CheckSummary {
        precondition(scratch.count >= scratchByteCount(for: superblock), "file-system check: scratch too small")
        precondition(Int(bitPattern: scratch.baseAddress) % 4 == 0, "file-system check: scratch not aligned to 4")
        var checker = FileSystemChecker(
            device: device, superblock: superblock,
            scratch: CheckScratch(memory: scratch, inodeCount: Int(superblock.inodeCount), blockCount: Int(superblock.totalBlocks)),
            sink: sink)
        do throws(CheckStopped) {
            try checker.checkAll()
            checker.summary.completed = true
        } catch {
            checker.summary.completed = false
        }
        sink = checker.sink
        return checker.summary
    }
}

/// A device read failed: the finding is reported and the check ends.
struct CheckStopped: Error {}

/// The passes of one check, in order: log, inodes and their blocks,
/// directory entries, the directory tree, link counts, the bitmap.
struct FileSystemChecker<Device: BlockDevice, Sink: CheckFindingSink> {
    let device: Device
    let superblock: Superblock
    let scratch: CheckScratch
    var sink: Sink
    var summary = CheckSummary()
    /// The first block file data may use; blocks below it are metadata.
    var dataStart: UInt32
    /// The inode block now in `scratch.inodeBlock` (0: none yet).
    var loadedInodeBlock: UInt32 = 0

    static var root: UInt32 { DiskFormat.rootInode.raw }

    init(device: Device, superblock: Superblock, scratch: CheckScratch, sink: Sink) {
        self.device = device
        self.superblock = superblock
        self.scratch = scratch
        self.sink = sink
        dataStart = superblock.firstDataBlock
    }

    mutating func report(_ finding: CheckFinding) {
        summary.findings += 1
        sink.report(finding)
    }

    mutating func checkAll() throws(CheckStopped) {
        checkDataBlockCount()
        try checkLog()
        try checkInodes()
        try checkDirectories()
        checkTree()
        checkLinkCounts()
        try checkBitmap()
    }

    mutating func read(_ block: UInt32, into buffer: UnsafeMutableRawBufferPointer) throws(CheckStopped) {
        do {
            try device.read(BlockNumber(block), into: buffer)
        } catch {
            report(.unreadableBlock(block: block))
            throw CheckStopped()
        }
    }

    /// xv6 computes one bitmap block more than needed when the size is a
    /// multiple of the bits per block, and counts it as metadata in
    /// `dataBlocks`; that block then counts as metadata here too.
    mutating func checkDataBlockCount() {
        let regions = superblock.totalBlocks - superblock.firstDataBlock
        if superblock.dataBlocks == regions { return }
        if superblock.dataBlocks == regions - 1, superblock.totalBlocks % UInt32(DiskFormat.bitsPerBlock) == 0 {
            dataStart = superblock.firstDataBlock + 1
            return
        }
        report(.dataBlockCountMismatch(recorded: superblock.dataBlocks, regions: regions))
    }

    mutating func checkLog() throws(CheckStopped) {
        try read(superblock.logStart, into: scratch.dataBlock)
        let header = LogHeader(decoding: UnsafeRawBufferPointer(scratch.dataBlock))
        if header.count == 0 { return }
        if header.count > superblock.logBlocks - 1 || Int(header.count) > LogHeader.capacity {
            report(.badLogHeader(count: header.count, block: 0))
            return
        }
        for i in 0..<Int(header.count) where header.blocks[i] < 2 || header.blocks[i] >= superblock.totalBlocks {
            report(.badLogHeader(count: header.count, block: header.blocks[i]))
            return
        }
        report(.committedLog(blocks: header.count))
    }

    /// The inode `inode`, read through the one-block inode cache.
    mutating func inode(_ inode: UInt32) throws(CheckStopped) -> DiskInode {
        let block = superblock.block(holding: InodeNumber(inode)).raw
        if block != loadedInodeBlock {
            try read(block, into: scratch.inodeBlock)
            loadedInodeBlock = block
        }
        return DiskInode(decoding: UnsafeRawBufferPointer(scratch.inodeBlock), at: superblock.offset(of: InodeNumber(inode)))
    }

    // MARK: inodes and their blocks

    mutating func checkInodes() throws(CheckStopped) {
        for number in 1..<UInt32(scratch.inodeCount) {
            let disk = try inode(number)
            scratch.linkCounts[Int(number)] = disk.linkCount
            guard let type = disk.inodeType else {
                scratch.kinds[Int(number)] = CheckScratch.Kind.unknown
                report(.badInodeType(inode: number, type: disk.type))
                if number == Self.root { report(.rootNotDirectory(type: disk.type)) }
                continue
            }
            if number == Self.root, type != .directory { report(.rootNotDirectory(type: disk.type)) }
            switch type {
            case .free:
                scratch.kinds[Int(number)] = CheckScratch.Kind.free
                continue
            case .directory:
                scratch.kinds[Int(number)] = CheckScratch.Kind.directory
                summary.directories += 1
                if disk.size % UInt32(DiskFormat.directoryEntrySize) != 0 {
                    report(.directorySizeNotWholeEntries(inode: number, size: disk.size))
                }
            case .file:
                scratch.kinds[Int(number)] = CheckScratch.Kind.file
                summary.files += 1
            case .device:
                scratch.kinds[Int(number)] = CheckScratch.Kind.device
                summary.devices += 1
            }
            try checkBlocks(of: number, disk, isDirectory: type == .directory)
        }
    }

    /// Blocks within the size present, none beyond it, each in the data
    /// area and used once.
    mutating func checkBlocks(of number: UInt32, _ disk: DiskInode, isDirectory: Bool) throws(CheckStopped) {
        let needed = fileBlocks(of: number, disk)
        // xv6's mkfs rounds the root directory's size up to the next block
        // boundary without allocating it when its entries end on one.
        let toleratedHole: UInt32? = number == Self.root && isDirectory && needed > 0 ? needed - 1 : nil
        for index in 0..<DiskFormat.directBlocks {
            checkBlock(disk.addresses[index], fileBlock: UInt32(index), of: number, needed: needed, toleratedHole: toleratedHole)
        }
        let indirect = disk.indirect
        let firstIndirect = UInt32(DiskFormat.directBlocks)
        if indirect == 0 {
            if needed > firstIndirect, toleratedHole != firstIndirect || needed > firstIndirect + 1 {
                report(.hole(inode: number, fileBlock: firstIndirect))
            }
            return
        }
        if needed <= firstIndirect { report(.blockBeyondSize(inode: number, fileBlock: firstIndirect, block: indirect)) }
        guard claim(indirect, by: number) else { return }
        try read(indirect, into: scratch.indirectBlock)
        for slot in 0..<DiskFormat.indirectBlocks {
            let address = UnsafeRawBufferPointer(scratch.indirectBlock).littleEndianWord(at: 4 * slot)
            checkBlock(address, fileBlock: firstIndirect + UInt32(slot), of: number, needed: needed, toleratedHole: toleratedHole)
        }
    }

    /// Blocks the size covers (reported and capped at the largest file).
    mutating func fileBlocks(of number: UInt32, _ disk: DiskInode) -> UInt32 {
        if disk.size > UInt32(DiskFormat.maxFileSize) {
            report(.sizeTooLarge(inode: number, size: disk.size))
            return UInt32(DiskFormat.maxFileBlocks)
        }
        return (disk.size + UInt32(DiskFormat.blockSize) - 1) / UInt32(DiskFormat.blockSize)
    }

    mutating func checkBlock(_ address: UInt32, fileBlock: UInt32, of number: UInt32, needed: UInt32, toleratedHole: UInt32?) {
        if address == 0 {
            if fileBlock < needed, fileBlock != toleratedHole { report(.hole(inode: number, fileBlock: fileBlock)) }
            return
        }
        if fileBlock >= needed { report(.blockBeyondSize(inode: number, fileBlock: fileBlock, block: address)) }
        _ = claim(address, by: number)
    }

    /// Records that `number` uses `block`; false when the block is outside
    /// the data area (then it must not be read as this inode's).
    mutating func claim(_ block: UInt32, by number: UInt32) -> Bool {
        guard block >= dataStart, block < superblock.totalBlocks else {
            report(.blockOutOfRange(inode: number, block: block))
            return false
        }
        let owner = scratch.owners[Int(block)]
        if owner != 0 {
            report(.blockUsedTwice(block: block, firstInode: UInt32(owner), secondInode: number))
        } else {
            scratch.owners[Int(block)] = UInt16(number)
            summary.usedDataBlocks += 1
        }
        return true
    }

    // MARK: directory entries

    mutating func checkDirectories() throws(CheckStopped) {
        for number in 1..<UInt32(scratch.inodeCount) where scratch.kinds[Int(number)] == CheckScratch.Kind.directory {
            let disk = try inode(number)
            let size = min(disk.size, UInt32(DiskFormat.maxFileSize))
            let entries = size / UInt32(DiskFormat.directoryEntrySize)
            let entriesPerBlock = UInt32(DiskFormat.blockSize / DiskFormat.directoryEntrySize)
            var indirectLoaded = false
            var entry: UInt32 = 0
            while entry < entries {
                let fileBlock = entry / entriesPerBlock
                let address = try blockAddress(disk, fileBlock: fileBlock, indirectLoaded: &indirectLoaded)
                if address >= dataStart, address < superblock.totalBlocks {
                    try read(address, into: scratch.dataBlock)
                } else {
                    // A hole or a bad address (reported already) reads as empty.
                    scratch.dataBlock.initializeMemory(as: UInt8.self, repeating: 0)
                }
                let end = min(entries, (fileBlock + 1) * entriesPerBlock)
                while entry < end {
                    let offset = Int(entry % entriesPerBlock) * DiskFormat.directoryEntrySize
                    checkEntry(DiskDirectoryEntry(decoding: UnsafeRawBufferPointer(scratch.dataBlock), at: offset), index: entry, in: number)
                    entry += 1
                }
            }
            if entries < 1 { report(.badDotEntry(directory: number)) }
            if entries < 2 { report(.missingDotDotEntry(directory: number)) }
        }
    }

    /// The disk block of a directory's `fileBlock` (0 for none or a bad
    /// indirect block), reading its indirect block once.
    mutating func blockAddress(_ disk: DiskInode, fileBlock: UInt32, indirectLoaded: inout Bool) throws(CheckStopped) -> UInt32 {
        if fileBlock < UInt32(DiskFormat.directBlocks) { return disk.addresses[Int(fileBlock)] }
        let indirect = disk.indirect
        guard indirect >= dataStart, indirect < superblock.totalBlocks else { return 0 }
        if !indirectLoaded {
            try read(indirect, into: scratch.indirectBlock)
            indirectLoaded = true
        }
        return UnsafeRawBufferPointer(scratch.indirectBlock).littleEndianWord(at: 4 * Int(fileBlock - UInt32(DiskFormat.directBlocks)))
    }

    mutating func checkEntry(_ entry: DiskDirectoryEntry, index: UInt32, in directory: UInt32) {
        let target = UInt32(entry.inode)
        let isDot = Self.isName(entry, ".")
        let isDotDot = Self.isName(entry, "..")
        if index == 0 {
            if !isDot || target != directory { report(.badDotEntry(directory: directory)) }
            return
        }
        if index == 1 && (!isDotDot || target == 0) {
            report(.missingDotDotEntry(directory: directory))
            return
        }
        if target == 0 { return }
        if index > 1 && (isDot || isDotDot) {
            report(.misplacedDotEntry(directory: directory, entry: index))
            return
        }
        if !isDotDot && Self.hasBadName(entry) { report(.badEntryName(directory: directory, entry: index)) }
        guard target < UInt32(scratch.inodeCount) else {
            report(.entryInodeOutOfRange(directory: directory, entry: index, inode: target))
            return
        }
        let kind = scratch.kinds[Int(target)]
        if kind == CheckScratch.Kind.free {
            report(.entryNamesFreeInode(directory: directory, entry: index, inode: target))
            return
        }
        if isDotDot {
            scratch.dotDots[Int(directory)] = UInt16(target)
        } else if target == Self.root {
            report(.rootNamedByEntry(directory: directory))
            return
        }
        if scratch.references[Int(target)] < UInt32.max { scratch.references[Int(target)] += 1 }
        if isDotDot { return }
        guard kind == CheckScratch.Kind.directory else { return }
        let parent = scratch.parents[Int(target)]
        if parent == 0 {
            scratch.parents[Int(target)] = UInt16(directory)
        } else {
            report(.directoryLinkedTwice(directory: target, firstParent: UInt32(parent), secondParent: directory))
        }
    }

    static func isName(_ entry: DiskDirectoryEntry, _ name: StaticString) -> Bool {
        entry.nameMatches(UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    }

    static func hasBadName(_ entry: DiskDirectoryEntry) -> Bool {
        let length = entry.nameLength
        if length == 0 { return true }
        for i in 0..<length where entry.name[i] == UInt8(ascii: "/") { return true }
        return false
    }

    // MARK: the directory tree

    /// Every directory reachable from the root through the names recorded
    /// by `checkDirectories`, and its ".." naming that parent.
    mutating func checkTree() {
        for number in 1..<UInt32(scratch.inodeCount) where scratch.kinds[Int(number)] == CheckScratch.Kind.directory {
            let dotDot = UInt32(scratch.dotDots[Int(number)])
            if number == Self.root {
                if dotDot != 0 && dotDot != Self.root { report(.wrongParent(directory: number, dotDot: dotDot, parent: Self.root)) }
                continue
            }
            let reach = reachability(of: number)
            if reach != CheckScratch.Reach.reachable {
                report(.unreachableDirectory(directory: number, inCycle: reach == CheckScratch.Reach.cycle))
                continue
            }
            let parent = UInt32(scratch.parents[Int(number)])
            if dotDot != 0 && dotDot != parent { report(.wrongParent(directory: number, dotDot: dotDot, parent: parent)) }
        }
    }

    /// Follows first names up towards the root; each directory has at most
    /// one, so a walk longer than the inode count has met a cycle. The
    /// answer is remembered for every directory on the way.
    mutating func reachability(of start: UInt32) -> UInt8 {
        var current = start
        var steps = 0
        while current != Self.root, scratch.reach[Int(current)] == CheckScratch.Reach.unknown,
            scratch.parents[Int(current)] != 0, steps <= scratch.inodeCount
        {
            current = UInt32(scratch.parents[Int(current)])
            steps += 1
        }
        let result: UInt8
        if current == Self.root {
            result = CheckScratch.Reach.reachable
        } else if scratch.reach[Int(current)] != CheckScratch.Reach.unknown {
            result = scratch.reach[Int(current)]
        } else if steps > scratch.inodeCount {
            result = CheckScratch.Reach.cycle
        } else {
            result = CheckScratch.Reach.unnamed
        }
        current = start
        for _ in 0..<steps {
            scratch.reach[Int(current)] = result
            current = UInt32(scratch.parents[Int(current)])
        }
        if steps == 0, start != Self.root { scratch.reach[Int(start)] = result }
        return result
    }

    // MARK: link counts

    mutating func checkLinkCounts() {
        for number in 1..<UInt32(scratch.inodeCount) {
            let kind = scratch.kinds[Int(number)]
            guard kind == CheckScratch.Kind.file || kind == CheckScratch.Kind.device || kind == CheckScratch.Kind.directory else { continue }
            let references = scratch.references[Int(number)]
            let linkCount = scratch.linkCounts[Int(number)]
            if references == 0 {
                // A directory nothing names is reported as unreachable.
                if kind != CheckScratch.Kind.directory { report(.orphanInode(inode: number, linkCount: linkCount)) }
                continue
            }
            if Int64(linkCount) != Int64(references) {
                report(.linkCountMismatch(inode: number, linkCount: linkCount, references: references))
            }
        }
    }

    // MARK: the bitmap

    /// Metadata marked used; each data block used iff some inode uses it.
    /// Runs of leaked or free metadata blocks are reported as one finding.
    mutating func checkBitmap() throws(CheckStopped) {
        var leaked = BlockRun()
        var freeMetadata = BlockRun()
        let bitsPerBlock = UInt32(DiskFormat.bitsPerBlock)
        var loaded: UInt32 = UInt32.max
        for block in 0..<superblock.totalBlocks {
            let bitmapIndex = block / bitsPerBlock
            if bitmapIndex != loaded {
                try read(superblock.bitmapStart + bitmapIndex, into: scratch.dataBlock)
                loaded = bitmapIndex
            }
            let bit = block % bitsPerBlock
            let used = scratch.dataBlock[Int(bit / 8)] & (1 << (bit % 8)) != 0
            if block < dataStart {
                if !used {
                    freeMetadata.add(block)
                } else if let run = freeMetadata.take() {
                    report(.metadataBlocksMarkedFree(first: run.first, last: run.last))
                }
                continue
            }
            let owner = UInt32(scratch.owners[Int(block)])
            if owner != 0 && !used { report(.usedBlockMarkedFree(block: block, inode: owner)) }
            if owner == 0 && used {
                leaked.add(block)
            } else if let run = leaked.take() {
                report(.leakedBlocks(first: run.first, last: run.last))
            }
        }
        if let run = freeMetadata.take() { report(.metadataBlocksMarkedFree(first: run.first, last: run.last)) }
        if let run = leaked.take() { report(.leakedBlocks(first: run.first, last: run.last)) }
    }
}

/// Consecutive blocks gathered into one finding.
struct BlockRun {
    var first: UInt32 = 0
    var last: UInt32 = 0
    var open = false

    mutating func add(_ block: UInt32) {
        if open && block == last + 1 {
            last = block
        } else {
            first = block
            last = block
            open = true
        }
    }

    /// The run so far, ending it.
    mutating func take() -> (first: UInt32, last: UInt32)? {
        guard open else { return nil }
        open = false
        return (first, last)
    }
}
