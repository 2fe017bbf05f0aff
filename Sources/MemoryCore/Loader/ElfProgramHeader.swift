/// One program header, as read from the file.
struct ElfProgramHeader {
    static let typeLoad: UInt32 = 1
    static let flagExecute: UInt32 = 1
    static let flagWrite: UInt32 = 2
    static let flagRead: UInt32 = 4

    let type: UInt32
    let flags: UInt32
    let offset: UInt64
    let virtualAddress: UInt64
    let fileSize: UInt64
    let memorySize: UInt64
    let alignment: UInt64

    /// nil when the 56 bytes at `at` are not all inside the file.
    init?(_ bytes: ElfBytes, at: UInt64) {
        guard bytes.contains(offset: at, length: ElfHeader.programHeaderSize),
            let type = bytes.u32(at: at), let flags = bytes.u32(at: at + 4),
            let offset = bytes.u64(at: at + 8), let virtualAddress = bytes.u64(at: at + 16),
            let fileSize = bytes.u64(at: at + 32), let memorySize = bytes.u64(at: at + 40),
            let alignment = bytes.u64(at: at + 48)
        else { return nil }
        self.type = type
        self.flags = flags
        self.offset = offset
        self.virtualAddress = virtualAddress
        self.fileSize = fileSize
        self.memorySize = memorySize
        self.alignment = alignment
    }

    /// What user mode may do with the segment's pages.
    var permissions: PagePermissions {
        var permissions: PagePermissions = .user
        if flags & Self.flagRead != 0 { permissions.insert(.read) }
        if flags & Self.flagWrite != 0 { permissions.insert(.write) }
        if flags & Self.flagExecute != 0 { permissions.insert(.execute) }
        return permissions
    }
}
