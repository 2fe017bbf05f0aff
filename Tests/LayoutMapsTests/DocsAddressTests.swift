import Foundation
import LayoutMaps
import Testing

/// The book may only quote addresses the layout tables give (region bounds,
/// slots, physical backings, named constants) or constants listed, with a
/// reason, in docs/allowed-constants.txt (port numbers, selectors, sizes).
@Suite struct DocsAddressTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `0x` numbers in a text, with `_` separators, as values.
    static func hexNumbers(in text: String) -> [(String, UInt64)] {
        let pattern = try! NSRegularExpression(pattern: "0[xX][0-9A-Fa-f][0-9A-Fa-f_]*")
        let range = NSRange(text.startIndex..., in: text)
        return pattern.matches(in: text, range: range).compactMap { match in
            let literal = String(text[Range(match.range, in: text)!])
            let digits = literal.dropFirst(2).filter { $0 != "_" }
            guard let value = UInt64(digits, radix: 16) else { return nil }
            return (literal, value)
        }
    }

    /// Values from docs/allowed-constants.txt: `0xVALUE  why` per line, # comments.
    static func allowed() throws -> Set<UInt64> {
        let text = try String(contentsOf: root.appendingPathComponent("docs/allowed-constants.txt"), encoding: .utf8)
        var values = Set<UInt64>()
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let words = line.split(separator: " ", maxSplits: 1)
            guard let first = words.first, words.count == 2 else { continue }
            if let (_, value) = hexNumbers(in: String(first)).first { values.insert(value) }
        }
        return values
    }

    /// The book's chapters and the README; docs/generated is made from the tables.
    static func documents() throws -> [URL] {
        let docs = root.appendingPathComponent("docs")
        let names = try FileManager.default.contentsOfDirectory(atPath: docs.path).filter { $0.hasSuffix(".md") }.sorted()
        return names.map { docs.appendingPathComponent($0) } + [root.appendingPathComponent("README.md")]
    }

    @Test func everyAddressInTheBookComesFromTheTables() throws {
        let known = NamedConstants.knownValues.union(try Self.allowed())
        var checked = 0
        for document in try Self.documents() {
            let text = try String(contentsOf: document, encoding: .utf8)
            for (literal, value) in Self.hexNumbers(in: text) {
                checked += 1
                let isKnown = known.contains(value)
                #expect(isKnown, "\(document.lastPathComponent): \(literal) is in no layout table and not in docs/allowed-constants.txt")
            }
        }
        #expect(checked > 0, "no addresses found: is the docs directory where the test looks?")
    }

    @Test func theCheckerRejectsAnAddressTheTablesDoNotHave() {
        let known = NamedConstants.knownValues
        #expect(known.contains(0x8000_0000))
        #expect(known.contains(0xFFFF_FFFF_8900_0000))
        #expect(!known.contains(0x8000_0010))
        #expect(Self.hexNumbers(in: "at 0xFFFF_FF7F_FFFF_D000.").map(\.1) == [0xFFFF_FF7F_FFFF_D000])
    }

    @Test func generatedTablesAreCurrent() throws {
        for entry in Catalog.all {
            let path = Self.root.appendingPathComponent("docs/generated/\(entry.stem).md")
            let committed = try String(contentsOf: path, encoding: .utf8)
            #expect(committed == MarkdownTable.regions(entry.map, picture: "\(entry.stem).svg"), "\(entry.stem).md is stale: run make maps")
            let svg = Self.root.appendingPathComponent("docs/maps/\(entry.stem).svg")
            #expect(try String(contentsOf: svg, encoding: .utf8) == SVGMap(entry.map).render(), "\(entry.stem).svg is stale: run make maps")
        }
    }
}
