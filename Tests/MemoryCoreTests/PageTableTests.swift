import MemoryCore
import PropertyBased
import Testing

typealias TestTable<S: PagingScheme> = PageTable<S, DirectMappedMemory>

/// Both schemes, so that every test runs once per scheme.
let bothSchemes: [any PagingScheme.Type] = [Sv39.self, X86_64FourLevel.self]

/// The lowest address of the scheme's upper (kernel) half.
func upperHalfStart<S: PagingScheme>(_: S.Type) -> VirtualAddress {
    VirtualAddress(S.canonical(1 << UInt64(S.virtualAddressBits - 1)))
}

/// Checks that `body` throws exactly `expected`. (A closure, not `#expect(throws:)`,
/// so that it can use a ~Copyable table.)
func expectError<E: Error & Equatable>(
    _ expected: E, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected \(expected), nothing was thrown", sourceLocation: sourceLocation)
    } catch {
        #expect(error as? E == expected, sourceLocation: sourceLocation)
    }
}

/// `#require` cannot call a method of a ~Copyable value, so the call happens outside it.
func require<T>(_ value: T?, sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
    try #require(value, sourceLocation: sourceLocation)
}

private func va(_ raw: UInt64) -> VirtualAddress { VirtualAddress(raw) }
private func pa(_ raw: UInt64) -> PhysicalAddress { PhysicalAddress(raw) }
private func vrange(_ start: UInt64, _ size: UInt64) -> VirtualRange { VirtualRange(start: VirtualAddress(start), size: size)! }

@Suite struct PageTableTests {
    @Test(arguments: bothSchemes) func mapTranslateUnmapAtEverySize(_ scheme: any PagingScheme.Type) throws {
        try roundTrips(scheme)
    }

