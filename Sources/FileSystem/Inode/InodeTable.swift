/// One slot of the in-memory inode table.
///
/// Who touches what: `number`, `references`, the sleep-lock word `locked`
/// and `waiting` only under the `.inodeTable` spinlock; `valid` and `disk`
/// (the inode's fields, kept beside the slots in `inodeFields`) only by the
/// holder of the slot's sleep lock, or under the spinlock while the slot
/// has no references (nobody can hold its sleep lock then).
///
/// A slot with references keeps its number. An unreferenced slot keeps
/// its number and, when `valid`, its fields: the next reference to that
/// inode finds them without reading the disk (every change to an inode
/// goes through its slot, and freeing an inode clears `valid`), until the
/// slot is reused for another inode. At most one slot that is referenced
/// or valid carries a given number.
struct InodeSlot {
    var number = InodeNumber(0)
    var references = 0
    var locked = false
    /// Someone sleeps on this slot's sleep lock: the unlock wakes them.
    var waiting = false
    var valid = false
}

/// A counted reference to an in-memory inode: what the kernel keeps in an
/// open file or as a process's current directory. Every reference the core
/// hands out is given back with `close` (or `release` inside the core).
public struct InodeReference: Equatable, Sendable {
    let slot: Int
    public let number: InodeNumber
}

extension FileSystemVolume {
    /// A reference to inode `number` (not locked; its fields are read at
    /// the first `lock` unless an unreferenced slot still holds them).
    /// A new slot is one never used or no longer valid if there is one,
    /// else the first unreferenced one.
    func inode(_ number: InodeNumber) throws(FileSystemError) -> InodeReference {
        guard number.raw > 0, number.raw < superblock.inodeCount else { throw .corrupt(.inodeNumberOutOfRange) }
        host.acquire(.inodeTable)
        defer { host.release(.inodeTable) }
        var empty = -1
        var emptyValid = -1
        for i in 0..<inodeSlotCount {
            let slot = inodeSlots + i
            if slot.pointee.number == number && (slot.pointee.references > 0 || slot.pointee.valid) {
                slot.pointee.references += 1
                return InodeReference(slot: i, number: number)
            }
            if slot.pointee.references == 0 {
                if !slot.pointee.valid {
                    if empty < 0 { empty = i }
                } else if emptyValid < 0 {
                    emptyValid = i
                }
            }
        }
        if empty < 0 { empty = emptyValid }
        guard empty >= 0 else { throw .inodeTableFull }
        inodeSlots[empty].number = number
        inodeSlots[empty].references = 1
        inodeSlots[empty].valid = false
        return InodeReference(slot: empty, number: number)
    }

    /// One more reference to an inode the caller already references.
    public func duplicate(_ inode: InodeReference) -> InodeReference {
        host.acquire(.inodeTable)
        inodeSlots[inode.slot].references += 1
        host.release(.inodeTable)
        return inode
    }

    /// Takes the inode's sleep lock and reads it from disk if needed. An
    /// inode that is free or impossible on disk is refused (and left unlocked).
    func lock(_ inode: InodeReference) throws(FileSystemError) {
        host.acquire(.inodeTable)
        while inodeSlots[inode.slot].locked {
            inodeSlots[inode.slot].waiting = true
            host.sleep(on: FileSystemChannel(kind: .inode, index: inode.slot), releasing: .inodeTable)
        }
        inodeSlots[inode.slot].locked = true
        host.release(.inodeTable)
        if inodeSlots[inode.slot].valid { return }
        do throws(FileSystemError) {
            let buffer = try cache.read(superblock.block(holding: inode.number))
            let disk = DiskInode(decoding: UnsafeRawBufferPointer(cache.bytes(buffer)), at: superblock.offset(of: inode.number))
            cache.release(buffer)
            try check(disk)
            inodeFields[inode.slot] = disk
            inodeSlots[inode.slot].valid = true
        } catch {
            unlock(inode)
            throw error
        }
    }

    /// `lock`, dropping the caller's reference too when it fails.
    func lockOrRelease(_ inode: InodeReference) throws(FileSystemError) {
        do throws(FileSystemError) { try lock(inode) } catch {
            try? release(inode)
            throw error
        }
    }

    /// Checks that a referenced inode is a directory; when it is not (or
    /// cannot be read), the reference is dropped and the call fails.
    func requireDirectory(_ inode: InodeReference) throws(FileSystemError) {
        try lockOrRelease(inode)
        let isDirectory = fields(inode).pointee.inodeType == .directory
        unlock(inode)
        guard isDirectory else {
            try? release(inode)
            throw .notADirectory
        }
    }

