import PropertyBased
import Testing

@testable import MemoryCore

/// fork's one walk (`PageTable.shareLeaves`), teardown's one walk that
/// hands table pages back known zero, and the frames taken without clearing.

/// What the lock hooks of the tests below saw.
nonisolated(unsafe) private var lockTakings = 0
nonisolated(unsafe) private var lockDepth = 0
nonisolated(unsafe) private var lockTakenTwice = false

/// Physical memory that counts the whole-page pointers it gives out: a
/// frame cleared through `zeroFrame` asks for one.
private struct CountingMemory: PhysicalMemory {
    let inner: DirectMappedMemory
    let pageRequests: UnsafeMutablePointer<Int>

    func pointer(to address: PhysicalAddress, count: UInt64) -> UnsafeMutableRawPointer? {
        if count == pageBytes { pageRequests.pointee += 1 }
        return inner.pointer(to: address, count: count)
    }
}

private func va(_ raw: UInt64) -> VirtualAddress { VirtualAddress(raw) }
private func vrange(_ start: UInt64, _ size: UInt64) -> VirtualRange { VirtualRange(start: VirtualAddress(start), size: size)! }

/// The table pages on the walk to each of `pages` (root included), without repeats.
private func tablePages<S: PagingScheme, M: PhysicalMemory>(_ table: borrowing PageTable<S, M>, _ pages: [VirtualAddress]) -> Set<UInt64> {
    var found: Set<UInt64> = [table.rootAddress.raw]
    for page in pages {
        for level in 1..<S.levels {
            guard let raw = table.rawEntry(for: page, level: level) else { continue }
            let entry = S.decode(raw, level: level)
            if entry.kind == .table { found.insert(entry.address.raw) }
        }
    }
    return found
}

@Suite(.serialized) struct ForkWalkTests {
    @Test(arguments: bothSchemes) func cloneTakesTheAllocatorLockPerTableNotPerPage(_ scheme: any PagingScheme.Type) throws {
        try lockPerTable(scheme)
    }

