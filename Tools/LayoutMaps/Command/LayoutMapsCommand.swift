import ArgumentParser
import FileSystemTools
import Foundation
import LayoutMaps

/// `layout-maps`: writes the memory-map pictures (SVG) and the generated
/// markdown tables of the book from the layout tables, and the on-disk
/// layout of the file system from its format's constants; with `--from-log`,
/// draws the layout blocks a guest printed (boot log, vmmap) instead.
@main
struct LayoutMapsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layout-maps",
        abstract: "Draw Swiftlet's memory layouts (SVG) and list them (markdown) from the layout tables.",
        discussion: """
            With --from-log FILE, reads every `layout NAME` ... `end layout` block of a captured \
            console log (the boot log's tables, vmmap's output) and writes one SVG per block to --out; \
            --check ARCH also fails unless the blocks agree with ARCH's layout tables.
            """)

    @Option(help: "Directory for the SVG pictures.")
    var maps = "docs/maps"

    @Option(help: "Directory for the generated markdown tables.")
    var markdown = "docs/generated"

    @Option(help: "Python module of the layout tables for the gdb script.")
    var gdb = "Tools/gdb/swiftlet_layout.py"

    @Option(name: .customLong("from-log"), help: "A captured console log whose layout blocks to draw (instead of the tables).")
    var fromLog: String?

    @Option(help: "Directory for the SVG pictures drawn from --from-log.")
    var out = "build/live-maps"

    @Option(help: "With --from-log: fail unless the log's blocks agree with this architecture's tables (riscv64, x86_64).")
    var check: String?

    @Flag(help: "Print each file written.")
    var verbose = false

    func run() throws {
        if let fromLog {
            try drawLog(fromLog)
            return
        }
        let files = FileManager.default
        try files.createDirectory(atPath: maps, withIntermediateDirectories: true)
        try files.createDirectory(atPath: markdown, withIntermediateDirectories: true)
        var written: [String] = []
        for entry in Catalog.all {
            let picture = "\(maps)/\(entry.stem).svg"
            try SVGMap(entry.map).render().write(toFile: picture, atomically: true, encoding: .utf8)
            let table = "\(markdown)/\(entry.stem).md"
            try MarkdownTable.regions(entry.map, picture: "\(entry.stem).svg").write(toFile: table, atomically: true, encoding: .utf8)
            written += [picture, table]
        }
        let constants = [
            ("riscv64-constants", NamedConstants.riscv64, "RISC-V named addresses", "Sources/MemoryCore/Layout/RiscV64Layout.swift"),
            ("x86_64-constants", NamedConstants.x86_64, "x86-64 named addresses", "Sources/MemoryCore/Layout/X86_64Layout.swift"),
        ]
        for (stem, list, title, source) in constants {
            let path = "\(markdown)/\(stem).md"
            try MarkdownTable.constants(list, title: title, source: source).write(toFile: path, atomically: true, encoding: .utf8)
            written.append(path)
        }
        // The on-disk layout of the file system, from the format's constants.
        let disk = "\(maps)/disk-layout.svg"
        try DiskLayoutDrawing().svg().write(toFile: disk, atomically: true, encoding: .utf8)
        written.append(disk)
        try files.createDirectory(atPath: (gdb as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try GDBLayout.module().write(toFile: gdb, atomically: true, encoding: .utf8)
        written.append(gdb)
        if verbose { for path in written { print("  wrote \(path)") } }
        print("maps: \(written.count) files in \(maps)/, \(markdown)/ and \(gdb)")
    }

    /// Parses the log's blocks, draws each, and checks them when asked.
    func drawLog(_ path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let blocks: [LayoutBlock]
        do {
            blocks = try LayoutLogParser.parse(text)
        } catch {
            FileHandle.standardError.write(Data("layout-maps: \(path): \(error)\n".utf8))
            throw ExitCode.failure
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var written: [String] = []
        for (block, stem) in zip(blocks, LiveMaps.stems(blocks)) {
            let map: AddressSpaceMap
            do {
                map = try LiveMaps.map(block, source: (path as NSString).lastPathComponent)
            } catch {
                FileHandle.standardError.write(Data("layout-maps: \(path): \(error)\n".utf8))
                throw ExitCode.failure
            }
            let picture = "\(out)/\(stem).svg"
            try SVGMap(map).render().write(toFile: picture, atomically: true, encoding: .utf8)
            written.append(picture)
        }
        if verbose { for path in written { print("  wrote \(path)") } }
        let names = blocks.map { "\($0.name) (\($0.regions.count) rows)" }.joined(separator: "; ")
        print("live maps: \(blocks.count) layout blocks in \(path): \(names); SVG in \(out)/")
        guard let check else { return }
        let problems = LiveMaps.check(blocks, architecture: check)
        for problem in problems { FileHandle.standardError.write(Data("layout-maps: \(path): \(problem)\n".utf8)) }
        if !problems.isEmpty { throw ExitCode.failure }
        print("live maps: the guest's layout blocks agree with the \(check) layout tables")
    }
}
