import Foundation
import LayoutMaps
import Testing

@testable import MemoryCore

/// LayoutText's bytes, collected on the host.
struct ByteSink: LayoutTextSink {
    var bytes: [UInt8] = []
    mutating func put(_ byte: UInt8) { bytes.append(byte) }
    var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// A table as the kernel prints it at boot: the same code (LayoutText.write).
func printed(_ table: LayoutTable) -> String {
    var sink = ByteSink()
    LayoutText.write(table, into: &sink)
    return sink.text
}

/// The tables of both architectures, for a representative kernel image.
let tables: [(String, LayoutTable)] = [
    ("riscv64-kernel", RiscV64Layout.kernelSpace(Catalog.riscv64Image)),
    ("riscv64-process", RiscV64Layout.userSpace(Catalog.riscv64Image)),
    ("x86_64", X86_64Layout.table(Catalog.x86_64Image)),
]

/// The table's regions in the renderer's model.
func regions(_ table: LayoutTable) -> [MapRegion] {
    (0..<table.count).map { MapRegion(table[$0], dependsOnImage: false) }
}

/// A boot log around a printed table: console noise, CR LF line ends, a line
/// that starts with "layout " without being a block.
func bootLog(_ table: LayoutTable) -> String {
    let lines =
        ["", "Swiftlet kernel (Embedded Swift) on somewhere", "timer        100 Hz"] + printed(table).split(separator: "\n").map(String.init)
        + ["layout audit: 8 regions match", "init: starting sh", "$ "]
    return lines.joined(separator: "\r\n")
}

@Suite struct LiveMapTests {
    @Test(arguments: tables.map(\.0))
    func aPrintedTableParsesBackToTheTable(stem: String) throws {
        let table = try #require(tables.first { $0.0 == stem }).1
        let blocks = try LayoutLogParser.parse(bootLog(table))
        try #require(blocks.count == 1)
        #expect(blocks[0].name == String(describing: table.name))
        #expect(blocks[0].line == 4)
        let parsed = blocks[0].regions
        let expected = regions(table)
        #expect(parsed.count == table.count)
        for (row, region) in zip(parsed, expected) {
            #expect(row == region, "\(stem): \(region.name) did not survive the round trip")
            #expect(row.first == region.first && row.last == region.last && row.size == region.size)
            #expect(row.kind == region.kind && row.owner == region.owner && row.name == region.name)
            #expect(row.physical == region.physical && row.slotCount == region.slotCount)
        }
    }

    @Test(arguments: tables.map(\.0))
    func theMapFromALogNamesEveryRegion(stem: String) throws {
        let table = try #require(tables.first { $0.0 == stem }).1
        let block = try #require(try LayoutLogParser.parse(bootLog(table)).first)
        let map = try LiveMaps.map(block, source: "boot.log")
        let xml = try parse(SVGMap(map).render())
        #expect(xml.elements.first == "svg")
        for region in regions(table) {
            #expect(xml.texts.contains { $0.hasPrefix(region.name) }, "\(stem): no label for \(region.name)")
            #expect(xml.texts.contains(hex(region.first)), "\(stem): first address of \(region.name) missing")
            #expect(xml.texts.contains(hex(region.last)), "\(stem): last address of \(region.name) missing")
            #expect(xml.ids.contains("band-\(hex(region.first))"), "\(stem): no band for \(region.name)")
        }
    }

    /// The boot table drawn from the log is the table's own picture but for
    /// the title and the image-dependent marks: the same bands.
    @Test func theMapFromALogHasTheTablesBands() throws {
        let block = try #require(try LayoutLogParser.parse(bootLog(RiscV64Layout.kernelSpace(Catalog.riscv64Image))).first)
        let live = try LiveMaps.map(block, source: "boot.log")
        let drawn = Catalog.riscv64Kernel
        #expect(live.bands.map(\.first) == drawn.bands.map(\.first))
        #expect(live.bands.map(\.name) == drawn.bands.map(\.name))
        #expect(live.bands.map(\.backing) == drawn.bands.map(\.backing))
    }

