import ArgumentParser
import Foundation
import LayoutMaps

/// `layout-maps`: writes the memory-map pictures (SVG) and the generated
/// markdown tables of the book from the layout tables.
@main
struct LayoutMapsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layout-maps",
        abstract: "Draw Swiftlet's memory layouts (SVG) and list them (markdown) from the layout tables.")

    @Option(help: "Directory for the SVG pictures.")
    var maps = "docs/maps"

    @Option(help: "Directory for the generated markdown tables.")
    var markdown = "docs/generated"

    @Option(help: "Python module of the layout tables for the gdb script.")
    var gdb = "Tools/gdb/swiftlet_layout.py"

    @Flag(help: "Print each file written.")
    var verbose = false

    func run() throws {
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
        try files.createDirectory(atPath: (gdb as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try GDBLayout.module().write(toFile: gdb, atomically: true, encoding: .utf8)
        written.append(gdb)
        if verbose { for path in written { print("  wrote \(path)") } }
        print("maps: \(written.count) files in \(maps)/, \(markdown)/ and \(gdb)")
    }
}
