import MemoryCore
import Testing

@Suite struct ElfLoaderTests {
    let xv6 = UserImageLayout.xv6Rules()
    let emerald = try! UserImageLayout.emeraldRules()

    @Test func plansTheStandardRiscVFile() throws {
        let builder = ElfBuilder.standard(.riscv64, base: riscvBase)
        let plan = try plan(builder.build(), .riscv64, xv6)
        #expect(plan.entry == VirtualAddress(0x1010))
        #expect(plan.segmentCount == 3)
        let text = plan.segment(at: 0), rodata = plan.segment(at: 1), data = plan.segment(at: 2)
        #expect(
            text
                == LoadSegment(
                    virtualAddress: VirtualAddress(0x1000), memorySize: 0x1234, fileOffset: 0x1000,
                    fileSize: 0x1234, permissions: .user | .readExecute))
        #expect(rodata.permissions == .user | .read)
        #expect(
            data
                == LoadSegment(
                    virtualAddress: VirtualAddress(0x5010), memorySize: 0x2000, fileOffset: 0x4010,
                    fileSize: 0x20, permissions: .user | .readWrite))
        #expect(data.pages == VirtualRange(start: VirtualAddress(0x5000), end: VirtualAddress(0x8000)))
        #expect(plan.imageStart == VirtualAddress(0x1000))
        #expect(plan.imageEnd == VirtualAddress(0x8000))
        #expect(plan.programHeaderOffset == 64)
        #expect(plan.programHeaderCount == 3)
        #expect(plan.programHeaderAddress == nil)  // no segment maps file offset 64
        #expect(plan.textSegment == text)
        #expect(plan.fileSize == 0x4030)
    }

    @Test func plansTheStandardX86File() throws {
        let plan = try plan(ElfBuilder.standard(.x86_64, base: x86Base).build(), .x86_64, emerald)
        #expect(plan.entry == VirtualAddress(0x40_1010))
        #expect(plan.segmentCount == 3)
        #expect(plan.segment(at: 0).permissions == .user | .readExecute)
        #expect(plan.segment(at: 2).virtualAddress == VirtualAddress(0x40_5010))
        #expect(plan.imageRange == VirtualRange(start: VirtualAddress(0x40_1000), end: VirtualAddress(0x40_8000)))
    }

    @Test func findsProgramHeadersMappedByASegment() throws {
        var builder = ElfBuilder.standard(.riscv64, base: riscvBase)
        builder.segments[1] = TestSegment(flags: 4, vaddr: 0x3000, offset: 0, filesz: 0x200, memsz: 0x200)
        let plan = try plan(builder.build(), .riscv64, xv6)
        #expect(plan.programHeaderAddress == VirtualAddress(0x3040))
    }

    @Test func skipsOtherProgramHeadersAndEmptySegments() throws {
        var builder = ElfBuilder.standard(.riscv64, base: riscvBase)
        builder.segments.insert(TestSegment(type: 0x6474_E551, flags: 6, vaddr: 0, offset: 0, filesz: 0, memsz: 0, align: 16), at: 0)
        builder.segments.append(TestSegment(flags: 6, vaddr: 0x9000, offset: 0x3000, filesz: 0, memsz: 0))
        builder.segments.append(TestSegment(type: 4, flags: 4, vaddr: 0xFFFF_FFFF_FFFF_0000, offset: 0, filesz: 0x40_0000, memsz: 1))
        let plan = try plan(builder.build(), .riscv64, xv6)
        #expect(plan.segmentCount == 3)
        #expect(plan.imageEnd == VirtualAddress(0x8000))
    }

    /// Each defect, made by one mutation of a valid file, gives its own error.
    @Test(arguments: ElfMutation.all)
    func mutationGivesItsError(_ mutation: ElfMutation) {
        var builder = ElfBuilder.standard(.riscv64, base: riscvBase)
        var machine = ElfMachine.riscv64
        var rules = xv6
        let bytes = mutation.apply(&builder, &machine, &rules)
        #expect(throws: mutation.expected) { try plan(bytes, machine, rules) }
    }

    @Test func emptyAndTinyFilesAreTruncated() {
        #expect(throws: ElfError.truncated) { try ElfLoader.plan(file: UnsafeRawBufferPointer(start: nil, count: 0), machine: .riscv64, rules: xv6) }
        #expect(throws: ElfError.truncated) { try plan([0x7F, 0x45, 0x4C, 0x46], .riscv64, xv6) }
    }

    @Test func acceptsTheLimitOfEightSegments() throws {
        var builder = ElfBuilder.compact(.riscv64, base: riscvBase)
        for i in 3..<8 {
            builder.segments.append(TestSegment(flags: 4, vaddr: UInt64(i) * 0x1000 + 0x10_0100, offset: 0x100, filesz: 0x10, memsz: 0x10))
        }
        builder.phoff = 0x200
        builder.fileSize = 0x400
        #expect(try plan(builder.build(), .riscv64, xv6).segmentCount == 8)
    }

    @Test func copiesFileBytesAndZeroesTheRest() throws {
        let builder = ElfBuilder.standard(.riscv64, base: riscvBase)
        let bytes = builder.build()
        let plan = try plan(bytes, .riscv64, xv6)
        var sink = RecordingSink()
        try bytes.withUnsafeBytes { file in try plan.copySegments(from: file, into: &sink) }

        let expectedPages: [UInt64] = [0x1000, 0x2000, 0x3000, 0x5000, 0x6000, 0x7000]
        #expect(sink.pages.keys.sorted() == expectedPages)
        #expect(sink.permissions[0x2000] == .user | .readExecute)
        #expect(sink.permissions[0x3000] == .user | .read)
        #expect(sink.permissions[0x7000] == .user | .readWrite)
        #expect(imageMismatch(sink, plan, bytes) == nil)
    }

    /// `ld -N -e main -Ttext 0` (how xv6 links forktest) gives one RWX
    /// segment at file offset 0xe8 for address 0 with `p_align` 2: address
    /// and offset disagree modulo the page size, and the file still loads,
    /// byte for byte, also where the segment crosses a page.
    @Test(arguments: [UInt64(0x415), 0x1415])
    func loadsASegmentWhoseOffsetDisagreesWithItsAddressModuloThePage(fileBytes: UInt64) throws {
        let builder = ElfBuilder(
            machine: ElfMachine.riscv64.rawValue, entry: 0x1c,
            segments: [TestSegment(flags: 7, vaddr: 0, offset: 0xe8, filesz: fileBytes, memsz: fileBytes + 0x10, align: 2)],
            fileSize: Int(0xe8 + fileBytes + 0x80))
        let bytes = builder.build()
        let plan = try plan(bytes, .riscv64, xv6)
        #expect(plan.segmentCount == 1)
        #expect(plan.segment(at: 0).fileOffset == 0xe8 && plan.segment(at: 0).virtualAddress == VirtualAddress(0))
        #expect(plan.brokenPromise(fileSize: UInt64(bytes.count), rules: xv6) == nil)
        var sink = RecordingSink()
        try bytes.withUnsafeBytes { file in try plan.copySegments(from: file, into: &sink) }
        #expect(sink.pages.count == Int((fileBytes + 0x10 + 0xFFF) / 0x1000))
        #expect(imageMismatch(sink, plan, bytes) == nil)
        #expect(sink.pages[0]![0] == bytes[0xe8] && sink.pages[0]![0] != bytes[0])
    }

    /// The same on x86-64: an odd offset for a page-aligned address.
    @Test func loadsAnX86SegmentAtAnUnalignedOffset() throws {
        let builder = ElfBuilder(
            machine: ElfMachine.x86_64.rawValue, entry: x86Base + 0x10,
            segments: [TestSegment(flags: 5, vaddr: x86Base, offset: 0x123, filesz: 0x2000, memsz: 0x2000, align: 1)],
            fileSize: 0x2200)
        let bytes = builder.build()
        let plan = try plan(bytes, .x86_64, emerald)
        var sink = RecordingSink()
        try bytes.withUnsafeBytes { file in try plan.copySegments(from: file, into: &sink) }
        #expect(sink.pages.keys.sorted() == [x86Base, x86Base + 0x1000])
        #expect(imageMismatch(sink, plan, bytes) == nil)
    }

    @Test func copyStopsAtTheSinkError() throws {
        let bytes = ElfBuilder.standard(.riscv64, base: riscvBase).build()
        let plan = try plan(bytes, .riscv64, xv6)
        var sink = RecordingSink(failAtCall: 5)
        #expect(throws: ElfCopyError<RecordingSink.Refused>.sink(RecordingSink.Refused())) {
            try bytes.withUnsafeBytes { file in try plan.copySegments(from: file, into: &sink) }
        }
        #expect(sink.calls == 5)
    }

    @Test func copyRefusesAnotherFile() throws {
        let bytes = ElfBuilder.standard(.riscv64, base: riscvBase).build()
        let plan = try plan(bytes, .riscv64, xv6)
        var sink = RecordingSink()
        let shorter = Array(bytes.prefix(0x4000))
        #expect(throws: ElfCopyError<RecordingSink.Refused>.fileMismatch) {
            try shorter.withUnsafeBytes { file in try plan.copySegments(from: file, into: &sink) }
        }
        #expect(sink.calls == 0)
    }
}