    func lockPerTable<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM()
        do {
            var parent = try makeSpace(S.self, ram)
            try parent.setHeapStart(va(0x40_0000))
            try parent.growHeap(by: 256 * pageBytes)
            for page in 0..<UInt64(256) {
                _ = try parent.resolveFault(at: va(0x40_0000 + page * pageBytes), write: true)
            }
            ram.frames.pointee.lock = FrameAllocatorLock(acquire: { lockTakings += 1 }, release: {})
            lockTakings = 0
            let before = ram.freeFrames
            var child = try parent.clone()
            // 256 pages in one leaf table: one taking for the tables the
            // child needs on the way, one for the whole leaf table, not 256.
            #expect(lockTakings <= 2 * S.levels)
            #expect(before - ram.freeFrames == child.pageTable.ownedTablePages())
            var shared = 0
            child.forEachUserMapping { page, translation in
                shared += 1
                #expect(ram.frames.pointee.users(of: translation.pageStart.frame) == 2)
                #expect(translation.isCopyOnWrite && !translation.permissions.contains(.write))
                #expect(parent.translate(page)?.isCopyOnWrite == true)
                return true
            }
            #expect(shared == 256)
            lockTakings = 0
            _ = consume child
            #expect(lockTakings == 1)
            #expect(ram.freeFrames == before)
            // The child's table pages came back known zero: a second clone
            // takes the lock once for its root and once per part of the
            // window for the whole walk, its new tables included.
            lockTakings = 0
            let again = try parent.clone()
            #expect(lockTakings == (parent.userWindow.high == nil ? 2 : 3))
            #expect(before - ram.freeFrames == again.pageTable.ownedTablePages())
            _ = consume again
            #expect(ram.freeFrames == before)
            parent.forEachUserMapping { _, translation in
                #expect(ram.frames.pointee.users(of: translation.pageStart.frame) == 1)
                return true
            }
            ram.frames.pointee.lock = nil
        }
        #expect(ram.freeFrames == ram.totalFrames)
    }

    /// fork's walk holds the allocator's lock and gives it back to clear
    /// a table page that is not known zero and to copy a large page: the
    /// lock is never taken while held and is given back at the end, and
    /// the copies are right.
    @Test(arguments: bothSchemes) func theWalkNeverTakesTheLockItHolds(_ scheme: any PagingScheme.Type) throws {
        try walkLock(scheme)
    }

    func walkLock<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM(megabytes: 8)
        do {
            var parent = try PageTable<S, DirectMappedMemory>(memory: ram.memory, frames: ram.frames)
            let large = try ram.frames.pointee.allocateContiguous(count: 512, alignment: 512)
            try parent.map(va(0x20_0000), to: large.address, size: .size2M, permissions: .readWrite | .user, owned: true)
            let small = try ram.frames.pointee.allocate()
            // Not owned: copied too, into a frame of the pool under the lock.
            try parent.map(va(0x40_0000), to: small.address, permissions: .readWrite | .user)
            ram.memory.pointer(to: PhysicalAddress(large.address.raw + 0x1234), count: 1)!.storeBytes(of: 0x5A, as: UInt8.self)
            ram.memory.pointer(to: small.address, count: 1)!.storeBytes(of: 0xA5, as: UInt8.self)
            var child = try PageTable<S, DirectMappedMemory>(memory: ram.memory, frames: ram.frames)
            lockDepth = 0
            lockTakenTwice = false
            ram.frames.pointee.lock = FrameAllocatorLock(
                acquire: {
                    if lockDepth != 0 { lockTakenTwice = true }
                    lockDepth += 1
                },
                release: { lockDepth -= 1 })
            try parent.shareLeaves(in: vrange(0, 0x80_0000), with: &child)
            ram.frames.pointee.lock = nil
            #expect(!lockTakenTwice)
            #expect(lockDepth == 0)
            let largeTranslation = child.translate(va(0x20_1234))
            let largeCopy = try #require(largeTranslation)
            #expect(largeCopy.pageSize == .size2M && largeCopy.isOwned)
            #expect(largeCopy.pageStart != large.address)
            #expect(ram.memory.pointer(to: largeCopy.physicalAddress, count: 1)!.load(as: UInt8.self) == 0x5A)
            let smallTranslation = child.translate(va(0x40_0000))
            let smallCopy = try #require(smallTranslation)
            #expect(smallCopy.pageStart != small.address && smallCopy.isOwned)
            #expect(ram.memory.pointer(to: smallCopy.physicalAddress, count: 1)!.load(as: UInt8.self) == 0xA5)
        }
    }

    @Test(arguments: bothSchemes) func aFrameAtItsUserLimitIsCopiedForTheChild(_ scheme: any PagingScheme.Type) throws {
        try userLimit(scheme)
    }

    func userLimit<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM()
        do {
            var parent = try makeSpace(S.self, ram)
            try parent.mapUserPages(vrange(0x1000, 2 * pageBytes), permissions: .readWrite)
            try [UInt8(7), 8, 9].withUnsafeBytes { try parent.copyOut(to: va(0x1000), from: $0) }
            let fullTranslation = parent.translate(va(0x1000))
            let full = try #require(fullTranslation).pageStart.frame
            var extra = 0
            while (try? ram.frames.pointee.retain(full)) != nil { extra += 1 }
            let child = try parent.clone()
            let copyTranslation = child.translate(va(0x1000))
            let copy = try #require(copyTranslation)
            #expect(copy.pageStart.frame != full)
            #expect(copy.permissions.contains(.write) && !copy.isCopyOnWrite)
            var bytes = [UInt8](repeating: 0, count: 3)
            try bytes.withUnsafeMutableBytes { try child.copyIn(from: va(0x1000), into: $0) }
            #expect(bytes == [7, 8, 9])
            // The parent's page was left as it was; its neighbour is shared.
            let kept = parent.translate(va(0x1000)), neighbour = child.translate(va(0x2000))
            #expect(kept?.permissions.contains(.write) == true)
            #expect(neighbour?.isCopyOnWrite == true)
            for _ in 0..<extra { try ram.frames.pointee.release(full) }
        }
        #expect(ram.freeFrames == ram.totalFrames)
    }

    @Test(arguments: bothSchemes) func replaceLeafPointsOnePageAtAnotherFrame(_ scheme: any PagingScheme.Type) throws {
        try replaceLeaf(scheme)
    }

    func replaceLeaf<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM()
        do {
            var table = try PageTable<S, DirectMappedMemory>(memory: ram.memory, frames: ram.frames)
            let first = try ram.frames.pointee.allocate(), second = try ram.frames.pointee.allocate()
            try table.map(va(0x5000), to: first.address, permissions: .read | .user, owned: true)
            try table.protect(va(0x5000), permissions: .read | .user, copyOnWrite: true)
            try table.replaceLeaf(va(0x5000), with: second.address, permissions: .readWrite | .user)
            let translation = table.translate(va(0x5000))
            #expect(translation?.pageStart == second.address)
            #expect(translation?.isOwned == true && translation?.isCopyOnWrite == false)
            #expect(translation?.permissions.contains(.write) == true)
            #expect(throws: MapError.notMapped) { try table.replaceLeaf(va(0x7000), with: first.address, permissions: .read) }
            #expect(throws: MapError.misaligned) { try table.replaceLeaf(va(0x5000), with: PhysicalAddress(first.address.raw + 8), permissions: .read) }
            try table.map(va(0x40_0000), to: PhysicalAddress(0x8020_0000), size: .size2M, permissions: .read)
            #expect(throws: MapError.unsupportedPageSize) { try table.replaceLeaf(va(0x40_0000), with: first.address, permissions: .read) }
            _ = try table.unmap(va(0x5000))
            try ram.frames.pointee.free(first)
            try ram.frames.pointee.free(second)
        }
        #expect(ram.freeFrames == ram.totalFrames)
    }

    @Test(arguments: bothSchemes) func teardownHandsTablePagesBackZeroAndTheyAreTakenWithoutClearing(
        _ scheme: any PagingScheme.Type
    ) throws {
        try zeroTables(scheme)
    }

    func zeroTables<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM()
        // Pages in five places far apart, in tables of their own.
        var pages: [VirtualAddress] = [va(0x1000), va(0x20_0000), va(0x4000_0000), va(0x20_0000_0000)]
        pages.append(S.levels == 3 ? va(0x3F_FFFF_D000) : va(0xFFFF_FF7F_FFFF_E000))
        var tables: Set<UInt64> = []
        do {
            var space = try makeSpace(S.self, ram)
            for page in pages { try space.mapUserPages(VirtualRange(start: page, size: pageBytes)!, permissions: .readWrite) }
            var seen: [VirtualAddress] = []
            space.forEachUserMapping { page, _ in
                seen.append(page)
                return true
            }
            #expect(seen == pages)
            tables = tablePages(space.pageTable, pages)
            #expect(UInt64(tables.count) == space.pageTable.ownedTablePages())
        }
        #expect(ram.freeFrames == ram.totalFrames)
        // Every table page is back with all its bytes zero...
        for table in tables {
            let bytes = ram.memory.pointer(to: PhysicalAddress(table), count: pageBytes)!
            #expect((0..<Int(pageBytes)).allSatisfy { bytes.load(fromByteOffset: $0, as: UInt8.self) == 0 })
        }
        // ...and is handed out zeroed again without being cleared.
        var requests = 0
        let counting = CountingMemory(inner: ram.memory, pageRequests: &requests)
        var again: Set<UInt64> = []
        for _ in tables { again.insert(try ram.frames.pointee.allocateZeroed(counting).address.raw) }
        #expect(again == tables)
        #expect(requests == 0)
        // Once they are gone, a frame is cleared: the RAM is not zero to begin with.
        let cleared = try ram.frames.pointee.allocateZeroed(counting)
        #expect(requests == 1)
        let bytes = ram.memory.pointer(to: cleared.address, count: pageBytes)!
        #expect((0..<Int(pageBytes)).allSatisfy { bytes.load(fromByteOffset: $0, as: UInt8.self) == 0 })
        try ram.frames.pointee.free(cleared)
        for table in again { try ram.frames.pointee.free(PhysicalAddress(table).frame) }
        #expect(ram.freeFrames == ram.totalFrames)
    }

    /// A frame once freed known zero, then taken by a plain `allocate` and
    /// freed dirty, is not mistaken for zero.
    @Test func aKnownZeroFrameTakenMeanwhileIsClearedAgain() throws {
        let ram = SimulatedRAM(megabytes: 1)
        var held: [FrameNumber] = []
        while let frame = try? ram.frames.pointee.allocate() { held.append(frame) }
        let frame = held.removeLast()
        ram.memory.zeroFrame(frame)
        try ram.frames.pointee.freeZeroed(frame)
        #expect(try ram.frames.pointee.allocate() == frame)  // the only free frame
        ram.memory.pointer(to: frame.address, count: 1)!.storeBytes(of: 0x5A, as: UInt8.self)
        try ram.frames.pointee.free(frame)
        var requests = 0
        let counting = CountingMemory(inner: ram.memory, pageRequests: &requests)
        #expect(try ram.frames.pointee.allocateZeroed(counting) == frame)
        #expect(requests == 1)
        #expect(ram.memory.pointer(to: frame.address, count: 1)!.load(as: UInt8.self) == 0)
        held.append(frame)
        for frame in held { try ram.frames.pointee.free(frame) }
        #expect(ram.freeFrames == ram.totalFrames)
    }

    /// Kernel pages that need no clearing (a kernel stack) are taken under
    /// one taking of the lock per leaf table, and never cleared.
    @Test(arguments: bothSchemes) func unclearedFramesAreTakenInOneRun(_ scheme: any PagingScheme.Type) throws {
        try uncleared(scheme)
    }

    func uncleared<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM()
        do {
            var table = try PageTable<S, DirectMappedMemory>(memory: ram.memory, frames: ram.frames)
            table.freesOwnedLeaves = true
            let stack = vrange(0x20_0000_0000, 64 * pageBytes)
            ram.frames.pointee.lock = FrameAllocatorLock(acquire: { lockTakings += 1 }, release: {})
            lockTakings = 0
            try table.mapFreshFrames(stack, permissions: .readWrite, zeroed: false)
            // One taking per table made on the way, one for the 64 frames.
            #expect(lockTakings == S.levels)
            var mapped = 0
            table.forEachMapping(in: stack) { _, translation in
                mapped += 1
                #expect(translation.isOwned && translation.pageSize == .size4K)
                #expect(!translation.permissions.contains(.user))
                // Not cleared: the simulated RAM starts filled with 0xA5.
                #expect(ram.memory.pointer(to: translation.physicalAddress, count: 1)!.load(as: UInt8.self) == 0xA5)
                return true
            }
            #expect(mapped == 64)
            ram.frames.pointee.lock = nil
        }
        #expect(ram.freeFrames == ram.totalFrames)
    }
}
