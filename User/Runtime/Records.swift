// The records the kernel writes into user memory, read field by field at
// their C offsets (User/include/user.h), so that Swift's own struct layout
// never matters.

/// struct stat: { int dev; uint ino; short type; short nlink; uint64 size; }, 24 bytes.
public struct FileStatus {
    public typealias Record = InlineArray<24, UInt8>
    public static let directory: Int16 = 1
    public static let file: Int16 = 2
    public static let device: Int16 = 3

    public var device: Int32
    public var inode: UInt32
    public var type: Int16
    public var links: Int16
    public var size: UInt64

    init(_ record: Record) {
        var record = record
        (device, inode, type, links, size) = withUnsafeBytes(of: &record) { raw in
            (
                raw.loadUnaligned(fromByteOffset: 0, as: Int32.self),
                raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self),
                raw.loadUnaligned(fromByteOffset: 8, as: Int16.self),
                raw.loadUnaligned(fromByteOffset: 10, as: Int16.self),
                raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
            )
        }
    }
}

/// How a child ended: struct exitinfo's cause (User/include/user.h).
public enum EndCause: UInt32 {
    case exited = 0
    case killed = 1
    case readFault = 2
    case writeFault = 3
    case executeFault = 4
    case illegalInstruction = 5
    case misaligned = 6
    case breakpoint = 7
    case exception = 8
    case outOfMemory = 9
}

/// struct exitinfo: { int pid; int status; uint32 cause; uint32 detail;
/// uint64 address; uint64 pc; }, 32 bytes.
public struct ExitInfo {
    public static let size = 32
    public typealias Record = InlineArray<32, UInt8>

    public var pid: Int32
    public var status: Int32
    /// An `EndCause` raw value (a newer kernel may add causes).
    public var cause: UInt32
    public var detail: UInt32
    public var address: UInt64
    public var pc: UInt64

    init(_ record: Record) {
        var record = record
        (pid, status, cause, detail, address, pc) = withUnsafeBytes(of: &record) { raw in
            (
                raw.loadUnaligned(fromByteOffset: 0, as: Int32.self),
                raw.loadUnaligned(fromByteOffset: 4, as: Int32.self),
                raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self),
                raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self),
                raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self),
                raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
            )
        }
    }
}

/// struct memregion: { uint64 start, end; uint32 perms, flags; char name[48];
/// uint32 state, users; }, 80 bytes.
public struct MemoryRegion {
    public static let size = 80
    public static let nameCapacity = 48
    // perms bits
    public static let read: UInt32 = 1 << 0
    public static let write: UInt32 = 1 << 1
    public static let execute: UInt32 = 1 << 2
    public static let user: UInt32 = 1 << 3
    // flags bits: the guard bit, and LayoutText's kind and owner columns
    public static let guardPage: UInt32 = 1 << 0
    public static let kindShift: UInt32 = 8
    public static let ownerShift: UInt32 = 12

    public let start: UInt64
    public let end: UInt64
    public let permissions: UInt32
    public let flags: UInt32
    /// The name's bytes, up to the NUL (valid while the record is).
    public let name: UnsafeRawBufferPointer
    /// The pages' state (LayoutLineState's raw value; 0: none, as for a
    /// guard or the kernel's pages) and, for a shared run, its frames' users.
    public let stateValue: UInt32
    public let users: UInt32

    public var state: LayoutLineState? { LayoutLineState(rawValue: stateValue) }

    /// How the region is backed; a record without the kind says only guard or not.
    public var kind: LayoutLineKind {
        LayoutLineKind(rawValue: (flags >> MemoryRegion.kindShift) & 0xF) ?? (flags & MemoryRegion.guardPage != 0 ? .guardPage : .frames)
    }

    /// Whose the region is; user when the record does not say.
    public var owner: LayoutLineOwner { LayoutLineOwner(rawValue: (flags >> MemoryRegion.ownerShift) & 0xF) ?? .user }

    /// Reads the record at `record` (72 bytes).
    public init(record: UnsafeRawPointer) {
        start = record.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
        end = record.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        permissions = record.loadUnaligned(fromByteOffset: 16, as: UInt32.self)
        flags = record.loadUnaligned(fromByteOffset: 20, as: UInt32.self)
        let text = record + 24
        var n = 0
        while n < MemoryRegion.nameCapacity && text.load(fromByteOffset: n, as: UInt8.self) != 0 { n += 1 }
        name = UnsafeRawBufferPointer(start: text, count: n)
        stateValue = record.loadUnaligned(fromByteOffset: 72, as: UInt32.self)
        users = record.loadUnaligned(fromByteOffset: 76, as: UInt32.self)
    }
}

/// struct dirent: { ushort inum; char name[14]; }, 16 bytes; the name is
/// NUL-padded, and not terminated when it is 14 bytes long.
public struct DirectoryEntry {
    public static let size = 16
    public static let nameCapacity = 14

    public let inode: UInt16
    public let name: UnsafeRawBufferPointer

    public init(record: UnsafeRawPointer) {
        inode = record.loadUnaligned(fromByteOffset: 0, as: UInt16.self)
        let text = record + 2
        var n = 0
        while n < DirectoryEntry.nameCapacity && text.load(fromByteOffset: n, as: UInt8.self) != 0 { n += 1 }
        name = UnsafeRawBufferPointer(start: text, count: n)
    }
}
