/// Why a file-system call failed. Every failure is one of these, thrown
/// with typed throws; the kernel turns it into -1 (and may print
/// `message`). Nothing on disk or in a call's arguments makes the core trap.
public enum FileSystemError: Error, Equatable, Sendable {
    /// The superblock was refused at mount.
    case badSuperblock(SuperblockProblem)
    /// The superblock's log is too small to hold one operation.
    case logTooSmall
    /// The committed log names blocks outside the file system.
    case corruptLog
    /// A block device request failed (or failed earlier: once a commit
    /// fails, the volume refuses further calls, because memory and disk
    /// may disagree).
    case ioError
    /// A structure on disk is impossible (a block number out of range, an
    /// inode of unknown type, an entry naming a free inode...).
    case corrupt(CorruptionKind)
    case notFound
    case alreadyExists
    case notADirectory
    case isADirectory
    case directoryNotEmpty
    /// The path is empty, or names `.` or `..` where that is not allowed.
    case invalidName
    /// The memory handed to the volume is too small for its tables.
    case notEnoughMemory
    case noFreeBlocks
    case noFreeInodes
    /// Every slot of the in-memory inode table is in use.
    case inodeTableFull
    /// Every buffer is in use.
    case noFreeBuffers
    /// The offset is past the end of the file, or the write would pass the
    /// largest file the format allows.
    case badOffset
    case tooManyLinks
    /// Copying to or from the caller's memory failed before any byte moved.
    case badAddress
    /// An operation asked the log for more blocks than it reserved (a core bug).
    case transactionTooLarge

    public var message: StaticString {
        switch self {
        case .badSuperblock(let problem): problem.message
        case .logTooSmall: "file system log too small for one operation"
        case .corruptLog: "file system log names blocks outside the disk"
        case .ioError: "disk I/O error"
        case .corrupt(let kind): kind.message
        case .notFound: "no such file or directory"
        case .alreadyExists: "file exists"
        case .notADirectory: "not a directory"
        case .isADirectory: "is a directory"
        case .directoryNotEmpty: "directory not empty"
        case .invalidName: "invalid name"
        case .notEnoughMemory: "file system memory too small"
        case .noFreeBlocks: "no free disk blocks"
        case .noFreeInodes: "no free inodes"
        case .inodeTableFull: "in-memory inode table full"
        case .noFreeBuffers: "no free disk buffers"
        case .badOffset: "offset beyond the file or its largest size"
        case .tooManyLinks: "too many links"
        case .badAddress: "bad address"
        case .transactionTooLarge: "transaction larger than the log"
        }
    }
}

/// What was found corrupt on disk.
public enum CorruptionKind: Equatable, Sendable {
    case blockOutOfRange
    case badInodeType
    case badFileSize
    case entryNamesFreeInode
    case inodeNumberOutOfRange
    case freeingFreeBlock
    case badDirectory
    case rootNotDirectory
    case badLinkCount

    public var message: StaticString {
        switch self {
        case .blockOutOfRange: "corrupt file system: block number out of range"
        case .badInodeType: "corrupt file system: inode of unknown type"
        case .badFileSize: "corrupt file system: file size beyond the format's limit"
        case .entryNamesFreeInode: "corrupt file system: directory entry names a free inode"
        case .inodeNumberOutOfRange: "corrupt file system: inode number out of range"
        case .freeingFreeBlock: "corrupt file system: freeing a block that is already free"
        case .badDirectory: "corrupt file system: directory entry names its own directory"
        case .rootNotDirectory: "corrupt file system: the root inode is not a directory"
        case .badLinkCount: "corrupt file system: inode link count out of range"
        }
    }
}
