/// One problem the file-system check found in an image. Each case carries
/// the numbers that locate it; `describe(into:)` words it as one line, so
/// the host tool and (if it ever runs one) the kernel print the same text.
/// Inode and block numbers are raw values: a finding often names a number
/// that is itself out of range.
public enum CheckFinding: Equatable, Sendable {
    /// The superblock is unusable; nothing else was checked.
    case superblock(SuperblockProblem)
    /// The device failed to read this block; the check stopped there.
    case unreadableBlock(block: UInt32)
    /// The log header names committed blocks not yet copied home: the image
    /// was not cleanly unmounted. Mounting replays them; until then the
    /// other findings describe the state before the replay.
    case committedLog(blocks: UInt32)
    /// The log header's count or one of its block numbers is impossible.
    case badLogHeader(count: UInt32, block: UInt32)
    /// `superblock.dataBlocks` disagrees with the regions it describes.
    case dataBlockCountMismatch(recorded: UInt32, regions: UInt32)
    /// The root inode is not a directory.
    case rootNotDirectory(type: Int16)
    /// An inode's type field holds no type the format knows.
    case badInodeType(inode: UInt32, type: Int16)
    /// An inode's size is larger than the format's largest file.
    case sizeTooLarge(inode: UInt32, size: UInt32)
    /// A directory's size is not a whole number of directory entries.
    case directorySizeNotWholeEntries(inode: UInt32, size: UInt32)
    /// An inode points at a block outside the data area (a metadata block
    /// or past the end of the file system).
    case blockOutOfRange(inode: UInt32, block: UInt32)
    /// A data block is used twice (by two inodes, or twice by one).
    case blockUsedTwice(block: UInt32, firstInode: UInt32, secondInode: UInt32)
    /// An inode holds a block at or past the end its size gives.
    case blockBeyondSize(inode: UInt32, fileBlock: UInt32, block: UInt32)
    /// A block inside an inode's size is missing (xv6 never leaves holes,
    /// except the last block of the root directory that its mkfs rounds up).
    case hole(inode: UInt32, fileBlock: UInt32)
    /// A block some inode uses is free in the bitmap.
    case usedBlockMarkedFree(block: UInt32, inode: UInt32)
    /// Blocks `first...last` are marked in use but nothing uses them.
    case leakedBlocks(first: UInt32, last: UInt32)
    /// Metadata blocks `first...last` are free in the bitmap.
    case metadataBlocksMarkedFree(first: UInt32, last: UInt32)
    /// A directory entry names an inode number past the inode table.
    case entryInodeOutOfRange(directory: UInt32, entry: UInt32, inode: UInt32)
    /// A directory entry names a free inode.
    case entryNamesFreeInode(directory: UInt32, entry: UInt32, inode: UInt32)
    /// A used directory entry has an empty name or a name with a '/'.
    case badEntryName(directory: UInt32, entry: UInt32)
    /// A directory's first entry is not "." naming the directory itself.
    case badDotEntry(directory: UInt32)
    /// A directory's second entry is not "..".
    case missingDotDotEntry(directory: UInt32)
    /// "." or ".." appears again after the first two entries.
    case misplacedDotEntry(directory: UInt32, entry: UInt32)
    /// A directory's ".." does not name the directory that holds it.
    case wrongParent(directory: UInt32, dotDot: UInt32, parent: UInt32)
    /// A directory has a second name (a hard link to a directory).
    case directoryLinkedTwice(directory: UInt32, firstParent: UInt32, secondParent: UInt32)
    /// An entry other than the root's own ".." names the root.
    case rootNamedByEntry(directory: UInt32)
    /// A directory cannot be reached from the root: no directory names it,
    /// or it hangs off a cycle of directories naming each other.
    case unreachableDirectory(directory: UInt32, inCycle: Bool)
    /// An allocated inode no directory entry names (after an unlink of an
    /// open file and a crash, xv6 leaves these).
    case orphanInode(inode: UInt32, linkCount: Int16)
    /// An inode's link count differs from the entries that name it (a
    /// directory's own "." does not count; its children's ".." do).
    case linkCountMismatch(inode: UInt32, linkCount: Int16, references: UInt32)
}

/// Where `CheckFinding.describe` writes: the host tool collects a String,
/// a kernel would write to its console.
public protocol CheckTextOutput {
    mutating func write(_ text: StaticString)
    mutating func write(number: Int64)
}

