import MemoryCore

/// One program header for `ElfBuilder`.
struct TestSegment: Sendable {
    var type: UInt32 = 1  // PT_LOAD
    var flags: UInt32  // PF_X = 1, PF_W = 2, PF_R = 4
    var vaddr: UInt64
    var offset: UInt64
    var filesz: UInt64
    var memsz: UInt64
    var align: UInt64 = 0x1000
}

/// Writes small ELF64 executables into a byte array, field by field, so a
/// test can build a valid file and then break exactly one thing in it.
struct ElfBuilder: Sendable {
    var machine: UInt16
    var type: UInt16 = 2  // ET_EXEC
    var entry: UInt64
    var phoff: UInt64 = 64
    var segments: [TestSegment]
    /// Total length; segments' file bytes must fit.
    var fileSize: Int

    /// Header offsets (ELF64).
    static let eType = 16, eMachine = 18, eVersion = 20, eEntry = 24, ePhoff = 32
    static let eEhsize = 52, ePhentsize = 54, ePhnum = 56
    /// Program-header field offsets, relative to the header.
    static let pType = 0, pFlags = 4, pOffset = 8, pVaddr = 16, pFilesz = 32, pMemsz = 40, pAlign = 48

    /// A byte of "file content" that differs from zero and from its neighbours.
    static func pattern(_ offset: Int) -> UInt8 { UInt8(truncatingIfNeeded: offset &* 7 &+ 3) | 1 }

    func build() -> [UInt8] {
        var bytes = (0..<fileSize).map(Self.pattern)
        for i in 0..<64 { bytes[i] = 0 }
        bytes.replaceSubrange(0..<8, with: [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0])
        Self.put16(&bytes, Self.eType, type)
        Self.put16(&bytes, Self.eMachine, machine)
        Self.put32(&bytes, Self.eVersion, 1)
        Self.put64(&bytes, Self.eEntry, entry)
        Self.put64(&bytes, Self.ePhoff, phoff)
        Self.put16(&bytes, Self.eEhsize, 64)
        Self.put16(&bytes, Self.ePhentsize, 56)
        Self.put16(&bytes, Self.ePhnum, UInt16(segments.count))
        for (i, s) in segments.enumerated() {
            let at = Int(phoff) + i * 56
            Self.put32(&bytes, at + Self.pType, s.type)
            Self.put32(&bytes, at + Self.pFlags, s.flags)
            Self.put64(&bytes, at + Self.pOffset, s.offset)
            Self.put64(&bytes, at + Self.pVaddr, s.vaddr)
            Self.put64(&bytes, at + 24, s.vaddr)  // p_paddr
            Self.put64(&bytes, at + Self.pFilesz, s.filesz)
            Self.put64(&bytes, at + Self.pMemsz, s.memsz)
            Self.put64(&bytes, at + Self.pAlign, s.align)
        }
        return bytes
    }

    static func put16(_ b: inout [UInt8], _ at: Int, _ v: UInt16) { put(&b, at, UInt64(v), 2) }
    static func put32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) { put(&b, at, UInt64(v), 4) }
    static func put64(_ b: inout [UInt8], _ at: Int, _ v: UInt64) { put(&b, at, v, 8) }
    static func put(_ b: inout [UInt8], _ at: Int, _ v: UInt64, _ n: Int) {
        for i in 0..<n { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
    }
    static func get64(_ b: [UInt8], _ at: Int) -> UInt64 {
        (0..<8).reduce(0) { $0 | UInt64(b[at + $1]) << (8 * UInt64($1)) }
    }

    /// Offset of program header `index`'s field `field` in a built file.
    func ph(_ index: Int, _ field: Int) -> Int { Int(phoff) + index * 56 + field }

    /// Text (R-X) at base+0x1000, rodata (R--) at base+0x3000 and data with a
    /// .bss tail (RW-) at base+0x5010, laid out as ld.lld does: address and
    /// offset agree modulo 4096, and no two segments share a page.
    static func standard(_ machine: ElfMachine, base: UInt64) -> ElfBuilder {
        ElfBuilder(
            machine: machine.rawValue, entry: base + 0x1010,
            segments: [
                TestSegment(flags: 5, vaddr: base + 0x1000, offset: 0x1000, filesz: 0x1234, memsz: 0x1234),
                TestSegment(flags: 4, vaddr: base + 0x3000, offset: 0x3000, filesz: 0x100, memsz: 0x100),
                TestSegment(flags: 6, vaddr: base + 0x5010, offset: 0x4010, filesz: 0x20, memsz: 0x2000),
            ], fileSize: 0x4030)
    }

    /// A few hundred bytes with the same three kinds of segment: cheap to
    /// copy a hundred thousand times.
    static func compact(_ machine: ElfMachine, base: UInt64) -> ElfBuilder {
        ElfBuilder(
            machine: machine.rawValue, entry: base + 0x1100,
            segments: [
                TestSegment(flags: 5, vaddr: base + 0x1100, offset: 0x100, filesz: 0x40, memsz: 0x40),
                TestSegment(flags: 4, vaddr: base + 0x2140, offset: 0x140, filesz: 0x20, memsz: 0x20),
                TestSegment(flags: 6, vaddr: base + 0x3160, offset: 0x160, filesz: 0x10, memsz: 0x1100),
            ], fileSize: 0x170)
    }
}

