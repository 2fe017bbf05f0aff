import MemoryCore
import Testing

/// `AddressSpace.loadImage` maps the program's pages without clearing them
/// (the loader writes every byte) and writes through the frames directly;
/// and the one-page map paths it and the kernel pages take skip the plan.
@Suite struct ImageLoadTests {
    @Test(arguments: [ElfMachine.riscv64, .x86_64])
    func leavesNoStaleByteVisible(machine: ElfMachine) throws {
        if machine == .riscv64 { try load(Sv39.self, machine, base: riscvBase) } else { try load(X86_64FourLevel.self, machine, base: x86Base) }
    }

    func load<S: PagingScheme>(_: S.Type, _ machine: ElfMachine, base: UInt64) throws {
        // Every frame starts out holding 0xA5 (SimulatedRAM), and frames
        // given back dirty hold 0x5A: nothing of either may show through.
        let ram = SimulatedRAM()
        var dirty: [FrameNumber] = []
        for _ in 0..<32 { dirty.append(try ram.frames.pointee.allocate()) }
        for frame in dirty {
            ram.memory.pointer(to: frame.address, count: 4096)!.initializeMemory(as: UInt8.self, repeating: 0x5A, count: 4096)
            try ram.frames.pointee.free(frame)
        }
        let bytes = ElfBuilder.standard(machine, base: base).build()
        let rules = machine == .riscv64 ? UserImageLayout.xv6Rules() : try UserImageLayout.emeraldRules()
        let plan = try plan(bytes, machine, rules)
        var space = try TestSpace<S>(memory: ram.memory, frames: ram.frames, userWindow: testUserWindow(S.self))
        try bytes.withUnsafeBytes { file in try space.loadImage(plan, from: file) }

        // What the user sees, page by page, read back the way the kernel does.
        var seen: [UInt64: [UInt8]] = [:]
        var pageCount: UInt64 = 0
        for index in 0..<plan.segmentCount {
            let segment = plan.segment(at: index)
            let pages = try #require(segment.pages)
            for page in stride(from: pages.start.raw, to: pages.end.raw, by: 4096) {
                let mapped = space.translate(VirtualAddress(page))
                let translation = try #require(mapped)
                #expect(translation.isOwned)
                #expect(translation.permissions.contains(.user))
                #expect(translation.permissions.contains(.write) == segment.permissions.contains(.write))
                #expect(translation.permissions.contains(.execute) == segment.permissions.contains(.execute))
                var content = [UInt8](repeating: 0, count: 4096)
                try content.withUnsafeMutableBytes { buffer in try space.copyIn(from: VirtualAddress(page), into: buffer) }
                seen[page] = content
                pageCount += 1
            }
        }
        #expect(imageMismatch(seen, plan, bytes) == nil)
        #expect(space.userBytes() == pageCount * 4096)
    }

    /// A read that fails part way (an I/O error, a file that shrank since
    /// its size was taken) stops the load after some pages were mapped;
    /// dropping the space gives every frame back.
    @Test(arguments: [ElfMachine.riscv64, .x86_64], [false, true])
    func aFailedReadLeavesNoFrameBehind(machine: ElfMachine, short: Bool) throws {
        if machine == .riscv64 {
            try failedRead(Sv39.self, machine, base: riscvBase, short: short)
        } else {
            try failedRead(X86_64FourLevel.self, machine, base: x86Base, short: short)
        }
    }

    func failedRead<S: PagingScheme>(_: S.Type, _ machine: ElfMachine, base: UInt64, short: Bool) throws {
        let ram = SimulatedRAM()
        let free = ram.freeFrames
        let bytes = ElfBuilder.standard(machine, base: base).build()
        let rules = machine == .riscv64 ? UserImageLayout.xv6Rules() : try UserImageLayout.emeraldRules()
        let plan = try plan(bytes, machine, rules)
        do {
            var space = try TestSpace<S>(memory: ram.memory, frames: ram.frames, userWindow: testUserWindow(S.self))
            // The third read is rodata's: text's two pages are mapped by then.
            var source = FlakySource(bytes)
            if short { source.shortAtRead = 3 } else { source.failAtRead = 3 }
            #expect(throws: ElfCopyError<MapError>.unreadable) { try space.loadImage(plan, from: &source) }
            #expect(space.userBytes() == 3 * 4096)
        }
        #expect(ram.freeFrames == free)
    }

    @Test(arguments: bothSchemes) func refusesAPageAlreadyMapped(_ scheme: any PagingScheme.Type) throws {
        try refuse(scheme)
    }

