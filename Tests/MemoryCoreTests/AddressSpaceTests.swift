import MemoryCore
import Testing

typealias TestSpace<S: PagingScheme> = AddressSpace<S, DirectMappedMemory>

private func va(_ raw: UInt64) -> VirtualAddress { VirtualAddress(raw) }
private func pa(_ raw: UInt64) -> PhysicalAddress { PhysicalAddress(raw) }
private func vrange(_ start: UInt64, _ size: UInt64) -> VirtualRange { VirtualRange(start: VirtualAddress(start), size: size)! }

/// The user windows of the two layouts: below the trap frame on Sv39; on
/// x86-64 the lower half and the upper half below the process-specific
/// kernel (the other suites of address spaces use it too).
func testUserWindow<S: PagingScheme>(_: S.Type) -> UserWindow {
    if S.levels == 3 { return UserWindow(vrange(0, (1 << 38) - 2 * 0x1000)) }
    return UserWindow(
        vrange(0, 0x8000_0000_0000),
        VirtualRange(start: va(0xFFFF_8000_0000_0000), end: va(0xFFFF_FF80_0000_0000))!)
}

/// A kernel-only page of a process: the trap frame (Sv39) or the first page
/// of the per-process kernel stack (x86-64).
func kernelPage<S: PagingScheme>(_: S.Type) -> VirtualAddress {
    S.levels == 3 ? va((1 << 38) - 2 * 0x1000) : va(0xFFFF_FF80_0000_1000)
}

/// An empty address space of scheme `S` over `ram`, with the layout's user
/// window (the other suites of address spaces use it too).
func makeSpace<S: PagingScheme>(_: S.Type, _ ram: SimulatedRAM) throws -> TestSpace<S> {
    try TestSpace<S>(memory: ram.memory, frames: ram.frames, userWindow: testUserWindow(S.self))
}

private func readUser<S: PagingScheme>(_ space: borrowing TestSpace<S>, _ address: VirtualAddress, _ count: Int) throws -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    try bytes.withUnsafeMutableBytes { buffer in try space.copyIn(from: address, into: buffer) }
    return bytes
}

private func writeUser<S: PagingScheme>(_ space: inout TestSpace<S>, _ address: VirtualAddress, _ bytes: [UInt8]) throws {
    try bytes.withUnsafeBytes { buffer in try space.copyOut(to: address, from: buffer) }
}

/// The translation of a page that must be mapped.
private func mapping<S: PagingScheme>(_ space: borrowing TestSpace<S>, _ address: VirtualAddress) throws -> Translation {
    let translation = space.translate(address)
    return try #require(translation)
}

/// What physical memory holds at `address` in `space`, read around the page tables' checks.
private func physicalBytes<S: PagingScheme>(_ space: borrowing TestSpace<S>, _ ram: SimulatedRAM, _ address: VirtualAddress, _ count: Int) -> [UInt8] {
    (0..<count).map { i in
        let translation = space.translate(address.adding(UInt64(i))!)!
        return ram.memory.pointer(to: translation.physicalAddress, count: 1)!.load(as: UInt8.self)
    }
}

private let pattern: [UInt8] = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }

@Suite struct AddressSpaceTests {
    @Test(arguments: bothSchemes) func copiesAcrossPageBoundaries(_ scheme: any PagingScheme.Type) throws {
        try copyAcross(scheme)
    }

