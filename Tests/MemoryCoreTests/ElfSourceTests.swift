import MemoryCore
import Testing

/// The loader reads a file through `ElfFileSource`: the header and program
/// headers in a few small reads, each segment's bytes straight into its
/// pages; a failed or short read refuses the file and keeps nothing.
@Suite struct ElfSourceTests {
    let xv6 = UserImageLayout.xv6Rules()

    func planned(_ source: inout FlakySource) throws(ElfError) -> LoadPlan {
        try ElfLoader.plan(source: &source, machine: .riscv64, rules: xv6)
    }

    func segments(_ plan: LoadPlan) -> [LoadSegment] { (0..<plan.segmentCount).map { plan.segment(at: $0) } }

    @Test func headerAndProgramHeadersTakeOneRead() throws {
        let bytes = ElfBuilder.standard(.riscv64, base: riscvBase).build()
        var source = FlakySource(bytes)
        let plan = try planned(&source)
        #expect(source.reads == 1)
        #expect(segments(plan) == segments(try MemoryCoreTests.plan(bytes, .riscv64, xv6)))
    }

    /// Twelve program headers (eight PT_LOAD, four notes) right after the
    /// header cross the first read's 512 bytes; placed at 0x1000 they are
    /// read apart from the header, nine at a time. The plan is the same.
    @Test(arguments: [(UInt64(64), 2), (0x1000, 3)])
    func aLongOrDistantTableIsReadInPieces(phoff: UInt64, reads: Int) throws {
        var builder = ElfBuilder.compact(.riscv64, base: riscvBase)
        for i in 3..<8 {
            builder.segments.append(TestSegment(flags: 4, vaddr: UInt64(i) * 0x1000 + 0x10_0100, offset: 0x100, filesz: 0x10, memsz: 0x10))
        }
        for _ in 0..<4 { builder.segments.append(TestSegment(type: 4, flags: 4, vaddr: 0, offset: 0, filesz: 0, memsz: 0)) }
        builder.phoff = phoff
        builder.fileSize = 0x1400
        let bytes = builder.build()
        var source = FlakySource(bytes)
        let plan = try planned(&source)
        #expect(source.reads == reads)
        #expect(plan.segmentCount == 8)
        #expect(segments(plan) == segments(try MemoryCoreTests.plan(bytes, .riscv64, xv6)))
    }

    @Test(arguments: [1, 2, 3])
    func aFailedOrShortTableReadIsUnreadable(read: Int) throws {
        var builder = ElfBuilder.compact(.riscv64, base: riscvBase)
        for _ in 0..<12 { builder.segments.append(TestSegment(type: 4, flags: 4, vaddr: 0, offset: 0, filesz: 0, memsz: 0)) }
        builder.phoff = 0x1000
        builder.fileSize = 0x1400
        let bytes = builder.build()
        var failing = FlakySource(bytes)
        failing.failAtRead = read
        #expect(throws: ElfError.unreadable) { try planned(&failing) }
        var short = FlakySource(bytes)
        short.shortAtRead = read
        #expect(throws: ElfError.unreadable) { try planned(&short) }
    }

    /// A file whose size claims bytes it does not have (it shrank after its
    /// size was taken): the plan passes, the copy stops at the short read.
    @Test func aFileShorterThanItsSizeStopsTheCopy() throws {
        let bytes = ElfBuilder.standard(.riscv64, base: riscvBase).build()
        var source = FlakySource(Array(bytes.prefix(0x3080)), size: UInt64(bytes.count))
        let plan = try planned(&source)
        var sink = RecordingSink()
        #expect(throws: ElfCopyError<RecordingSink.Refused>.unreadable) { try plan.copySegments(from: &source, into: &sink) }
        // Text's two pages, then rodata's page, whose read came up short.
        #expect(sink.calls == 3)
    }

    @Test(arguments: [2, 3, 4])
    func aFailedOrShortSegmentReadStopsTheCopy(read: Int) throws {
        let bytes = ElfBuilder.standard(.riscv64, base: riscvBase).build()
        for short in [false, true] {
            var source = FlakySource(bytes)
            let plan = try planned(&source)
            if short { source.shortAtRead = read } else { source.failAtRead = read }
            var sink = RecordingSink()
            #expect(throws: ElfCopyError<RecordingSink.Refused>.unreadable) { try plan.copySegments(from: &source, into: &sink) }
            #expect(source.reads == read)
        }
    }

    /// Each page's file bytes are one read, straight into the page.
    @Test func copyReadsEachPagesFileBytesOnce() throws {
        let bytes = ElfBuilder.standard(.riscv64, base: riscvBase).build()
        var source = FlakySource(bytes)
        let plan = try planned(&source)
        var sink = RecordingSink()
        try plan.copySegments(from: &source, into: &sink)
        // Text covers two pages, rodata and data one each with file bytes; the
        // header read came first.
        #expect(source.reads == 1 + 4)
        #expect(imageMismatch(sink, plan, bytes) == nil)
    }

    @Test func copyRefusesASourceOfAnotherSize() throws {
        let bytes = ElfBuilder.standard(.riscv64, base: riscvBase).build()
        let plan = try MemoryCoreTests.plan(bytes, .riscv64, xv6)
        var source = FlakySource(bytes, size: UInt64(bytes.count) + 1)
        var sink = RecordingSink()
        #expect(throws: ElfCopyError<RecordingSink.Refused>.fileMismatch) { try plan.copySegments(from: &source, into: &sink) }
        #expect(source.reads == 0 && sink.calls == 0)
    }
}
