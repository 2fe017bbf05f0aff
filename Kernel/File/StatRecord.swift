/// The record fstat fills: xv6's `struct stat`, 24 bytes, little-endian:
///
///     offset 0  int dev      (0: one disk)
///            4  uint ino     inode number
///            8  short type   1 directory, 2 file, 3 device (`InodeType`)
///           10  short nlink  link count
///           16  uint64 size  bytes
///
/// The C copy is User/include/stat.h; the guest tests (fstest's and xv6's
/// usertests' fstat checks) read the fields through it, which ties the two.
struct StatRecord {
    static let size = 24
    static let inodeOffset = 4
    static let typeOffset = 8
    static let linkCountOffset = 10
    static let sizeOffset = 16

    var bytes: InlineArray<24, UInt8> = .init(repeating: 0)

    init(_ status: FileStatus) {
        FileCalls.store(&bytes, at: Self.inodeOffset, UInt64(status.inode.raw), bytes: 4)
        FileCalls.store(&bytes, at: Self.typeOffset, UInt64(UInt16(bitPattern: status.type.rawValue)), bytes: 2)
        FileCalls.store(&bytes, at: Self.linkCountOffset, UInt64(UInt16(bitPattern: status.linkCount)), bytes: 2)
        FileCalls.store(&bytes, at: Self.sizeOffset, UInt64(status.size), bytes: 8)
    }
}