/// One way of breaking the standard RISC-V file, and the error it must give.
struct ElfMutation: Sendable, CustomTestStringConvertible {
    let name: String
    let expected: ElfError
    let change: @Sendable (inout ElfBuilder, inout ElfMachine, inout UserRegionRules, inout [UInt8]?) -> Void
    var testDescription: String { name }

    /// Builds the file, lets `change` edit the builder or the bytes.
    func apply(_ builder: inout ElfBuilder, _ machine: inout ElfMachine, _ rules: inout UserRegionRules) -> [UInt8] {
        var bytes: [UInt8]? = nil
        change(&builder, &machine, &rules, &bytes)
        return bytes ?? builder.build()
    }

    /// A mutation of the built bytes.
    static func bytes(_ name: String, _ expected: ElfError, _ edit: @escaping @Sendable (inout [UInt8]) -> Void) -> ElfMutation {
        ElfMutation(name: name, expected: expected) { builder, _, _, bytes in
            var b = builder.build()
            edit(&b)
            bytes = b
        }
    }

    /// A mutation of the builder.
    static func build(_ name: String, _ expected: ElfError, _ edit: @escaping @Sendable (inout ElfBuilder) -> Void) -> ElfMutation {
        ElfMutation(name: name, expected: expected) { builder, _, _, _ in edit(&builder) }
    }