    func copyAcross<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM()
        var space = try makeSpace(S.self, ram)
        try space.mapUserPages(vrange(0x1000, 0x3000), permissions: .readWrite)
        let start = va(0x2000 - 100)
        try writeUser(&space, start, pattern)
        #expect(try readUser(space, start, pattern.count) == pattern)
        #expect(physicalBytes(space, ram, start, pattern.count) == pattern)
        // Different frames back the two pages.
        let first = space.translate(va(0x1000))
        let second = space.translate(va(0x2000))
        #expect(first != nil && second != nil && first?.pageStart != second?.pageStart)
        #expect(try readUser(space, va(0x1000), 4) == [0, 0, 0, 0])
        // Zero-length copies touch nothing and succeed anywhere.
        try writeUser(&space, va(0xFFFF_FFFF_FFFF_F000), [])
    }

    @Test(arguments: bothSchemes) func copyOutToReadOnlyWritesNothing(_ scheme: any PagingScheme.Type) throws {
        try readOnly(scheme)
    }

    func readOnly<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM()
        var space = try makeSpace(S.self, ram)
        try space.mapUserPages(vrange(0x1000, 0x1000), permissions: .readWrite)
        try space.mapUserPages(vrange(0x2000, 0x1000), permissions: .readOnly)
        expectError(CopyError.notWritable(va(0x2000))) { try writeUser(&space, va(0x2000 - 100), pattern) }
        // Inside the one page too (copies within a page take a shorter path).
        expectError(CopyError.notWritable(va(0x2000))) { try writeUser(&space, va(0x2100), pattern) }
        expectError(CopyError.notWritable(va(0x2000))) { try writeUser(&space, va(0x2FFF), [1]) }
        #expect(physicalBytes(space, ram, va(0x1000), 0x2000) == [UInt8](repeating: 0, count: 0x2000))
        try writeUser(&space, va(0x1FFF), [5])
        #expect(try readUser(space, va(0x1FFF), 1) == [5])
        #expect(try readUser(space, va(0x2100), 16) == [UInt8](repeating: 0, count: 16))
        // The loader may fill it all the same.
        try pattern.withUnsafeBytes { buffer in try space.storeUserBytes(at: va(0x2000 - 100), from: buffer) }
        #expect(try readUser(space, va(0x2000 - 100), pattern.count) == pattern)
        try space.zeroUserBytes(at: va(0x2000), count: 8)
        #expect(try readUser(space, va(0x2000), 8) == [UInt8](repeating: 0, count: 8))
        // Protect makes it writable.
        try space.protectUserPages(vrange(0x2000, 0x1000), permissions: .readWrite)
        try writeUser(&space, va(0x2000), [9])
        expectError(MapError.notMapped) { try space.protectUserPages(vrange(0x2000, 0x2000), permissions: .readOnly) }
        #expect(space.translate(va(0x2000))?.permissions == .readWrite | .user)
    }

    @Test(arguments: bothSchemes) func rangesIntoAGuardPageFail(_ scheme: any PagingScheme.Type) throws {
        try guardPage(scheme)
    }

    func guardPage<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM()
        var space = try makeSpace(S.self, ram)
        try space.mapUserPages(vrange(0x1000, 0x1000), permissions: .readWrite)
        try space.mapUserPages(vrange(0x3000, 0x1000), permissions: .readWrite)
        // 0x2000 is the unmapped guard between them.
        expectError(CopyError.notMapped(va(0x2000))) { try writeUser(&space, va(0x1F00), pattern) }
        expectError(CopyError.notMapped(va(0x2000))) { try writeUser(&space, va(0x1000), [UInt8](repeating: 1, count: 0x2001)) }
        expectError(CopyError.notMapped(va(0x2000))) { _ = try readUser(space, va(0x1F00), 0x200) }
        expectError(CopyError.notMapped(va(0x2000))) { _ = try readUser(space, va(0x2000), 0x1000) }
        expectError(CopyError.notMapped(va(0x2000))) { try writeUser(&space, va(0x2FF0), [1, 2]) }
        #expect(physicalBytes(space, ram, va(0x1000), 0x1000) == [UInt8](repeating: 0, count: 0x1000))
        #expect(physicalBytes(space, ram, va(0x3000), 0x1000) == [UInt8](repeating: 0, count: 0x1000))
    }

    @Test(arguments: bothSchemes) func kernelAndWrappingAddressesFail(_ scheme: any PagingScheme.Type) throws {
        try kernelAddresses(scheme)
    }

    func kernelAddresses<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM()
        var space = try makeSpace(S.self, ram)
        let window = testUserWindow(S.self)
        let lastUserPage = window.high.map { $0.end } ?? window.low.end
        try space.mapUserPages(VirtualRange(start: lastUserPage.subtracting(0x1000)!, size: 0x1000)!, permissions: .readWrite)
        let frame = try space.mapOwnedKernelPage(kernelPage(S.self), permissions: .readWrite)
        #expect(space.translate(kernelPage(S.self))?.physicalAddress == frame)

        // The kernel page is mapped, but not for the user, and outside the window.
        expectError(CopyError.outsideUserSpace) { _ = try readUser(space, kernelPage(S.self), 8) }
        expectError(CopyError.outsideUserSpace) { try writeUser(&space, kernelPage(S.self), [1]) }
        // The last user page is fine; one byte past it is not.
        try writeUser(&space, lastUserPage.subtracting(8)!, [1, 2, 3, 4, 5, 6, 7, 8])
        expectError(CopyError.outsideUserSpace) { try writeUser(&space, lastUserPage.subtracting(8)!, pattern) }
        // Lengths that wrap past 2^64 are refused before anything is looked at.
        expectError(CopyError.outsideUserSpace) { try space.checkUserRange(va(0x1000), count: .max, needs: .read) }
        expectError(CopyError.outsideUserSpace) { try space.checkUserRange(va(0xFFFF_FFFF_FFFF_F000), count: 0x2000, needs: .read) }
        expectError(CopyError.outsideUserSpace) { _ = try readUser(space, va(0xFFFF_FFFF_FFFF_FFF0), 0x20) }
        // Non-canonical addresses are never user addresses.
        expectError(CopyError.outsideUserSpace) { _ = try readUser(space, va(1 << UInt64(S.virtualAddressBits - 1)), 1) }
        #expect(physicalBytes(space, ram, lastUserPage.subtracting(16)!, 8) == [UInt8](repeating: 0, count: 8))
    }

    @Test(arguments: bothSchemes) func stringsStopAtNul(_ scheme: any PagingScheme.Type) throws {
        try strings(scheme)
    }

    func strings<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM()
        var space = try makeSpace(S.self, ram)
        try space.mapUserPages(vrange(0x1000, 0x2000), permissions: .readWrite)
        let path = Array("/bin/sh".utf8)
        try writeUser(&space, va(0x2000 - 3), path + [0])
        var buffer = [UInt8](repeating: 0xFF, count: 64)
        let length = try buffer.withUnsafeMutableBytes { try space.copyInString(from: va(0x2000 - 3), into: $0, maxLength: 64) }
        #expect(length == path.count)
        #expect(Array(buffer[0...path.count]) == path + [0])

        // No NUL within the limit, or within the buffer.
        expectError(CopyError.unterminatedString) {
            _ = try buffer.withUnsafeMutableBytes { try space.copyInString(from: va(0x2000 - 3), into: $0, maxLength: 7) }
        }
        expectError(CopyError.unterminatedString) {
            _ = try buffer.withUnsafeMutableBytes {
                try space.copyInString(from: va(0x2000 - 3), into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<4]), maxLength: 64)
            }
        }
        // A string that runs into an unmapped page before its NUL.
        try writeUser(&space, va(0x3000 - 4), [65, 66, 67, 68])
        expectError(CopyError.notMapped(va(0x3000))) {
            _ = try buffer.withUnsafeMutableBytes { try space.copyInString(from: va(0x3000 - 4), into: $0, maxLength: 64) }
        }
        // One that ends right before it is fine.
        try writeUser(&space, va(0x3000 - 1), [0])
        let short = try buffer.withUnsafeMutableBytes { try space.copyInString(from: va(0x3000 - 4), into: $0, maxLength: 64) }
        #expect(short == 3)
        expectError(CopyError.outsideUserSpace) {
            _ = try buffer.withUnsafeMutableBytes { try space.copyInString(from: kernelPage(S.self), into: $0, maxLength: 64) }
        }
    }

    @Test(arguments: bothSchemes) func heapGrowsAndShrinksByWholePages(_ scheme: any PagingScheme.Type) throws {
        try heap(scheme)
    }

    func heap<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM(megabytes: 1)
        do {
            var space = try makeSpace(S.self, ram)
            let start = va(0x10_0000)
            try space.setHeapStart(start)
            let empty = ram.freeFrames
            #expect(try space.growHeap(by: 5000) == start)
            #expect(space.heapBreak == va(0x10_0000 + 5000))
            // Growing takes no frame: the two pages are lazy.
            #expect(space.userBytes() == 0)
            #expect(ram.freeFrames == empty)
            #expect(space.isLazy(va(0x10_0000)) && space.isLazy(va(0x10_1000)) && !space.isLazy(va(0x10_2000)))
            // A lazy page reads as zeros without being mapped.
            #expect(try readUser(space, va(0x10_0000 + 10), 3) == [0, 0, 0])
            #expect(space.userBytes() == 0)
            // Writing maps it (a frame and its tables), and only it.
            try writeUser(&space, va(0x10_0000 + 4999), [7])
            #expect(space.userBytes() == 0x1000)
            #expect(space.translate(va(0x10_1000)) != nil && space.translate(va(0x10_0000)) == nil)
            #expect(try readUser(space, va(0x10_0000 + 4998), 2) == [0, 7])
            let afterTouch = ram.freeFrames
            #expect(afterTouch < empty - 1)
            expectError(CopyError.notMapped(va(0x10_2000))) { try writeUser(&space, va(0x10_2000), [7]) }
            expectError(MapError.invalidHeapBreak) { try space.setHeapStart(va(0x20_0000)) }

            // Growing within the last page maps nothing new.
            #expect(try space.growHeap(by: 100) == va(0x10_0000 + 5000))
            #expect(ram.freeFrames == afterTouch)
            // Shrinking keeps the page that still holds the break.
            #expect(try space.shrinkHeap(by: 1000) == va(0x10_0000 + 5100))
            #expect(space.userBytes() == 0x1000)
            #expect(try space.shrinkHeap(by: 4100) == va(0x10_0000 + 4100))
            #expect(space.heapBreak == start)
            // The touched page is freed, the untouched one had nothing to free.
            #expect(space.userBytes() == 0)
            #expect(ram.freeFrames == afterTouch + 1)
            #expect(space.isLazy(va(0x10_0000)) == false)
            expectError(MapError.invalidHeapBreak) { try space.shrinkHeap(by: 1) }
            // The absolute forms, as sbrk computes them.
            try space.growHeap(to: va(0x10_0000 + 0x1001))
            #expect(space.isLazy(va(0x10_1000)) == true)
            expectError(MapError.invalidHeapBreak) { try space.growHeap(to: start) }
            expectError(MapError.invalidHeapBreak) { try space.shrinkHeap(to: va(0x10_3000)) }
            try space.shrinkHeap(to: start)
            #expect(space.userBytes() == 0)

            // More than memory holds: refused, nothing lost, break unchanged.
            let before = ram.freeFrames
            expectError(MapError.outOfMemory) { try space.growHeap(by: ram.totalFrames * 0x1000) }
            #expect(ram.freeFrames == before)
            #expect(space.heapBreak == start)
            #expect(space.userBytes() == 0)
            // As much as is free: allowed, and still nothing is taken.
            try space.growHeap(by: ram.freeFrames * 0x1000)
            #expect(ram.freeFrames == before)
            try space.shrinkHeap(to: start)
            // Into something already mapped: refused too.
            try space.mapUserPages(vrange(0x10_3000, 0x1000), permissions: .readWrite)
            let mapped = ram.freeFrames
            expectError(MapError.alreadyMapped) { try space.growHeap(by: 0x4000) }
            #expect(ram.freeFrames == mapped)
            #expect(space.heapBreak == start)
            // Past the window.
            expectError(MapError.outsideUserWindow) { try space.growHeap(by: .max - 0x20_0000) }
        }
        #expect(ram.freeFrames == ram.totalFrames)
    }

    @Test(arguments: bothSchemes) func lazyHeapFaultsInZeroedPages(_ scheme: any PagingScheme.Type) throws {
        try lazyFaults(scheme)
    }

    func lazyFaults<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM(megabytes: 1)
        do {
            var space = try makeSpace(S.self, ram)
            try space.setHeapStart(va(0x10_0000))
            try space.growHeap(by: 0x3000)
            try space.mapUserPages(vrange(0x1000, 0x1000), permissions: .readExecute)
            // A read fault in the heap maps a zeroed, writable frame.
            #expect(try space.resolveFault(at: va(0x10_1234), write: false) == true)
            let page = try mapping(space, va(0x10_1000))
            #expect(page.permissions == .readWrite | .user && !page.isCopyOnWrite && page.isOwned)
            #expect(physicalBytes(space, ram, va(0x10_1000), 8) == [UInt8](repeating: 0, count: 8))
            // A second fault there is the program's own: nothing to resolve.
            #expect(try space.resolveFault(at: va(0x10_1000), write: true) == false)
            // So is one above the heap, below it, or on a read-only page.
            #expect(try space.resolveFault(at: va(0x10_3000), write: false) == false)
            #expect(try space.resolveFault(at: va(0xF_F000), write: true) == false)
            #expect(try space.resolveFault(at: va(0x1000), write: true) == false)
            #expect(try space.resolveFault(at: va(0xFFFF_FFFF_FFFF_F000), write: true) == false)
            // Out of frames: refused, nothing mapped; the next page still needs its frame.
            var hoard: [FrameNumber] = []
            while ram.freeFrames > 0 { hoard.append(try ram.frames.pointee.allocate()) }
            expectError(MapError.outOfMemory) { _ = try space.resolveFault(at: va(0x10_2000), write: true) }
            #expect(space.translate(va(0x10_2000)) == nil && space.isLazy(va(0x10_2000)))
            expectError(CopyError.outOfMemory(va(0x10_2000))) { try writeUser(&space, va(0x10_2000), [1]) }
            for frame in hoard { try ram.frames.pointee.free(frame) }
            try writeUser(&space, va(0x10_2FFF), [9])
            #expect(space.userBytes() == 0x3000)
            // A stack reserve is lazy too: pages below the mapped stack fault
            // in down to its start, and the page below it is the program's fault.
            space.stackReserve = vrange(0x20_0000, 0x4000)
            try space.mapUserPages(vrange(0x20_3000, 0x1000), permissions: .readWrite)
            #expect(try space.resolveFault(at: va(0x20_1FF8), write: true) == true)
            #expect(try space.resolveFault(at: va(0x20_0000), write: true) == true)
            #expect(try space.resolveFault(at: va(0x1F_FFF8), write: true) == false)
            #expect(space.isLazy(va(0x20_2000)) == true)
            var child = try space.clone()
            #expect(child.stackReserve == space.stackReserve)
            #expect(try child.resolveFault(at: va(0x20_2000), write: false) == true)
            #expect(space.translate(va(0x20_2000)) == nil)
        }
        #expect(ram.freeFrames == ram.totalFrames)
    }

    @Test(arguments: bothSchemes) func cloneIsIndependent(_ scheme: any PagingScheme.Type) throws {
        try cloning(scheme)
    }

    func cloning<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM()
        do {
            var parent = try makeSpace(S.self, ram)
            try parent.mapUserPages(vrange(0x1000, 0x2000), permissions: .readWrite)
            try parent.mapUserPages(vrange(0x4000, 0x1000), permissions: .readExecute)
            try parent.setHeapStart(va(0x10_0000))
            try parent.growHeap(by: 0x2800)
            try writeUser(&parent, va(0x1800), pattern)
            try writeUser(&parent, va(0x10_1000), [5])
            try pattern.withUnsafeBytes { try parent.storeUserBytes(at: va(0x4000), from: $0) }
            try parent.mapOwnedKernelPage(kernelPage(S.self), permissions: .readWrite)

            let beforeFork = ram.freeFrames
            var child = try parent.clone()
            // The child took table pages only: every user frame is shared.
            #expect(beforeFork - ram.freeFrames == child.pageTable.ownedTablePages())
            #expect(child.heapStart == parent.heapStart)
            #expect(child.heapBreak == parent.heapBreak)
            #expect(try readUser(child, va(0x1800), pattern.count) == pattern)
            #expect(try readUser(child, va(0x4000), pattern.count) == pattern)
            var parentPages: [VirtualAddress] = []
            parent.forEachUserMapping { page, _ in
                parentPages.append(page); return true
            }
            var childPages: [VirtualAddress] = []
            child.forEachUserMapping { page, translation in
                childPages.append(page)
                let mine = parent.translate(page)
                #expect(translation.permissions == mine?.permissions)
                #expect(translation.physicalAddress == mine?.physicalAddress)
                #expect(ram.frames.pointee.users(of: translation.pageStart.frame) == 2)
                // Writable pages lost write access in both, read-only ones are plainly shared.
                let wasWritable = page != va(0x4000)
                #expect(translation.isCopyOnWrite == wasWritable && mine?.isCopyOnWrite == wasWritable)
                #expect(!translation.permissions.contains(.write))
                return true
            }
            #expect(childPages == parentPages)
            // The untouched heap pages stay lazy in both.
            #expect(childPages == [va(0x1000), va(0x2000), va(0x4000), va(0x10_1000)])
            #expect(child.isLazy(va(0x10_0000)) && child.isLazy(va(0x10_2000)))
            // Kernel pages are the caller's to give the child.
            #expect(child.translate(kernelPage(S.self)) == nil)

            // A write through the child copies the page for it; the parent keeps the old bytes.
            let shared = try mapping(parent, va(0x1000)).pageStart
            try writeUser(&child, va(0x1800), [0xEE, 0xEE])
            #expect(try readUser(parent, va(0x1800), 2) == Array(pattern[0..<2]))
            #expect(try readUser(child, va(0x1800), 2) == [0xEE, 0xEE])
            let copied = try mapping(child, va(0x1000))
            #expect(copied.pageStart != shared && copied.permissions.contains(.write) && !copied.isCopyOnWrite)
            #expect(try readUser(child, va(0x1000), 0x800) == (try readUser(parent, va(0x1000), 0x800)))
            // The parent is now the frame's only user: its write takes it back, no copy.
            #expect(ram.frames.pointee.users(of: shared.frame) == 1)
            let free = ram.freeFrames
            #expect(try parent.resolveFault(at: va(0x1000), write: true) == true)
            #expect(ram.freeFrames == free)
            let back = try mapping(parent, va(0x1000))
            #expect(back.pageStart == shared && back.permissions.contains(.write) && !back.isCopyOnWrite)
            // The other way round: the parent writes the heap, the child keeps its byte.
            try writeUser(&parent, va(0x10_1000), [0xDD])
            #expect(try readUser(child, va(0x10_1000), 1) == [5])
            // A lazy page touched after fork is the toucher's alone.
            try writeUser(&child, va(0x10_2000), [3])
            #expect(parent.translate(va(0x10_2000)) == nil)
            // Text stays shared; a write fault there is the program's own.
            #expect(try child.resolveFault(at: va(0x4000), write: true) == false)
            // The loader may still write shared text: the writer gets its own copy.
            try [UInt8(0x99)].withUnsafeBytes { try child.storeUserBytes(at: va(0x4000), from: $0) }
            #expect(try readUser(parent, va(0x4000), 1) == [pattern[0]])
            #expect(try readUser(child, va(0x4000), 1) == [0x99])
        }
        #expect(ram.freeFrames == ram.totalFrames)
    }

    @Test(arguments: bothSchemes) func pagesSharedByThreeGenerationsComeBackExactly(_ scheme: any PagingScheme.Type) throws {
        try generations(scheme)
    }

    func generations<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM()
        do {
            var grandparent = try makeSpace(S.self, ram)
            try grandparent.mapUserPages(vrange(0x1000, 0x1000), permissions: .readWrite)
            try writeUser(&grandparent, va(0x1000), [1])
            let frame = try mapping(grandparent, va(0x1000)).pageStart.frame
            var parent = try grandparent.clone()
            var child = try parent.clone()
            #expect(ram.frames.pointee.users(of: frame) == 3)
            // The middle generation writes: it alone gets a copy.
            try writeUser(&parent, va(0x1000), [2])
            #expect(ram.frames.pointee.users(of: frame) == 2)
            #expect(try readUser(grandparent, va(0x1000), 1) == [1])
            #expect(try readUser(child, va(0x1000), 1) == [1])
            // The grandparent goes away; the child is left the frame's only user.
            _ = consume grandparent
            #expect(ram.frames.pointee.users(of: frame) == 1)
            let free = ram.freeFrames
            try writeUser(&child, va(0x1000), [3])
            #expect(ram.freeFrames == free)
            #expect(try mapping(child, va(0x1000)).pageStart.frame == frame)
            #expect(try readUser(parent, va(0x1000), 1) == [2])
        }
        #expect(ram.freeFrames == ram.totalFrames)
    }

    @Test(arguments: bothSchemes) func cloneThatRunsOutOfMemoryLeaksNothing(_ scheme: any PagingScheme.Type) throws {
        try cloneOutOfMemory(scheme)
    }

    func cloneOutOfMemory<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM(megabytes: 2)
        do {
            var parent = try makeSpace(S.self, ram)
            try parent.mapUserPages(vrange(0x1000, 0x1000 * 100), permissions: .readWrite)
            try parent.mapUserPages(vrange(0x4000_0000, 0x1000), permissions: .readWrite)
            try writeUser(&parent, va(0x1000), pattern)
            // Enough for the child's first tables, not for the second run's.
            var hoard: [FrameNumber] = []
            while ram.freeFrames > UInt64(S.levels) { hoard.append(try ram.frames.pointee.allocate()) }
            expectError(MapError.outOfMemory) { _ = try parent.clone() }
            #expect(ram.freeFrames == UInt64(S.levels))
            // Every frame is back to one user, and the parent still writes its pages.
            parent.forEachUserMapping { _, translation in
                #expect(ram.frames.pointee.users(of: translation.pageStart.frame) == 1)
                return true
            }
            try writeUser(&parent, va(0x1000), [0x42])
            #expect(ram.freeFrames == UInt64(S.levels))
            #expect(try readUser(parent, va(0x1000), 2) == [0x42, pattern[1]])
            for frame in hoard { try ram.frames.pointee.free(frame) }
        }
        #expect(ram.freeFrames == ram.totalFrames)
    }

    @Test(arguments: bothSchemes) func copyOnWriteFaultOutOfFramesChangesNothing(_ scheme: any PagingScheme.Type) throws {
        try copyOnWriteOutOfMemory(scheme)
    }

    func copyOnWriteOutOfMemory<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM(megabytes: 1)
        do {
            var parent = try makeSpace(S.self, ram)
            try parent.mapUserPages(vrange(0x1000, 0x1000), permissions: .readWrite)
            try writeUser(&parent, va(0x1000), [1, 2])
            var child = try parent.clone()
            var hoard: [FrameNumber] = []
            while ram.freeFrames > 0 { hoard.append(try ram.frames.pointee.allocate()) }
            expectError(MapError.outOfMemory) { _ = try child.resolveFault(at: va(0x1000), write: true) }
            expectError(CopyError.outOfMemory(va(0x1000))) { try writeUser(&child, va(0x1000), [9]) }
            // Both still see the shared bytes, copy-on-write.
            #expect(try readUser(child, va(0x1000), 2) == [1, 2])
            #expect(try readUser(parent, va(0x1000), 2) == [1, 2])
            #expect(try mapping(child, va(0x1000)).isCopyOnWrite)
            for frame in hoard { try ram.frames.pointee.free(frame) }
            try writeUser(&child, va(0x1000), [9])
            #expect(try readUser(parent, va(0x1000), 2) == [1, 2])
        }
        #expect(ram.freeFrames == ram.totalFrames)
    }

    @Test(arguments: bothSchemes) func teardownFreesEverythingItOwns(_ scheme: any PagingScheme.Type) throws {
        try teardown(scheme)
    }

    func teardown<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM()
        let trampoline = try ram.frames.pointee.allocate()
        do {
            var kernel = try TestTable<S>(memory: ram.memory, frames: ram.frames)
            let kernelTop =
                S.levels == 4
                ? vrange(0xFFFF_FFFF_8000_0000, 0x8000_0000 - 0x1000)
                : VirtualRange(start: upperHalfStart(S.self), size: 0x4000_0000)!
            try kernel.ensureTables(covering: kernelTop, atLevel: 2)
            try kernel.map(kernelTop.start, to: trampoline.address, permissions: .readExecute)
            let kernelUsed = ram.freeFrames
            do {
                var space = try makeSpace(S.self, ram)
                try space.linkShared(kernelTop, atLevel: 2, from: kernel)
                try space.mapUserPages(vrange(0x1000, 0x5000), permissions: .readWrite)
                try space.mapUserPages(vrange(0x40_0000, 0x1000), permissions: .readExecute)
                try space.setHeapStart(va(0x80_0000))
                try space.growHeap(by: 0x3000)
                try writeUser(&space, va(0x80_0000), [UInt8](repeating: 1, count: 0x3000))
                // Sv39 has nothing but the trampoline above the trap frame: use the upper half.
                let stackStart = S.levels == 4 ? kernelPage(S.self).adding(0x1000)! : upperHalfStart(S.self).adding(0x8000_0000)!
                let stack = VirtualRange(start: stackStart, size: 0x4000)!
                try space.mapOwnedKernelPage(kernelPage(S.self), permissions: .readWrite)
                try space.mapOwnedKernelPages(stack, permissions: .readWrite)
                try space.mapKernelPage(stack.end.adding(0x1000)!, to: trampoline.address, permissions: .readExecute)
                #expect(space.translate(kernelTop.start)?.physicalAddress == trampoline.address)
                #expect(space.userBytes() == 0x9000)
                // The page table can be read from outside; shared kernel tables are not its own.
                let ownTables = space.pageTable.ownedTablePages()
                var sharedPages = 0
                space.pageTable.forEachMapping(in: kernelTop) { _, _ in
                    sharedPages += 1; return true
                }
                #expect(sharedPages == 1)
                #expect(ownTables >= UInt64(S.levels))
                // Kernel-only pages may not go into the window, nor carry the user bit.
                expectError(MapError.insideUserWindow) { try space.mapOwnedKernelPage(va(0x9000), permissions: .readWrite) }
                expectError(MapError.insideUserWindow) { try space.linkShared(vrange(0, 0x4000_0000), atLevel: 2, from: kernel) }
                expectError(MapError.invalidPermissions) {
                    try space.mapKernelPage(stack.end.adding(0x2000)!, to: trampoline.address, permissions: .readWrite | .user)
                }
                expectError(MapError.outsideUserWindow) {
                    try space.mapUserPages(VirtualRange(start: kernelPage(S.self), size: 0x1000)!, permissions: .readWrite)
                }
                // Unmapping part of the stack frees those frames at once.
                let before = ram.freeFrames
                try space.unmapKernelPages(VirtualRange(start: stack.start, size: 0x2000)!)
                #expect(ram.freeFrames == before + 2)
                try space.unmapUserPages(vrange(0x2000, 0x1000))
                #expect(ram.freeFrames == before + 3)
                #expect(space.translate(va(0x2000)) == nil)
            }
            // The borrowed frame and the kernel's tables are untouched.
            #expect(ram.freeFrames == kernelUsed)
            #expect(!ram.isFree(trampoline))
            #expect(kernel.translate(kernelTop.start)?.physicalAddress == trampoline.address)
        }
        try ram.frames.pointee.free(trampoline)
        #expect(ram.freeFrames == ram.totalFrames)
    }

    @Test(arguments: bothSchemes) func mappingUserPagesIsAllOrNothing(_ scheme: any PagingScheme.Type) throws {
        try allOrNothing(scheme)
    }

    func allOrNothing<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM(megabytes: 1)
        do {
            var space = try makeSpace(S.self, ram)
            try space.mapUserPages(vrange(0x5000, 0x1000), permissions: .readOnly)
            let before = ram.freeFrames
            expectError(MapError.alreadyMapped) { try space.mapUserPages(vrange(0x1000, 0x8000), permissions: .readWrite) }
            expectError(MapError.outOfMemory) { try space.mapUserPages(vrange(0x10_0000, ram.totalFrames * 0x1000), permissions: .readWrite) }
            expectError(MapError.misaligned) { try space.mapUserPages(vrange(0x1800, 0x1000), permissions: .readWrite) }
            expectError(MapError.invalidPermissions) { try space.mapUserPages(vrange(0x1000, 0x1000), permissions: .none) }
            #expect(ram.freeFrames == before)
            #expect(space.userBytes() == 0x1000)
            #expect(space.translate(va(0x1000)) == nil)
            #expect(space.translate(va(0x10_0000)) == nil)
        }
        #expect(ram.freeFrames == ram.totalFrames)
    }

    @Test(arguments: bothSchemes) func freshPagesAreZeroedUnlessKernelOnlyAsksNot(_ scheme: any PagingScheme.Type) throws {
        try zeroing(scheme)
    }

    /// Simulated RAM starts out as 0xA5 everywhere: a page that was not
    /// cleared still shows it.
    func zeroing<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM(megabytes: 1)
        do {
            var space = try makeSpace(S.self, ram)
            try space.mapUserPages(vrange(0x1000, 0x2000), permissions: .readWrite)
            let cleared = kernelPage(S.self)
            let kept = cleared.adding(0x1000)!
            try space.mapOwnedKernelPages(VirtualRange(start: cleared, size: 0x1000)!, permissions: .readWrite)
            try space.mapOwnedKernelPages(VirtualRange(start: kept, size: 0x1000)!, permissions: .readWrite, zeroed: false)
            #expect(physicalBytes(space, ram, va(0x1000), 0x2000).allSatisfy { $0 == 0 })
            #expect(physicalBytes(space, ram, cleared, 0x1000).allSatisfy { $0 == 0 })
            #expect(physicalBytes(space, ram, kept, 0x1000).allSatisfy { $0 == 0xA5 })
        }
        #expect(ram.freeFrames == ram.totalFrames)
    }

    @Test func x86UpperUserHalfIsUserSpace() throws {
        let ram = SimulatedRAM()
        var space = try makeSpace(X86_64FourLevel.self, ram)
        // The process metadata page just below the process-specific kernel area.
        let metadata = va(0xFFFF_FF7F_FFFF_E000)
        try space.mapUserPages(VirtualRange(start: metadata, size: 0x1000)!, permissions: .readOnly)
        try pattern.withUnsafeBytes { try space.storeUserBytes(at: metadata, from: $0) }
        #expect(try readUser(space, metadata, pattern.count) == pattern)
        expectError(CopyError.notWritable(metadata)) { try writeUser(&space, metadata, [1]) }
        // The guard page below it is unmapped; the page above belongs to the kernel.
        expectError(CopyError.notMapped(va(0xFFFF_FF7F_FFFF_D000))) { _ = try readUser(space, va(0xFFFF_FF7F_FFFF_DFFF), 2) }
        expectError(CopyError.outsideUserSpace) { _ = try readUser(space, va(0xFFFF_FF7F_FFFF_FFFF), 2) }
        // A range from the top of the lower half into the hole.
        try space.mapUserPages(vrange(0x7FFF_FFFF_F000, 0x1000), permissions: .readWrite)
        expectError(CopyError.outsideUserSpace) { try writeUser(&space, va(0x7FFF_FFFF_FFF0), pattern) }
        var pages: [UInt64] = []
        space.forEachUserMapping { page, translation in
            pages.append(page.raw)
            #expect(translation.permissions.contains(.user))
            return true
        }
        #expect(pages == [0x7FFF_FFFF_F000, 0xFFFF_FF7F_FFFF_E000])
    }
}