    func roundTrips<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM()
        do {
            var table = try TestTable<S>(memory: ram.memory, frames: ram.frames)
            let high = upperHalfStart(S.self).raw
            let cases: [(VirtualAddress, PhysicalAddress, PageSize)] = [
                (va(0x1000), pa(0x8765_4000), .size4K),
                (va(0x4020_0000), pa(0x9000_0000), .size2M),
                (va(0x1_0000_0000), pa(0x1_4000_0000), .size1G),
                (va(high + 0x5000), pa(0x8000_0000), .size4K),
                (va(high + 0x4000_0000), pa(0xC000_0000), .size1G),
            ]
            for (v, p, size) in cases {
                try table.map(v, to: p, size: size, permissions: .readWrite)
            }
            for (v, p, size) in cases {
                for offset: UInt64 in [0, 1, 0xFFF, size.bytes / 2, size.bytes - 1] {
                    let translation = table.translate(v.adding(offset)!)
                    #expect(translation?.physicalAddress == p.adding(offset))
                    #expect(translation?.pageSize == size)
                    #expect(translation?.permissions == .readWrite)
                }
                let past = table.translate(v.adding(size.bytes)!)
                #expect(past == nil)
            }
            for (v, p, size) in cases {
                let removed = try table.unmap(v)
                #expect(removed.physicalAddress == p)
                #expect(removed.pageSize == size)
                let gone = table.translate(v)
                #expect(gone == nil)
            }
            expectError(MapError.notMapped) { _ = try table.unmap(va(0x1000)) }
        }
        #expect(ram.freeFrames == ram.totalFrames)
    }

    @Test func sv39EntryBits() throws {
        let ram = SimulatedRAM()
        var table = try TestTable<Sv39>(memory: ram.memory, frames: ram.frames)
        try table.map(va(0x1000), to: pa(0x8000_1000), permissions: .read | .write | .user)
        try table.map(va(0x2000), to: pa(0x8000_2000), permissions: .readExecute | .global)
        let leaf = try require(table.rawEntry(for: va(0x1000), level: 0))
        // V R W U A D, no X, no G; PPN at bit 10.
        #expect(leaf & 0x3FF == 0b1101_0111)
        #expect(leaf >> 10 == 0x8000_1)
        let exec = try require(table.rawEntry(for: va(0x2000), level: 0))
        #expect(exec & 0x3FF == 0b1110_1011)
        // Upper levels carry V alone.
        for level in 1...2 {
            let entry = try require(table.rawEntry(for: va(0x1000), level: level))
            #expect(entry & 0x3FF == 1)
        }
        expectError(MapError.invalidPermissions) { try table.map(va(0x3000), to: pa(0x8000_3000), permissions: .write) }
        expectError(MapError.invalidPermissions) { try table.map(va(0x3000), to: pa(0x8000_3000), permissions: .user) }
        expectError(MapError.invalidPermissions) { try table.map(va(0x3000), to: pa(0x8000_3000), permissions: .none) }
    }

    @Test func x86EntryBits() throws {
        let ram = SimulatedRAM()
        var table = try TestTable<X86_64FourLevel>(memory: ram.memory, frames: ram.frames)
        try table.map(va(0x1000), to: pa(0x8000_1000), permissions: .read | .write | .user)
        try table.map(va(0x4000_0000), to: pa(0x8000_2000), permissions: .readExecute | .global)
        try table.map(va(0x4020_0000), to: pa(0x8020_0000), size: .size2M, permissions: .readOnly)
        let data = try require(table.rawEntry(for: va(0x1000), level: 0))
        // P RW US A D and NX; address in bits 12..51.
        #expect(data & 0xFFF == 0b0110_0111)
        #expect(data >> 63 == 1)
        #expect(data & 0x000F_FFFF_FFFF_F000 == 0x8000_1000)
        let text = try require(table.rawEntry(for: va(0x4000_0000), level: 0))
        #expect(text & 0xFFF == 0b1_0110_0001)
        #expect(text >> 63 == 0)
        let large = try require(table.rawEntry(for: va(0x4020_0000), level: 1))
        #expect(large & 0xFFF == 0b1110_0001)  // P A D PS
        // Tables: P|RW, plus US only on the path to the user page.
        for level in 1...3 {
            let userPath = try require(table.rawEntry(for: va(0x1000), level: level))
            #expect(userPath & 0xFFF == 0b111)
            #expect(userPath >> 63 == 0)
        }
        let kernelPath = try require(table.rawEntry(for: va(0x4000_0000), level: 1))
        #expect(kernelPath & 0xFFF == 0b011)
        expectError(MapError.invalidPermissions) { try table.map(va(0x3000), to: pa(0x8000_3000), permissions: .execute) }
        expectError(MapError.invalidPermissions) { try table.map(va(0x3000), to: pa(0x8000_3000), permissions: .write) }
    }

    /// Pages mapped one at a time in the same 2 MiB reuse the last table of
    /// leaves without a walk: a user page after a kernel page in that table
    /// must still open the tables above it to user mode.
    @Test func x86UserPageAfterKernelPageInTheSameTableOpensThePath() throws {
        let ram = SimulatedRAM()
        var table = try TestTable<X86_64FourLevel>(memory: ram.memory, frames: ram.frames)
        try table.map(va(0x20_0000), to: pa(0x8000_1000), permissions: .readWrite)
        for level in 1...3 {
            #expect(try require(table.rawEntry(for: va(0x20_0000), level: level)) & 0b100 == 0)
        }
        try table.map(va(0x20_1000), to: pa(0x8000_2000), permissions: .readWrite | .user)
        for level in 1...3 {
            #expect(try require(table.rawEntry(for: va(0x20_1000), level: level)) & 0b100 != 0)
        }
        // The next pages take the known table: same entries, no new table pages.
        let free = ram.freeFrames
        try table.map(va(0x20_2000), to: pa(0x8000_3000), permissions: .readWrite | .user)
        expectError(MapError.alreadyMapped) { try table.map(va(0x20_2000), to: pa(0x8000_4000), permissions: .readWrite) }
        #expect(ram.freeFrames == free)
        #expect(table.translate(va(0x20_2000))?.physicalAddress == pa(0x8000_3000))
        // Another 2 MiB gets its own table.
        try table.map(va(0x40_0000), to: pa(0x8000_4000), permissions: .readWrite)
        #expect(ram.freeFrames == free - 1)
        #expect(table.translate(va(0x40_0000))?.physicalAddress == pa(0x8000_4000))
    }

    @Test(arguments: bothSchemes) func permissionsSurviveEncoding(_ scheme: any PagingScheme.Type) throws {
        try permissionRoundTrip(scheme)
    }

    func permissionRoundTrip<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM()
        var table = try TestTable<S>(memory: ram.memory, frames: ram.frames)
        var encodable = 0
        for raw in UInt8(0)..<64 {
            let permissions = PagePermissions(rawValue: raw)
            let page = va(UInt64(raw + 1) * 0x1000)
            guard S.canEncode(permissions) else {
                expectError(MapError.invalidPermissions) { try table.map(page, to: pa(0x8000_0000), permissions: permissions) }
                continue
            }
            encodable += 1
            try table.map(page, to: pa(0x8000_0000), permissions: permissions)
            #expect(table.translate(page)?.permissions == permissions)
        }
        // Sv39: 5 R/W/X combinations times U times G, never uncached;
        // x86-64: readable with any of W, X, U, G, uncached.
        #expect(encodable == (S.levels == 3 ? 20 : 32))
    }

    @Test(arguments: bothSchemes) func protectChangesOnlyThatLeaf(_ scheme: any PagingScheme.Type) throws {
        try protectOne(scheme)
    }

    func protectOne<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM()
        var table = try TestTable<S>(memory: ram.memory, frames: ram.frames)
        let userData = PagePermissions.readWrite | .user
        try table.map(va(0x40_1000), to: pa(0x8000_1000), permissions: userData)
        try table.map(va(0x40_2000), to: pa(0x8000_2000), permissions: userData)
        var before: [UInt64] = []
        for level in 0..<S.levels { before.append(try require(table.rawEntry(for: va(0x40_2000), level: level))) }

        try table.protect(va(0x40_1000), permissions: .readOnly)
        #expect(table.translate(va(0x40_1000))?.permissions == .readOnly)
        try table.protect(va(0x40_1000), permissions: .readExecute | .user)
        #expect(table.translate(va(0x40_1000))?.permissions == .readExecute | .user)
        #expect(table.translate(va(0x40_1000))?.physicalAddress == pa(0x8000_1000))

        var after: [UInt64] = []
        for level in 0..<S.levels { after.append(try require(table.rawEntry(for: va(0x40_2000), level: level))) }
        #expect(after == before)
        #expect(table.translate(va(0x40_2000))?.permissions == userData)
        expectError(MapError.notMapped) { try table.protect(va(0x40_3000), permissions: .readOnly) }
        expectError(MapError.invalidPermissions) { try table.protect(va(0x40_1000), permissions: .none) }
    }

    @Test(arguments: bothSchemes) func physicalAddressesAbove4GiBAreKept(_ scheme: any PagingScheme.Type) throws {
        try highPhysical(scheme)
    }

    func highPhysical<S: PagingScheme>(_: S.Type) throws {
        // The table pages themselves live above 4 GiB here.
        let ram = SimulatedRAM(base: 0x40_0000_0000, megabytes: 1)
        do {
            var table = try TestTable<S>(memory: ram.memory, frames: ram.frames)
            #expect(table.rootAddress.raw >= 0x40_0000_0000)
            let top = (1 as UInt64) << UInt64(S.physicalAddressBits)
            let frames: [(UInt64, PageSize)] = [
                (0x1_2345_6000, .size4K), (0xFF_FFE0_0000, .size2M), (0x3F_C000_0000, .size1G),
                (top - 0x1000, .size4K), (top - 0x4000_0000, .size1G),
            ]
            for (index, (frame, size)) in frames.enumerated() {
                let page = va(UInt64(index + 1) * 0x4000_0000)
                try table.map(page, to: pa(frame), size: size, permissions: .readWrite)
                #expect(table.translate(page)?.physicalAddress == pa(frame))
                #expect(table.translate(page.adding(0x123)!)?.physicalAddress == pa(frame + 0x123))
            }
            expectError(MapError.physicalOutOfRange) { try table.map(va(0x7000), to: pa(top), permissions: .readWrite) }
            expectError(MapError.physicalOutOfRange) {
                try table.mapRange(vrange(0x8000, 0x2000), to: pa(top - 0x1000), permissions: .readWrite)
            }
        }
        #expect(ram.freeFrames == ram.totalFrames)
    }

    @Test(arguments: bothSchemes) func refusesBadRequests(_ scheme: any PagingScheme.Type) throws {
        try badRequests(scheme)
    }

    func badRequests<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM()
        var table = try TestTable<S>(memory: ram.memory, frames: ram.frames)
        let rw = PagePermissions.readWrite
        expectError(MapError.misaligned) { try table.map(va(0x1001), to: pa(0x8000_0000), permissions: rw) }
        expectError(MapError.misaligned) { try table.map(va(0x1000), to: pa(0x8000_0800), permissions: rw) }
        expectError(MapError.misaligned) { try table.map(va(0x1000), to: pa(0x8000_0000), size: .size2M, permissions: rw) }
        expectError(MapError.misaligned) { try table.map(va(0x20_0000), to: pa(0x8000_1000), size: .size2M, permissions: rw) }
        expectError(MapError.misaligned) { try table.map(va(0x4000_0000), to: pa(0x8020_0000), size: .size1G, permissions: rw) }
        // Just above the lower half, and the first address below the upper half.
        let hole = va(1 << UInt64(S.virtualAddressBits - 1))
        expectError(MapError.nonCanonical) { try table.map(hole, to: pa(0x8000_0000), permissions: rw) }
        expectError(MapError.nonCanonical) { try table.map(upperHalfStart(S.self).subtracting(0x1000)!, to: pa(0x8000_0000), permissions: rw) }
        expectError(MapError.nonCanonical) {
            try table.mapRange(VirtualRange(start: hole.subtracting(0x1000)!, size: 0x2000)!, to: pa(0x8000_0000), permissions: rw)
        }
        #expect(table.translate(hole) == nil)

        try table.map(va(0x1000), to: pa(0x8000_0000), permissions: rw)
        expectError(MapError.alreadyMapped) { try table.map(va(0x1000), to: pa(0x8000_1000), permissions: rw) }
        // A 2 MiB page over a table that holds a 4 KiB page, and the other way round.
        expectError(MapError.largePageConflict) { try table.map(va(0), to: pa(0x8000_0000), size: .size2M, permissions: rw) }
        try table.map(va(0x40_0000), to: pa(0x8040_0000), size: .size2M, permissions: rw)
        expectError(MapError.largePageConflict) { try table.map(va(0x40_1000), to: pa(0x8000_0000), permissions: rw) }
        expectError(MapError.alreadyMapped) { try table.map(va(0x40_0000), to: pa(0x8000_0000), size: .size2M, permissions: rw) }
        expectError(MapError.misaligned) { _ = try table.unmap(va(0x40_1000)) }
        expectError(MapError.notMapped) { _ = try table.unmap(va(0x9000)) }
        expectError(MapError.nonCanonical) { _ = try table.unmap(hole) }
        #expect(table.translate(va(0x40_1234))?.physicalAddress == pa(0x8040_1234))
    }

    @Test(arguments: bothSchemes) func mapRangeUsesLargePagesWhereAligned(_ scheme: any PagingScheme.Type) throws {
        try largePages(scheme)
    }

    func largePages<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM()
        do {
            var table = try TestTable<S>(memory: ram.memory, frames: ram.frames)
            // 4 KiB up to 2 MiB alignment, then a 1 GiB page, then 2 MiB pages, then a 4 KiB tail.
            let range = vrange(0x3FFF_E000, 0x2000 + 0x4000_0000 + 0x40_0000 + 0x1000)
            try table.mapRange(range, to: pa(0x3FFF_E000), permissions: .readWrite, largestPage: .size1G)
            var sizes: [PageSize] = []
            var next = range.start
            table.forEachMapping(in: range) { start, translation in
                #expect(start == next)
                #expect(translation.physicalAddress == pa(start.raw))
                sizes.append(translation.pageSize)
                next = start.adding(translation.pageSize.bytes)!
                return true
            }
            #expect(next == range.end)
            #expect(sizes == [.size4K, .size4K, .size1G, .size2M, .size2M, .size4K])

            // The same with physical addresses offset by one page: only 4 KiB pages fit.
            let shifted = vrange(0x20_0000_0000 - 0x40_0000, 0x20_0000)
            try table.mapRange(shifted, to: pa(0x1000), permissions: .readOnly, largestPage: .size2M)
            var count = 0
            table.forEachMapping(in: shifted) { _, translation in
                #expect(translation.pageSize == .size4K)
                count += 1
                return true
            }
            #expect(count == 512)

            // A conflict in the middle maps nothing and takes no frame.
            try table.map(va(0x200_5000), to: pa(0x5000), permissions: .readOnly)
            let free = ram.freeFrames
            expectError(MapError.largePageConflict) {
                try table.mapRange(vrange(0x200_0000 - 0x20_0000, 0x40_0000), to: pa(0), permissions: .readWrite, largestPage: .size2M)
            }
            expectError(MapError.alreadyMapped) {
                try table.mapRange(vrange(0x200_0000 - 0x20_0000, 0x40_0000), to: pa(0), permissions: .readWrite)
            }
            #expect(ram.freeFrames == free)
            #expect(table.translate(va(0x200_0000 - 0x20_0000)) == nil)
            #expect(table.translate(va(0x200_4000)) == nil)
        }
        #expect(ram.freeFrames == ram.totalFrames)
    }

    @Test(arguments: bothSchemes) func outOfMemoryChangesNothing(_ scheme: any PagingScheme.Type) throws {
        try outOfMemory(scheme)
    }

    func outOfMemory<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM(megabytes: 1)
        do {
            var table = try TestTable<S>(memory: ram.memory, frames: ram.frames)
            var hoard: [FrameNumber] = []
            while ram.freeFrames > 2 { hoard.append(try ram.frames.pointee.allocate()) }
            // 4 KiB pages spread over two leaf tables need more than two new tables.
            let range = vrange(0x1F_F000, 0x2000)
            expectError(MapError.outOfMemory) { try table.mapRange(range, to: pa(0x8000_0000), permissions: .readWrite) }
            #expect(ram.freeFrames == 2)
            #expect(table.translate(range.start) == nil)
            #expect(table.ownedTablePages() == 1)
            for frame in hoard { try ram.frames.pointee.free(frame) }
            try table.mapRange(range, to: pa(0x8000_0000), permissions: .readWrite)
            #expect(table.ownedTablePages() == UInt64(S.levels - 1) + 2)
        }
        #expect(ram.freeFrames == ram.totalFrames)
    }

    @Test(arguments: bothSchemes) func teardownReturnsEveryTablePage(_ scheme: any PagingScheme.Type) throws {
        try teardown(scheme)
    }

    func teardown<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM()
        do {
            var table = try TestTable<S>(memory: ram.memory, frames: ram.frames)
            let high = upperHalfStart(S.self).raw
            for i in UInt64(0)..<200 {
                // Spread over many leaf tables, in both halves.
                let base = i % 2 == 0 ? 0 : high
                try table.map(va(base + i * 0x20_3000), to: pa(0x8000_0000 + i * 0x1000), permissions: .readWrite)
            }
            #expect(ram.freeFrames < ram.totalFrames - 200)
            #expect(ram.totalFrames - ram.freeFrames == table.ownedTablePages())
        }
        #expect(ram.freeFrames == ram.totalFrames)
    }

    @Test(arguments: bothSchemes) func sharedSubtablesOutliveTheBorrower(_ scheme: any PagingScheme.Type) throws {
        try sharing(scheme)
    }

    func sharing<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM()
        // The kernel's top 2 GiB (x86-64; a range cannot end at 2^64, so it stops a
        // page short) or the first 2 GiB of the upper half (Sv39).
        let kernelTop =
            S.levels == 4
            ? vrange(0xFFFF_FFFF_8000_0000, 0x8000_0000 - 0x1000)
            : VirtualRange(start: upperHalfStart(S.self), size: 0x8000_0000)!
        let kernelPage = kernelTop.start.adding(0x10_0000)!
        do {
            var kernel = try TestTable<S>(memory: ram.memory, frames: ram.frames)
            expectError(MapError.notMapped) {
                var early = try TestTable<S>(memory: ram.memory, frames: ram.frames)
                try early.linkShared(kernelTop, atLevel: 2, from: kernel)
            }
            try kernel.ensureTables(covering: kernelTop, atLevel: 2)
            try kernel.ensureTables(covering: kernelTop, atLevel: 2)  // idempotent
            try kernel.map(kernelPage, to: pa(0x10_0000), permissions: .readExecute | .global)
            let kernelTables = ram.totalFrames - ram.freeFrames
            #expect(kernel.ownedTablePages() == kernelTables)
            do {
                var process = try TestTable<S>(memory: ram.memory, frames: ram.frames)
                try process.map(va(0x1000), to: pa(0x8000_0000), permissions: .readWrite | .user)
                expectError(MapError.misaligned) {
                    try process.linkShared(VirtualRange(start: kernelTop.start.adding(0x1000)!, size: 0x1000)!, atLevel: 2, from: kernel)
                }
                try process.linkShared(kernelTop, atLevel: 2, from: kernel)
                try process.linkShared(kernelTop, atLevel: 2, from: kernel)  // the same link again is fine
                #expect(process.translate(kernelPage)?.physicalAddress == pa(0x10_0000))
                // A kernel mapping made after the link is seen through it.
                let later = kernelTop.start.adding(0x4000_0000 + 0x3000)!
                try kernel.map(later, to: pa(0x20_0000), permissions: .readWrite)
                #expect(process.translate(later)?.physicalAddress == pa(0x20_0000))
                // The borrower may not change what it does not own.
                expectError(MapError.sharedTable) { try process.map(kernelTop.start, to: pa(0), permissions: .readOnly) }
                expectError(MapError.sharedTable) { _ = try process.unmap(kernelPage) }
                expectError(MapError.sharedTable) { try process.protect(kernelPage, permissions: .readOnly) }
                var sharedSeen = 0
                process.forEachMapping(includeShared: true) { _, _ in
                    sharedSeen += 1; return true
                }
                var ownSeen = 0
                process.forEachMapping(includeShared: false) { _, _ in
                    ownSeen += 1; return true
                }
                #expect(sharedSeen == 3)
                #expect(ownSeen == 1)
                // Another table already using the slot cannot link over it.
                var other = try TestTable<S>(memory: ram.memory, frames: ram.frames)
                try other.map(kernelTop.start, to: pa(0), permissions: .readOnly)
                expectError(MapError.alreadyMapped) { try other.linkShared(kernelTop, atLevel: 2, from: kernel) }
            }
            #expect(ram.totalFrames - ram.freeFrames == kernel.ownedTablePages())
            #expect(kernel.translate(kernelPage)?.physicalAddress == pa(0x10_0000))
        }
        #expect(ram.freeFrames == ram.totalFrames)
    }

    @Test func walkIsOrderedAndStopsEarly() throws {
        let ram = SimulatedRAM()
        var table = try TestTable<X86_64FourLevel>(memory: ram.memory, frames: ram.frames)
        let pages: [UInt64] = [0xFFFF_FFFF_8000_0000, 0x7FFF_FFFF_F000, 0x1000, 0xFFFF_8000_0000_0000, 0x40_0000]
        for page in pages { try table.map(va(page), to: pa(0x8000_0000), permissions: .readOnly) }
        var seen: [UInt64] = []
        table.forEachMapping { start, _ in
            seen.append(start.raw); return true
        }
        #expect(seen == pages.sorted())
        seen = []
        table.forEachMapping(in: vrange(0x2000, 0x7FFF_FFFF_F000)) { start, _ in
            seen.append(start.raw); return true
        }
        #expect(seen == [0x40_0000, 0x7FFF_FFFF_F000])
        seen = []
        table.forEachMapping { start, _ in
            seen.append(start.raw); return seen.count < 2
        }
        #expect(seen == [0x1000, 0x40_0000])
        let first = table.firstMapping(from: va(0x2000))
        #expect(first?.0 == va(0x40_0000))
        let overlapping = table.firstMapping(from: va(0x1FFF))
        #expect(overlapping?.0 == va(0x1000))
        let none = table.firstMapping(from: va(0x2000), before: va(0x40_0000))
        #expect(none == nil)
    }

    /// Random maps and unmaps (4 KiB pages over several leaf tables, and
    /// 2 MiB pages) agree with a dictionary, and teardown returns every frame.
    @Test func randomMapsAgreeWithAModel() async {
        await propertyCheck(count: 60, input: Gen.int(in: 0...1_000_000).array(of: 1...120)) { script in
            randomScript(Sv39.self, script)
            randomScript(X86_64FourLevel.self, script)
        }
    }

    func randomScript<S: PagingScheme>(_: S.Type, _ script: [Int]) {
        let ram = SimulatedRAM(megabytes: 1)
        do {
            guard var table = try? TestTable<S>(memory: ram.memory, frames: ram.frames) else {
                Issue.record("no root table")
                return
            }
            var model: [UInt64: (PhysicalAddress, PagePermissions, PageSize)] = [:]
            let choices: [PagePermissions] = [.readOnly, .readWrite | .user, .readExecute | .global]
            func slot(_ n: Int) -> (VirtualAddress, PhysicalAddress, PageSize) {
                let s = UInt64(n % 48)
                if s < 32 {
                    // Four leaf tables under two page directories, one of them in the upper half.
                    let base = s >= 16 ? upperHalfStart(S.self).raw : 0
                    return (va(base + s * 0x1000 + (s / 8) * 0x20_0000), pa(0x1_0000_0000 + s * 0x1000), .size4K)
                }
                return (va(0x4000_0000 + (s - 32) * 0x20_0000), pa(0x2_0000_0000 + s * 0x20_0000), .size2M)
            }
            for n in script {
                let (page, frame, size) = slot(n / 2)
                let permissions = choices[(n / 96) % 3]
                if n % 2 == 0 {
                    let result = Result { () throws(MapError) in
                        try table.map(page, to: frame, size: size, permissions: permissions)
                    }
                    if model[page.raw] == nil {
                        #expect((try? result.get()) != nil)
                        model[page.raw] = (frame, permissions, size)
                    } else {
                        #expect(throws: MapError.alreadyMapped) { try result.get() }
                    }
                } else {
                    let result = Result { () throws(MapError) in try table.unmap(page) }
                    if let expected = model.removeValue(forKey: page.raw) {
                        let removed = try? result.get()
                        #expect(removed?.physicalAddress == expected.0)
                        #expect(removed?.pageSize == expected.2)
                    } else {
                        #expect(throws: MapError.notMapped) { try result.get() }
                    }
                }
            }
            var walked: [UInt64: (PhysicalAddress, PagePermissions, PageSize)] = [:]
            table.forEachMapping { start, translation in
                walked[start.raw] = (translation.physicalAddress, translation.permissions, translation.pageSize)
                return true
            }
            #expect(walked.count == model.count)
            for (page, expected) in model {
                let translation = table.translate(va(page + 0x123))
                #expect(translation?.physicalAddress == pa(expected.0.raw + 0x123))
                #expect(translation?.permissions == expected.1)
                #expect(translation?.pageSize == expected.2)
                #expect(walked[page]?.0 == expected.0)
            }
        }
        #expect(ram.freeFrames == ram.totalFrames)
    }
}