    static let all: [ElfMutation] = [
        bytes("header cut short", .truncated) { $0 = Array($0.prefix(63)) },
        bytes("magic", .badMagic) { $0[1] = 0x45 ^ 0x20 },
        bytes("magic first byte", .badMagic) { $0[0] = 0x7E },
        bytes("32-bit class", .notELF64) { $0[4] = 1 },
        bytes("big-endian", .notLittleEndian) { $0[5] = 2 },
        bytes("ident version", .badVersion) { $0[6] = 0 },
        bytes("e_version", .badVersion) { ElfBuilder.put32(&$0, ElfBuilder.eVersion, 2) },
        ElfMutation(name: "other machine", expected: .wrongMachine) { _, machine, _, _ in machine = .x86_64 },
        build("x86 file on RISC-V", .wrongMachine) { $0.machine = ElfMachine.x86_64.rawValue },
        build("relocatable object", .notExecutable) { $0.type = 1 },
        build("shared object (PIE)", .notExecutable) { $0.type = 3 },
        bytes("e_ehsize", .badHeaderSize) { ElfBuilder.put16(&$0, ElfBuilder.eEhsize, 52) },
        bytes("e_phentsize", .badHeaderSize) { ElfBuilder.put16(&$0, ElfBuilder.ePhentsize, 32) },
        bytes("phoff past the end", .programHeadersOutOfFile) { ElfBuilder.put64(&$0, ElfBuilder.ePhoff, 0x4000) },
        bytes("phoff wraps", .programHeadersOutOfFile) { ElfBuilder.put64(&$0, ElfBuilder.ePhoff, UInt64.max - 8) },
        bytes("phnum too large", .programHeadersOutOfFile) { ElfBuilder.put16(&$0, ElfBuilder.ePhnum, 0x200) },
        bytes("no program headers", .noLoadableSegment) { ElfBuilder.put16(&$0, ElfBuilder.ePhnum, 0) },
        build("segment past the end", .segmentOutOfFile) { $0.segments[1].offset = 0x4000 },
        build("segment offset wraps", .segmentOutOfFile) { $0.segments[1].offset = UInt64.max - 0xFF },
        build("filesz wraps", .segmentOutOfFile) {
            $0.segments[1].filesz = UInt64.max; $0.segments[1].memsz = UInt64.max
        },
        build("filesz > memsz", .fileSizeExceedsMemorySize) { $0.segments[0].memsz = 0x1233 },
        build("vaddr + memsz wraps", .addressOverflow) { $0.segments[2].vaddr = 0xFFFF_FFFF_FFFF_F010 },
        build("last page wraps", .addressOverflow) { $0.segments[2].vaddr = 0xFFFF_FFFF_FFFF_D010 },
        build("p_align not a power of two", .misalignedSegment) { $0.segments[1].align = 0x3000 },
        build("vaddr disagrees with offset mod p_align", .misalignedSegment) {
            $0.segments[1].align = 0x10000; $0.segments[1].vaddr = 0x24000
        },
        build("vaddr disagrees with offset mod p_align 8", .misalignedSegment) {
            $0.segments[1].align = 8; $0.segments[1].vaddr = 0x3004
        },
        build("beyond MAXVA", .segmentOutsideUserRegion) { $0.segments[1].vaddr = 0x40_0000_0000 },
        build("on the trampoline", .segmentOverlapsReserved) { $0.segments[1].vaddr = 0x3F_FFFF_F000 },
        build("on the trap frame", .segmentOverlapsReserved) { $0.segments[1].vaddr = 0x3F_FFFF_E000 },
        build("bss reaching the trap frame", .segmentOverlapsReserved) {
            $0.segments[2].vaddr = 0x3F_FFFF_C010; $0.entry = 0x1010
        },
        build("two segments in one page", .overlappingSegments) { $0.segments[1].vaddr = 0x2000 },
        build("same segment twice", .overlappingSegments) { $0.segments.append($0.segments[0]) },
        build("nine segments", .tooManySegments) {
            for i in 0..<6 {
                $0.segments.append(TestSegment(flags: 4, vaddr: UInt64(i) * 0x1000 + 0x10_0000, offset: 0x3000, filesz: 0x10, memsz: 0x10))
            }
        },
        build("only non-load headers", .noLoadableSegment) { b in
            for i in b.segments.indices { b.segments[i].type = 4 }
        },
        build("only empty segments", .noLoadableSegment) { b in
            for i in b.segments.indices { b.segments[i].filesz = 0; b.segments[i].memsz = 0 }
        },
        build("entry in rodata", .entryNotExecutable) { $0.entry = 0x3000 },
        build("entry in a hole", .entryNotExecutable) { $0.entry = 0x2800 },
        build("entry just past text", .entryNotExecutable) { $0.entry = 0x2234 },
        build("text not executable", .entryNotExecutable) { $0.segments[0].flags = 4 },
        ElfMutation(name: "below the allowed range", expected: .segmentOutsideUserRegion) { _, _, rules, _ in
            rules = UserRegionRules(allowed: VirtualRange(start: VirtualAddress(0x2000), end: VirtualAddress(0x10_0000))!)
        },
        ElfMutation(name: "on a reserved page", expected: .segmentOverlapsReserved) { _, _, rules, _ in
            rules.reserve(VirtualRange(start: VirtualAddress(0x7000), size: 0x1000)!)
        },
    ]
}