/// Base addresses the test files are linked at.
let riscvBase: UInt64 = 0
let x86Base: UInt64 = 0x40_0000

/// Runs the loader on an array of bytes.
func plan(_ bytes: [UInt8], _ machine: ElfMachine, _ rules: UserRegionRules) throws(ElfError) -> LoadPlan {
    let result = bytes.withUnsafeBytes { file in
        Result { () throws(ElfError) in try ElfLoader.plan(file: file, machine: machine, rules: rules) }
    }
    return try result.get()
}

/// A sink that hands the loader pages of its own and keeps them by address.
/// Each page starts out stale: 0xEE everywhere, or (with `staleFrom`) the
/// complement of what the page must end up holding, so that every byte the
/// loader leaves unwritten shows.
struct RecordingSink: ElfImageSink {
    struct Refused: Error, Equatable {}
    /// The pages' memory: addresses that stay put while the loader writes.
    final class Storage {
        var pages: [UInt64: UnsafeMutableRawPointer] = [:]
        deinit { for page in pages.values { page.deallocate() } }
    }
    let storage = Storage()
    var permissions: [UInt64: PagePermissions] = [:]
    var calls = 0
    var failAtCall: Int? = nil
    /// The plan and file whose expected pages are complemented for the stale contents.
    var staleFrom: (LoadPlan, [UInt8])? = nil

    var pages: [UInt64: [UInt8]] {
        storage.pages.mapValues { Array(UnsafeRawBufferPointer(start: $0, count: 4096)) }
    }

    mutating func beginPage(_ page: VirtualAddress, permissions: PagePermissions) throws(Refused) -> UnsafeMutableRawPointer {
        calls += 1
        if calls == failAtCall { throw Refused() }
        precondition(storage.pages[page.raw] == nil, "page begun twice")
        let memory = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 4096)
        if let (plan, bytes) = staleFrom {
            let stale = expectedPage(plan, bytes, page.raw).map { ~$0 }
            stale.withUnsafeBytes { memory.copyMemory(from: $0.baseAddress!, byteCount: 4096) }
        } else {
            memory.initializeMemory(as: UInt8.self, repeating: 0xEE, count: 4096)
        }
        storage.pages[page.raw] = memory
        self.permissions[page.raw] = permissions
        return memory
    }
}

/// A source over bytes in memory that can be made to fail or to come up
/// short at its `failAtRead`-th read, or to claim a size it lacks.
struct FlakySource: ElfFileSource {
    struct Broken: Error {}
    let bytes: [UInt8]
    var size: UInt64
    var reads = 0
    var failAtRead: Int? = nil
    var shortAtRead: Int? = nil

    init(_ bytes: [UInt8], size: UInt64? = nil) {
        self.bytes = bytes
        self.size = size ?? UInt64(bytes.count)
    }

    mutating func read(at offset: UInt64, count: Int, into destination: UnsafeMutableRawPointer) throws(Broken) -> Int {
        reads += 1
        if reads == failAtRead { throw Broken() }
        let available = offset < UInt64(bytes.count) ? min(count, bytes.count - Int(offset)) : 0
        let copied = reads == shortAtRead ? available / 2 : available
        if copied > 0 { bytes.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress! + Int(offset), byteCount: copied) } }
        return copied
    }
}

/// What page `page` of the image must hold: the file bytes a segment has
/// there, zeros everywhere else.
func expectedPage(_ plan: LoadPlan, _ bytes: [UInt8], _ page: UInt64) -> [UInt8] {
    var content = [UInt8](repeating: 0, count: 4096)
    for k in 0..<plan.segmentCount {
        let s = plan.segment(at: k)
        let low = max(page, s.virtualAddress.raw), high = min(page + 4096, s.virtualAddress.raw + s.fileSize)
        guard low < high else { continue }
        let from = Int(s.fileOffset + (low - s.virtualAddress.raw))
        content.replaceSubrange(Int(low - page)..<Int(high - page), with: bytes[from..<(from + Int(high - low))])
    }
    return content
}

/// Checks every byte of every page the sink received against the plan: file
/// bytes inside a segment's file part, zero everywhere else.
func imageMismatch(_ sink: RecordingSink, _ plan: LoadPlan, _ bytes: [UInt8]) -> String? {
    imageMismatch(sink.pages, plan, bytes)
}

/// The same for pages read back by address.
func imageMismatch(_ pages: [UInt64: [UInt8]], _ plan: LoadPlan, _ bytes: [UInt8]) -> String? {
    var expectedPages = Set<UInt64>()
    for i in 0..<plan.segmentCount {
        let pages = plan.segment(at: i).pages!
        expectedPages.formUnion(stride(from: pages.start.raw, to: pages.end.raw, by: 4096))
    }
    if Set(pages.keys) != expectedPages { return "pages \(pages.keys.sorted()) != \(expectedPages.sorted())" }
    for (page, content) in pages {
        let expected = expectedPage(plan, bytes, page)
        guard content != expected else { continue }
        let i = (0..<4096).first { content[$0] != expected[$0] }!
        return "byte at 0x\(String(page + UInt64(i), radix: 16)) is \(content[i]), expected \(expected[i])"
    }
    return nil
}