    func refuse<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM()
        let machine: ElfMachine = S.levels == 3 ? .riscv64 : .x86_64
        let base = S.levels == 3 ? riscvBase : x86Base
        let bytes = ElfBuilder.standard(machine, base: base).build()
        let rules = machine == .riscv64 ? UserImageLayout.xv6Rules() : try UserImageLayout.emeraldRules()
        let plan = try plan(bytes, machine, rules)
        var space = try TestSpace<S>(memory: ram.memory, frames: ram.frames, userWindow: testUserWindow(S.self))
        // The data segment's page is taken: the load stops there with the
        // mapping's error, and the page keeps what it held.
        let data = try #require((0..<plan.segmentCount).map { plan.segment(at: $0) }.first { $0.permissions.contains(.write) })
        let taken = try #require(data.pages).start
        try space.mapUserPages(VirtualRange(start: taken, size: 4096)!, permissions: .readWrite)
        try [UInt8](repeating: 7, count: 4096).withUnsafeBytes { try space.copyOut(to: taken, from: $0) }
        do {
            try bytes.withUnsafeBytes { file in try space.loadImage(plan, from: file) }
            Issue.record("the load went over a mapped page")
        } catch {
            #expect(error as? ElfCopyError<MapError> == .sink(.alreadyMapped))
        }
        var content = [UInt8](repeating: 0, count: 4096)
        try content.withUnsafeMutableBytes { try space.copyIn(from: taken, into: $0) }
        #expect(content == [UInt8](repeating: 7, count: 4096))
    }

    /// One page mapped next to another (the last mapping's leaf table, no
    /// plan): a conflict and a shortage are refused without a change.
    @Test(arguments: bothSchemes) func onePageMapsRefuseWithoutChange(_ scheme: any PagingScheme.Type) throws {
        try onePage(scheme)
    }

    func onePage<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM()
        var space = try TestSpace<S>(memory: ram.memory, frames: ram.frames, userWindow: testUserWindow(S.self))
        try space.mapUserPages(VirtualRange(start: VirtualAddress(0x1000), size: 4096)!, permissions: .readWrite)
        // Same leaf table, already mapped.
        expectError(MapError.alreadyMapped) {
            try space.mapUserPages(VirtualRange(start: VirtualAddress(0x1000), size: 4096)!, permissions: .readWrite)
        }
        // Same leaf table, no frame left: refused, nothing mapped, nothing spent.
        var hoard: [FrameNumber] = []
        while ram.freeFrames > 0 { hoard.append(try ram.frames.pointee.allocate()) }
        expectError(MapError.outOfMemory) {
            try space.mapUserPages(VirtualRange(start: VirtualAddress(0x2000), size: 4096)!, permissions: .readWrite)
        }
        #expect(space.translate(VirtualAddress(0x2000)) == nil)
        // A page whose tables are missing: refused the same way before a table is made.
        for frame in hoard.suffix(S.levels - 2) { try ram.frames.pointee.free(frame) }
        hoard.removeLast(S.levels - 2)
        let free = ram.freeFrames
        expectError(MapError.outOfMemory) {
            try space.mapUserPages(VirtualRange(start: VirtualAddress(0x4000_0000), size: 4096)!, permissions: .readWrite)
        }
        #expect(ram.freeFrames == free)
        #expect(space.translate(VirtualAddress(0x4000_0000)) == nil)
        for frame in hoard { try ram.frames.pointee.free(frame) }
        // With frames: a new page next to the first, zeroed, and a kernel page's frame returned as mapped.
        try space.mapUserPages(VirtualRange(start: VirtualAddress(0x2000), size: 4096)!, permissions: .readWrite)
        var content = [UInt8](repeating: 1, count: 4096)
        try content.withUnsafeMutableBytes { try space.copyIn(from: VirtualAddress(0x2000), into: $0) }
        #expect(content == [UInt8](repeating: 0, count: 4096))
        let kernelPage = S.levels == 3 ? VirtualAddress((1 << 38) - 2 * 0x1000) : VirtualAddress(0xFFFF_FF80_0000_1000)
        let frame = try space.mapOwnedKernelPage(kernelPage, permissions: .readWrite, zeroed: false)
        #expect(space.translate(kernelPage)?.physicalAddress == frame)
        expectError(MapError.alreadyMapped) { _ = try space.mapOwnedKernelPage(kernelPage, permissions: .readWrite) }
    }
}