extension CheckFinding {
    /// Writes the finding as one line of text, without the newline.
    public func describe<Output: CheckTextOutput>(into out: inout Output) {
        switch self {
        case .superblock(let problem):
            out.write("superblock: ")
            out.write(problem.message)
        case .unreadableBlock(let block):
            out.write("block ")
            out.write(number: Int64(block))
            out.write(": the device could not read it; check stopped")
        case .committedLog(let blocks):
            out.write("log: ")
            out.write(number: Int64(blocks))
            out.write(" committed blocks not yet installed (not cleanly unmounted; mounting replays the log, check again after)")
        case .badLogHeader(let count, let block):
            out.write("log: header is corrupt (count ")
            out.write(number: Int64(count))
            out.write(", block ")
            out.write(number: Int64(block))
            out.write(")")
        case .dataBlockCountMismatch(let recorded, let regions):
            out.write("superblock: data block count ")
            out.write(number: Int64(recorded))
            out.write(" but the regions leave ")
            out.write(number: Int64(regions))
        case .rootNotDirectory(let type):
            out.write("inode 1 (the root): type ")
            out.write(number: Int64(type))
            out.write(", not a directory")
        case .badInodeType(let inode, let type):
            inodeLine(&out, inode)
            out.write("unknown type ")
            out.write(number: Int64(type))
        case .sizeTooLarge(let inode, let size):
            inodeLine(&out, inode)
            out.write("size ")
            out.write(number: Int64(size))
            out.write(" is larger than the largest file")
        case .directorySizeNotWholeEntries(let inode, let size):
            inodeLine(&out, inode)
            out.write("directory size ")
            out.write(number: Int64(size))
            out.write(" is not a multiple of the entry size")
        case .blockOutOfRange(let inode, let block):
            inodeLine(&out, inode)
            out.write("points at block ")
            out.write(number: Int64(block))
            out.write(", outside the data area")
        case .blockUsedTwice(let block, let first, let second):
            out.write("block ")
            out.write(number: Int64(block))
            out.write(": used twice (by inode ")
            out.write(number: Int64(first))
            out.write(" and inode ")
            out.write(number: Int64(second))
            out.write(")")
        case .blockBeyondSize(let inode, let fileBlock, let block):
            inodeLine(&out, inode)
            out.write("holds block ")
            out.write(number: Int64(block))
            out.write(" as file block ")
            out.write(number: Int64(fileBlock))
            out.write(", beyond its size")
        case .hole(let inode, let fileBlock):
            inodeLine(&out, inode)
            out.write("file block ")
            out.write(number: Int64(fileBlock))
            out.write(" is missing inside its size (a hole)")
        case .usedBlockMarkedFree(let block, let inode):
            out.write("block ")
            out.write(number: Int64(block))
            out.write(": used by inode ")
            out.write(number: Int64(inode))
            out.write(" but free in the bitmap")
        case .leakedBlocks(let first, let last):
            blockRange(&out, first, last)
            out.write("marked in use in the bitmap but used by no inode")
        case .metadataBlocksMarkedFree(let first, let last):
            blockRange(&out, first, last)
            out.write("metadata, but free in the bitmap")
        case .entryInodeOutOfRange(let directory, let entry, let inode):
            entryLine(&out, directory, entry)
            out.write("names inode ")
            out.write(number: Int64(inode))
            out.write(", past the inode table")
        case .entryNamesFreeInode(let directory, let entry, let inode):
            entryLine(&out, directory, entry)
            out.write("names inode ")
            out.write(number: Int64(inode))
            out.write(", which is free")
        case .badEntryName(let directory, let entry):
            entryLine(&out, directory, entry)
            out.write("has an empty name or a name with '/'")
        case .badDotEntry(let directory):
            inodeLine(&out, directory)
            out.write("first entry is not \".\" naming the directory itself")
        case .missingDotDotEntry(let directory):
            inodeLine(&out, directory)
            out.write("second entry is not \"..\"")
        case .misplacedDotEntry(let directory, let entry):
            entryLine(&out, directory, entry)
            out.write("is \".\" or \"..\" again after the first two entries")
        case .wrongParent(let directory, let dotDot, let parent):
            inodeLine(&out, directory)
            out.write("\"..\" names inode ")
            out.write(number: Int64(dotDot))
            out.write(" but the directory is in inode ")
            out.write(number: Int64(parent))
        case .directoryLinkedTwice(let directory, let first, let second):
            inodeLine(&out, directory)
            out.write("directory named from inode ")
            out.write(number: Int64(first))
            out.write(" and again from inode ")
            out.write(number: Int64(second))
            out.write(" (a directory may have one name)")
        case .rootNamedByEntry(let directory):
            inodeLine(&out, directory)
            out.write("an entry names the root directory")
        case .unreachableDirectory(let directory, let inCycle):
            inodeLine(&out, directory)
            if inCycle {
                out.write("directory not reachable from the root (a cycle of directories)")
            } else {
                out.write("directory not reachable from the root")
            }
        case .orphanInode(let inode, let linkCount):
            inodeLine(&out, inode)
            out.write("allocated (link count ")
            out.write(number: Int64(linkCount))
            out.write(") but no directory entry names it")
        case .linkCountMismatch(let inode, let linkCount, let references):
            inodeLine(&out, inode)
            out.write("link count ")
            out.write(number: Int64(linkCount))
            out.write(" but ")
            out.write(number: Int64(references))
            out.write(" directory entries name it")
        }
    }

    private func inodeLine<Output: CheckTextOutput>(_ out: inout Output, _ inode: UInt32) {
        out.write("inode ")
        out.write(number: Int64(inode))
        out.write(": ")
    }

    private func entryLine<Output: CheckTextOutput>(_ out: inout Output, _ directory: UInt32, _ entry: UInt32) {
        out.write("inode ")
        out.write(number: Int64(directory))
        out.write(": entry ")
        out.write(number: Int64(entry))
        out.write(" ")
    }

    private func blockRange<Output: CheckTextOutput>(_ out: inout Output, _ first: UInt32, _ last: UInt32) {
        out.write(first == last ? "block " : "blocks ")
        out.write(number: Int64(first))
        if first != last {
            out.write("-")
            out.write(number: Int64(last))
        }
        out.write(": ")
    }
}