    /// Refuses an on-disk inode that the core must not trust.
    private func check(_ disk: DiskInode) throws(FileSystemError) {
        guard let type = disk.inodeType else { throw .corrupt(.badInodeType) }
        if type == .free { throw .corrupt(.entryNamesFreeInode) }
        if disk.size > UInt32(DiskFormat.maxFileSize) { throw .corrupt(.badFileSize) }
        if disk.linkCount < 0 { throw .corrupt(.badLinkCount) }
    }

    func unlock(_ inode: InodeReference) {
        host.acquire(.inodeTable)
        inodeSlots[inode.slot].locked = false
        if inodeSlots[inode.slot].waiting {
            inodeSlots[inode.slot].waiting = false
            host.wakeup(FileSystemChannel(kind: .inode, index: inode.slot))
        }
        host.release(.inodeTable)
    }

    /// The fields of a locked inode.
    func fields(_ inode: InodeReference) -> UnsafeMutablePointer<DiskInode> {
        inodeFields + inode.slot
    }

    /// Writes a locked inode's fields to its disk block (inside an operation).
    func update(_ inode: InodeReference) throws(FileSystemError) {
        let buffer = try cache.read(superblock.block(holding: inode.number))
        defer { cache.release(buffer) }
        fields(inode).pointee.encode(into: cache.bytes(buffer), at: superblock.offset(of: inode.number))
        try log.write(buffer)
    }

    /// Drops a reference unless it is the one that must free the inode
    /// (see `release`): true when dropped. Such a put writes nothing, so it
    /// needs no operation of the log.
    @inline(never)
    func releaseUnlessFreeing(_ inode: InodeReference) -> Bool {
        host.acquire(.inodeTable)
        defer { host.release(.inodeTable) }
        if freesOnRelease(inode) { return false }
        inodeSlots[inode.slot].references -= 1
        return true
    }

    /// Whether dropping the caller's reference must free the inode: it is
    /// the last one and the inode has no links. Caller holds `.inodeTable`;
    /// only the last reference looks at the fields without the sleep lock
    /// (nobody else can hold it then), and none can be added meanwhile.
    private func freesOnRelease(_ inode: InodeReference) -> Bool {
        inodeSlots[inode.slot].references == 1 && inodeSlots[inode.slot].valid
            && inodeFields[inode.slot].linkCount == 0
    }

    /// Drops a reference (inside an operation). The last reference to an
    /// inode with no links left frees it: its blocks, then the inode.
    func release(_ inode: InodeReference) throws(FileSystemError) {
        host.acquire(.inodeTable)
        if freesOnRelease(inode) {
            // Nobody else can reach the inode: the sleep lock is free.
            host.release(.inodeTable)
            try lock(inode)
            var failure: FileSystemError? = nil
            do throws(FileSystemError) {
                try truncateData(inode)
                fields(inode).pointee.type = InodeType.free.rawValue
                try update(inode)
            } catch { failure = error }
            inodeSlots[inode.slot].valid = false
            unlock(inode)
            host.acquire(.inodeTable)
            inodeSlots[inode.slot].references -= 1
            host.release(.inodeTable)
            if let failure { throw failure }
            return
        }
        inodeSlots[inode.slot].references -= 1
        host.release(.inodeTable)
    }

    func unlockAndRelease(_ inode: InodeReference) throws(FileSystemError) {
        unlock(inode)
        try release(inode)
    }

    /// A new inode of `type` with no links (inside an operation), referenced.
    func allocateInode(_ type: InodeType) throws(FileSystemError) -> InodeReference {
        let perBlock = UInt32(DiskFormat.inodesPerBlock)
        var number: UInt32 = 1
        while number < superblock.inodeCount {
            let buffer = try cache.read(superblock.block(holding: InodeNumber(number)))
            defer { cache.release(buffer) }
            let bytes = cache.bytes(buffer)
            let blockEnd = min((number / perBlock + 1) * perBlock, superblock.inodeCount)
            while number < blockEnd {
                let offset = superblock.offset(of: InodeNumber(number))
                // The type is the record's first field.
                if Int16(bitPattern: bytes.littleEndianHalf(at: offset)) == InodeType.free.rawValue {
                    // The table slot first, so a full table leaves the disk alone.
                    let reference = try inode(InodeNumber(number))
                    var fresh = DiskInode()
                    fresh.type = type.rawValue
                    fresh.encode(into: bytes, at: offset)
                    do throws(FileSystemError) { try log.write(buffer) } catch {
                        dropReference(reference)
                        throw error
                    }
                    return reference
                }
                number += 1
            }
        }
        throw .noFreeInodes
    }

    /// Drops a reference that cannot be the one that frees the inode.
    func dropReference(_ inode: InodeReference) {
        host.acquire(.inodeTable)
        inodeSlots[inode.slot].references -= 1
        host.release(.inodeTable)
    }
}
