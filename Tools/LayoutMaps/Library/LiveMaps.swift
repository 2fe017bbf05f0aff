import Foundation
import MemoryCore

/// Maps of what a guest printed: each block of a captured log (boot log or
/// vmmap) drawn like the layout tables, and a check that the blocks agree
/// with the tables the host builds.
public enum LiveMaps {
    /// A layout table the kernel prints at boot, by its name, with its map.
    struct KnownTable {
        let name: String
        let map: AddressSpaceMap
    }

    /// The tables an architecture's kernel prints at boot.
    static func knownTables(_ architecture: Substring) -> [KnownTable] {
        switch architecture {
        case "riscv64":
            return [
                KnownTable(name: String(describing: RiscV64Layout.kernelSpace(Catalog.riscv64Image).name), map: Catalog.riscv64Kernel),
                KnownTable(name: String(describing: RiscV64Layout.userSpace(Catalog.riscv64Image).name), map: Catalog.riscv64Process),
            ]
        case "x86_64":
            return [KnownTable(name: String(describing: X86_64Layout.table(Catalog.x86_64Image).name), map: Catalog.x86_64)]
        default: return []
        }
    }

    /// The table every process of the architecture is laid out by.
    static func processTable(_ architecture: Substring) -> AddressSpaceMap? {
        switch architecture {
        case "riscv64": return Catalog.riscv64Process
        case "x86_64": return Catalog.x86_64
        default: return nil
        }
    }

    /// A vmmap block: `layout ARCH process PID`.
    static func isProcessBlock(_ block: LayoutBlock) -> Bool {
        let words = block.name.split(separator: " ")
        return words.count == 3 && words[1] == "process" && Int(words[2]) != nil
    }

    /// The block as a map, over its architecture's whole address space.
    public static func map(_ block: LayoutBlock, source: String) throws(LayoutLogError) -> AddressSpaceMap {
        let header = "layout \(block.name)"
        let rule: AddressRule
        let last: UInt64
        switch block.architecture {
        case "riscv64": (rule, last) = (.below(RiscV64Layout.maxVA), RiscV64Layout.maxVA - 1)
        case "x86_64": (rule, last) = (.canonical48, UInt64.max)
        default:
            throw LayoutLogError(line: block.line, text: header, reason: "the block's name does not start with riscv64 or x86_64")
        }
        if let outside = block.regions.first(where: { $0.last > last }) {
            throw LayoutLogError(line: block.line, text: header, reason: "\(outside.name) ends above the \(block.architecture) address space")
        }
        let subtitle = "From \(source), line \(block.line), drawn by layout-maps --from-log: the guest's own numbers"
        guard isProcessBlock(block) else {
            return AddressSpaceMap(
                title: "\(block.name), as the kernel printed it at boot", subtitle: subtitle, regions: block.regions, rule: rule, last: last)
        }
        // vmmap lists the process's own regions, not the kernel's around them.
        return AddressSpaceMap(
            title: "\(block.name), as vmmap printed it", subtitle: subtitle, regions: block.regions, rule: rule, last: last,
            holeName: "not listed by vmmap", holeBacking: "not one of the process's regions (unmapped, or the kernel's)")
    }

    /// File stems for the blocks: the name up to " (", words joined by "-",
    /// a count added to repeats (riscv64-kernel, riscv64-process-3, x86_64).
    public static func stems(_ blocks: [LayoutBlock]) -> [String] {
        var seen: [String: Int] = [:]
        return blocks.map { block in
            let short = block.name.components(separatedBy: " (").first ?? block.name
            let stem = short.split(separator: " ").joined(separator: "-").lowercased()
            seen[stem, default: 0] += 1
            let count = seen[stem]!
            return count == 1 ? stem : "\(stem)-\(count)"
        }
    }

    /// What in `blocks` disagrees with `architecture`'s layout tables; empty
    /// when all agree. The boot tables must all be there, row for row (bounds
    /// and physical addresses only where they do not depend on the kernel
    /// image); at least one vmmap block must be there, each of its rows inside
    /// one region of the process table, with that region's owner, no
    /// permission it lacks, and its bounds where the names are the same.
    public static func check(_ blocks: [LayoutBlock], architecture: String) -> [String] {
        let tables = knownTables(Substring(architecture))
        guard let process = processTable(Substring(architecture)), !tables.isEmpty else {
            return ["unknown architecture \(architecture) (riscv64 or x86_64)"]
        }
        var problems: [String] = []
        for table in tables {
            let found = blocks.filter { $0.name == table.name }
            if found.isEmpty { problems.append("no block `layout \(table.name)`: the boot log prints it") }
            for block in found { problems += compare(block, table: table.map) }
        }
        let processBlocks = blocks.filter { isProcessBlock($0) && $0.architecture == architecture }
        if processBlocks.isEmpty { problems.append("no block `layout \(architecture) process PID`: vmmap prints it") }
        for block in processBlocks { problems += compare(block, process: process) }
        for block in blocks where block.architecture != architecture {
            problems.append("line \(block.line): block `\(block.name)` is not of \(architecture)")
        }
        return problems
    }

    static func compare(_ block: LayoutBlock, table: AddressSpaceMap) -> [String] {
        let at = "line \(block.line), `\(block.name)`"
        let expected = table.regions
        guard block.regions.count == expected.count else {
            return ["\(at): \(block.regions.count) rows, the table has \(expected.count)"]
        }
        var problems: [String] = []
        for (row, region) in zip(block.regions, expected) {
            var differences: [String] = []
            if row.name != region.name { differences.append("name") }
            if row.kind != region.kind { differences.append("kind") }
            if row.owner != region.owner { differences.append("owner") }
            if row.permissions != region.permissions { differences.append("perm") }
            if row.slotCount != region.slotCount || row.guardBytes != region.guardBytes { differences.append("slots") }
            if !region.dependsOnImage {
                if row.first != region.first || row.last != region.last { differences.append("bounds") }
                if row.backing != region.backing { differences.append("memory") }
            }
            if !differences.isEmpty {
                problems.append(
                    "\(at): row \(row.name) (\(hex(row.first))...\(hex(row.last))) differs from the table's \(region.name) "
                        + "(\(hex(region.first))...\(hex(region.last))) in \(differences.joined(separator: ", "))")
            }
        }
        return problems
    }

    static func compare(_ block: LayoutBlock, process table: AddressSpaceMap) -> [String] {
        let at = "line \(block.line), `\(block.name)`"
        var problems: [String] = []
        for row in block.regions {
            let what = "\(row.name) (\(hex(row.first))...\(hex(row.last)))"
            guard let region = table.regions.first(where: { $0.first <= row.first && row.last <= $0.last }) else {
                problems.append("\(at): \(what) lies in no single region of the process table")
                continue
            }
            if row.owner != region.owner { problems.append("\(at): \(what) is not owned like \(region.name)") }
            for (letter, allowed) in zip(row.permissions, region.permissions) where letter != "-" && letter != allowed {
                problems.append("\(at): \(what) has `\(letter)`, which \(region.name) does not allow")
            }
            if region.kind == .guardPage && row.kind != .guardPage { problems.append("\(at): \(what) lies in the guard \(region.name)") }
            if row.name == region.name && (row.first != region.first || row.last != region.last || row.kind != region.kind) {
                problems.append("\(at): \(what) is not where the table puts \(region.name)")
            }
        }
        return problems
    }
}