    @Test func aMalformedRowIsNamedByItsLine() throws {
        let log = bootLog(RiscV64Layout.kernelSpace(Catalog.riscv64Image)).replacingOccurrences(of: "frames", with: "frobs")
        let lineOfStacks = try #require(log.components(separatedBy: "\r\n").firstIndex { $0.contains("kernel stacks") }) + 1
        #expect {
            try LayoutLogParser.parse(log)
        } throws: { error in
            guard let error = error as? LayoutLogError else { return false }
            return error.line == lineOfStacks && error.text.contains("kernel stacks") && error.description.hasPrefix("line \(lineOfStacks): kind `frobs`")
        }
    }

    @Test(arguments: [
        ("  0x1000  0x1fff  8 KiB  frames  rw--  kernel   wrong size", "does not match"),
        ("  0x2000  0x1fff  4 KiB  frames  rw--  kernel   backwards", "below the first"),
        ("  0x1000  0x1fff  4 KiB  frames  rw--  nobody   no owner", "owner `nobody`"),
        ("  0x1000  0x1fff  4 KiB  frames  rwzu  kernel   bad perm", "perm `rwzu`"),
        ("  1000  0x1fff  4 KiB  frames  rw--  kernel   no 0x", "first address `1000`"),
        ("  0x1000  0x1fff  4 KiB  frames  rw--  kernel", "no name"),
        ("  0x1000  0x1fff  4 KiB", "needs first, last"),
        ("  0x1000  0x1fff  4 KiB  frames  rw--  kernel   x [at 0x1000]", "needs a direct row"),
        ("  0x1000  0x2fff  8 KiB  frames  rw--  kernel   x [3 slots, 4 KiB guard each]", "do not divide"),
        ("  0x1000  0x1fff  4 KiB  frames  rw--  kernel   x [whatever]", "neither"),
        ("  0x1000  0x1fff  4 KiB  frames  rw-u  user     heap [shared by 1]", "nor a state"),
        ("  0x1000  0x1fff  4 KiB  frames  rw-u  user     heap [lazy] [private]", "nor a state"),
        ("  0x1000  0x2fff  8 KiB  frames  rw-u  user     heap [private] [2 slots, 1 KiB guard each]", "the state last"),
    ])
    func badRowsSayWhy(row: String, reason: String) {
        let log = "boot\nlayout riscv64 test\n  first  last  size  kind  perm  owner  name\n\(row)\nend layout\n"
        #expect {
            try LayoutLogParser.parse(log)
        } throws: { error in
            guard let error = error as? LayoutLogError else { return false }
            return error.line == 4 && error.text == row && error.reason.contains(reason)
        }
    }

    @Test func blocksMustEndAndRowsMustClimb() {
        let header = "layout riscv64 test\n  first  last  size  kind  perm  owner  name\n"
        let row = "  0x1000  0x1fff  4 KiB  frames  rw--  kernel   page\n"
        #expect(throws: LayoutLogError.self) { try LayoutLogParser.parse(header + row) }
        #expect(throws: LayoutLogError.self) { try LayoutLogParser.parse(header + row + row + "end layout\n") }
        #expect(throws: LayoutLogError.self) { try LayoutLogParser.parse(header + row + header + row + "end layout\n") }
        // Not a block: no column titles after the `layout` line.
        #expect((try? LayoutLogParser.parse("layout audit: 8 regions match\n" + row)) == [])
    }

    /// The kernel's size text is the host maps' size text (sizeText).
    @Test func sizesAreWrittenAsTheMapsWriteThem() {
        var values: [UInt64] = [1, 1023, 1024, 1536, 4096, 0x7F7_6000, 0x3F_FFFF_E000, 1 << 47, 0xFFFF_FFFF_7FFF_F000 - 0xFFFF_FF80_0004_1000]
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        for _ in 0..<2000 {  // xorshift: sizes of every magnitude below 2^49 (where the host's doubles are exact)
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            values.append(state >> (15 + state % 49))
        }
        for bytes in values where bytes > 0 {
            var sink = ByteSink()
            LayoutText.size(bytes: bytes, into: &sink, numberWidth: 0)
            #expect(sink.text == sizeText(bytes), "size of \(bytes) bytes")
        }
        var whole = ByteSink()
        LayoutText.size(first: 0, last: UInt64.max, into: &whole)
        #expect(whole.text == "    16 EiB")
    }

    // MARK: vmmap blocks, as the guests printed them

    static let riscv64Vmmap = """
        $ vmmap
        layout riscv64 process 3
                   first            last        size  kind    perm  owner    name
                     0x0          0x1fff       8 KiB  frames  r-xu  user     text
                  0x2000          0x2fff       4 KiB  frames  rw-u  user     data
                  0x3000          0x3fff       4 KiB  guard   ----  user     stack guard
                  0x4000          0x4fff       4 KiB  frames  rw-u  user     stack
                  0x5000          0x8fff      16 KiB  frames  rw-u  user     heap
          0x3f_ffff_e000  0x3f_ffff_efff       4 KiB  frames  rw--  process  trap frame
          0x3f_ffff_f000  0x3f_ffff_ffff       4 KiB  direct  r-x-  kernel   trampoline
        end layout
        $
        """

    @Test func aVmmapBlockAgreesWithTheProcessTable() throws {
        let log =
            bootLog(RiscV64Layout.kernelSpace(Catalog.riscv64Image)) + "\n" + bootLog(RiscV64Layout.userSpace(Catalog.riscv64Image)) + "\n"
            + Self.riscv64Vmmap
        let blocks = try LayoutLogParser.parse(log)
        #expect(blocks.map(\.name) == ["riscv64 kernel (Sv39, xv6 layout)", "riscv64 process (Sv39, xv6 layout)", "riscv64 process 3"])
        #expect(LiveMaps.check(blocks, architecture: "riscv64") == [])
        #expect(LiveMaps.stems(blocks) == ["riscv64-kernel", "riscv64-process", "riscv64-process-3"])
        let map = try LiveMaps.map(blocks[2], source: "shell.log")
        let xml = try parse(SVGMap(map).render())
        for name in ["text", "data", "stack guard", "stack", "heap", "trap frame", "trampoline"] {
            #expect(xml.texts.contains(name), "no label for \(name)")
        }
    }

    @Test func theCheckFindsWhatDisagrees() throws {
        let boot = bootLog(RiscV64Layout.kernelSpace(Catalog.riscv64Image)) + "\n" + bootLog(RiscV64Layout.userSpace(Catalog.riscv64Image)) + "\n"
        // No vmmap block at all.
        #expect(LiveMaps.check(try LayoutLogParser.parse(boot), architecture: "riscv64").count == 1)
        // The trap frame owned by the user, the text writable, a guard where the table maps.
        let tampered = Self.riscv64Vmmap.replacingOccurrences(of: "rw--  process  trap frame", with: "rw--  user     trap frame")
            .replacingOccurrences(of: "r-xu  user     text", with: "rwxu  user     text")
        let problems = LiveMaps.check(try LayoutLogParser.parse(boot + tampered), architecture: "riscv64")
        #expect(problems.count == 1 && problems[0].contains("trap frame") && problems[0].contains("owned"))
        // A boot table row moved: PLIC's bounds do not depend on the kernel image.
        let moved = boot.replacingOccurrences(of: "0xc3f_ffff", with: "0xc7f_ffff").replacingOccurrences(of: "4 MiB  direct", with: "8 MiB  direct")
        let movedProblems = LiveMaps.check(try LayoutLogParser.parse(moved + Self.riscv64Vmmap), architecture: "riscv64")
        #expect(movedProblems.count == 1 && movedProblems[0].contains("PLIC") && movedProblems[0].contains("bounds"))
        // The end moved but not the size: the row itself is wrong.
        #expect(throws: LayoutLogError.self) {
            try LayoutLogParser.parse(boot.replacingOccurrences(of: "0xc3f_ffff", with: "0xc3f_efff"))
        }
        let renamed = boot.replacingOccurrences(of: "UART0", with: "UART9")
        let renamedProblems = LiveMaps.check(try LayoutLogParser.parse(renamed + Self.riscv64Vmmap), architecture: "riscv64")
        #expect(renamedProblems.count == 1 && renamedProblems[0].contains("UART9") && renamedProblems[0].contains("name"))
        #expect(LiveMaps.check(try LayoutLogParser.parse(boot + Self.riscv64Vmmap), architecture: "x86_64").count >= 3)
    }

    /// vmmap's rows end with the pages' state: what LayoutText writes, the
    /// parser reads back, and the check accepts.
    @Test func statesSurviveTheRoundTrip() throws {
        let rows: [(LayoutLine, String)] = [
            (LayoutLine(first: 0, last: 0x1fff, kind: .frames, permissions: 0xD, owner: .user, state: .shared, users: 2), "text [shared by 2]"),
            (LayoutLine(first: 0x2000, last: 0x2fff, kind: .frames, permissions: 0xB, owner: .user, state: .private), "data [private]"),
            (LayoutLine(first: 0x3000, last: 0x3fff, kind: .guardPage, permissions: 0, owner: .user), "stack guard"),
            (LayoutLine(first: 0x5000, last: 0x1_0fff, kind: .frames, permissions: 0xB, owner: .user, state: .lazy), "heap [lazy]"),
            (LayoutLine(first: 0x1_1000, last: 0x1_1fff, kind: .frames, permissions: 0xB, owner: .user, state: .shared), "heap [shared]"),
        ]
        var sink = ByteSink()
        LayoutText.header("riscv64 process 7", addressWidth: 14, into: &sink)
        for (line, name) in rows {
            let plain = String(name.prefix { $0 != "[" }).trimmingCharacters(in: .whitespaces)
            plain.utf8CString.withUnsafeBytes { LayoutText.row(line, name: UnsafeRawBufferPointer(rebasing: $0.dropLast()), addressWidth: 14, into: &sink) }
        }
        LayoutText.footer(into: &sink)
        let text = sink.text
        for (_, name) in rows { #expect(text.contains("user     \(name)\n"), "no row ending in \(name)") }
        let blocks = try LayoutLogParser.parse(bootLog(RiscV64Layout.userSpace(Catalog.riscv64Image)) + "\n" + text)
        try #require(blocks.count == 2)
        #expect(blocks[1].regions.map(\.name) == ["text", "data", "stack guard", "heap", "heap"])
        let backings = blocks[1].regions.map(\.backing)
        #expect(backings[0].hasSuffix("shared by 2 processes") && backings[1].hasSuffix("private to the process"))
        #expect(backings[3].hasSuffix("lazy: no frame until first touched") && backings[4].hasSuffix("shared with other processes"))
        #expect(backings[2] == "guard, never mapped")
        #expect(LiveMaps.check(blocks, architecture: "riscv64").filter { $0.contains("process 7") } == [])
    }

    @Test func anX86VmmapBlockAgreesWithTheTable() throws {
        let vmmap = """
            layout x86_64 process 3
                               first                   last        size  kind    perm  owner    name
                          0x40_0000               0x40_1fff       8 KiB  frames  r-xu  user     text
              0xffff_ff7f_fffe_d000  0xffff_ff7f_ffff_cfff      64 KiB  frames  rw-u  user     stack
              0xffff_ff7f_ffff_d000  0xffff_ff7f_ffff_dfff       4 KiB  guard   ----  user     stack guard
              0xffff_ff7f_ffff_e000  0xffff_ff7f_ffff_efff       4 KiB  frames  r--u  process  process metadata
            end layout
            """
        let blocks = try LayoutLogParser.parse(bootLog(X86_64Layout.table(Catalog.x86_64Image)) + "\n" + vmmap)
        #expect(LiveMaps.check(blocks, architecture: "x86_64") == [])
        // Drawn over the whole 64-bit space: the non-canonical hole is its own band.
        let map = try LiveMaps.map(blocks[1], source: "shell.log")
        #expect(map.bands.contains { $0.kind == .hole(expressible: false) && $0.first == X86_64Layout.userLowEnd })
        #expect(map.bands.last?.last == UInt64.max)
    }
}