@Suite struct PageTableKernelMapperTests {
    @Test func virtualSpaceMapperMapsIntoARealTable() throws {
        let ram = SimulatedRAM()
        try withRealTableSpace(ram, window: kernelExtra) { table, space in
            do {
                let region = try space.map(physical: PhysicalAddress(0xFEE0_0123), size: 0x10, permissions: .readWrite)
                #expect(table.pointee.translate(region.address)?.physicalAddress == PhysicalAddress(0xFEE0_0123))
                #expect(table.pointee.translate(region.address)?.permissions == .readWrite)
                _ = consume region
            }
            #expect(table.pointee.translate(kernelExtra.start) == nil)
            // A page already mapped by someone else is reported as such.
            try table.pointee.map(kernelExtra.start, to: PhysicalAddress(0x1000), permissions: .readOnly)
            var adapter = PageTableKernelMapper(table: table)
            #expect(throws: PageMappingError.alreadyMapped) {
                try adapter.map(kernelExtra.start, to: PhysicalAddress(0x2000), permissions: .readOnly)
            }
            #expect(throws: PageMappingError.invalidAddress) {
                try adapter.map(VirtualAddress(0x8000_0000_0000), to: PhysicalAddress(0x2000), permissions: .readOnly)
            }
        }
        #expect(ram.freeFrames == ram.totalFrames)
    }
}
