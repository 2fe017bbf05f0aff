import Foundation
import MemoryCore

/// One `layout NAME` ... `end layout` block found in a captured log: a boot
/// log's layout table or a vmmap listing (the format of LayoutText).
public struct LayoutBlock: Equatable, Sendable {
    /// The text after `layout `: the architecture, then what the block is.
    public let name: String
    /// Line number (from 1) of the `layout` line.
    public let line: Int
    /// The rows, lowest address first, as the renderer takes them.
    public let regions: [MapRegion]

    /// The block name's first word: riscv64 or x86_64.
    public var architecture: Substring { name.prefix { $0 != " " } }
}

/// A line of a block that is not in the format, named by its number.
public struct LayoutLogError: Error, Equatable, CustomStringConvertible {
    public let line: Int
    public let text: String
    public let reason: String

    public var description: String { "line \(line): \(reason): `\(text)`" }
}

/// Reads LayoutText blocks out of a log with anything else around them
/// (boot messages, shell prompts, carriage returns). A block starts with a
/// `layout NAME` line directly followed by the column titles (so that
/// "layout audit: ..." is not one) and ends with `end layout`; between them
/// every line must be a row, or parsing fails naming that line.
public enum LayoutLogParser {
    public static let titles = ["first", "last", "size", "kind", "perm", "owner", "name"]

    public static func parse(_ log: String) throws(LayoutLogError) -> [LayoutBlock] {
        // Carriage returns dropped as scalars: "\r\n" is one Character in Swift.
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: log.unicodeScalars.lazy.filter { $0 != "\r" })
        let lines = String(scalars).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var blocks: [LayoutBlock] = []
        var index = 0
        while index < lines.count {
            let line = lines[index]
            guard line.hasPrefix("layout "), index + 1 < lines.count, lines[index + 1].split(separator: " ").map(String.init) == titles else {
                index += 1
                continue
            }
            let name = String(line.dropFirst("layout ".count))
            let header = index + 1
            var regions: [MapRegion] = []
            index += 2
            while true {
                guard index < lines.count else {
                    throw LayoutLogError(line: header, text: String(line), reason: "the block \(name) has no `end layout`")
                }
                let row = lines[index]
                if row == "end layout" { break }
                if row.hasPrefix("layout ") {
                    throw LayoutLogError(line: index + 1, text: row, reason: "a new block starts before `end layout` of \(name)")
                }
                let region = try parseRow(row, line: index + 1)
                if let previous = regions.last, region.first <= previous.last {
                    throw LayoutLogError(line: index + 1, text: row, reason: "the row does not start above the previous one (\(previous.name))")
                }
                regions.append(region)
                index += 1
            }
            blocks.append(LayoutBlock(name: name, line: header, regions: regions))
            index += 1
        }
        return blocks
    }

    /// One row: `first last size unit kind perm owner name [extra]`.
    public static func parseRow(_ row: String, line: Int) throws(LayoutLogError) -> MapRegion {
        func fail(_ reason: String) -> LayoutLogError { LayoutLogError(line: line, text: row, reason: reason) }
        // The first seven words, then the rest of the line is the name.
        var words: [Substring] = []
        var rest = Substring(row)
        while words.count < 7 {
            rest = rest.drop { $0 == " " }
            guard !rest.isEmpty else { throw fail("a row needs first, last, size, kind, perm, owner and name") }
            let word = rest.prefix { $0 != " " }
            words.append(word)
            rest = rest.dropFirst(word.count)
        }
        var name = rest.drop { $0 == " " }
        guard !name.isEmpty else { throw fail("the row has no name") }
        guard let first = parseHex(words[0]) else { throw fail("first address `\(words[0])` is not 0x and hex digits") }
        guard let last = parseHex(words[1]) else { throw fail("last address `\(words[1])` is not 0x and hex digits") }
        guard first <= last else { throw fail("the last address is below the first") }
        guard let unit = unitBytes(words[3]), let size = parseSize(words[2], unit: unit) else {
            throw fail("size `\(words[2]) \(words[3])` is not a number and a unit (bytes, KiB ... EiB)")
        }
        let bytes = Double(last - first) + 1
        guard size.exact ? size.value == bytes : abs(size.value - bytes) <= 0.051 * Double(unit) else {
            throw fail("size \(words[2]) \(words[3]) does not match \(hex(first))...\(hex(last)) (\(sizeText(bytes)))")
        }
        let kinds: [String: LayoutLineKind] = ["direct": .direct, "frames": .frames, "window": .window, "guard": .guardPage, "unused": .unused]
        guard let kind = kinds[String(words[4])] else { throw fail("kind `\(words[4])` is not one of direct, frames, window, guard, unused") }
        guard let permissions = parsePermissions(words[5]) else { throw fail("perm `\(words[5])` is not rwxu with dashes") }
        let owners: [String: LayoutLineOwner] = ["kernel": .kernel, "process": .process, "user": .user]
        guard let owner = owners[String(words[6])] else { throw fail("owner `\(words[6])` is not kernel, process or user") }
        var lineValue = LayoutLine(first: first, last: last, kind: kind, permissions: permissions, owner: owner)
        // Optional "[at 0x...]" and "[N slots, SIZE guard each]" after the
        // name, in that order (a direct region with slots has both), and
        // last a vmmap row's state: "[private]", "[shared by N]", "[lazy]".
        var groups = 0
        while name.hasSuffix("]"), let open = name.range(of: " [", options: .backwards) {
            let extra = name[open.upperBound..<name.index(before: name.endIndex)]
            name = name[..<open.lowerBound]
            let parts = extra.split(separator: " ")
            groups += 1
            if groups == 1, let (state, users) = parseState(parts) {
                lineValue.state = state
                lineValue.users = users
            } else if parts.count == 2, parts[0] == "at" {
                guard kind == .direct, let physical = parseHex(parts[1]) else { throw fail("`[at ...]` needs a direct row and a hex address") }
                guard lineValue.physical == nil else { throw fail("two `[at ...]` groups") }
                lineValue.physical = physical
            } else if groups == (lineValue.state == nil ? 1 : 2), parts.count == 6, parts[1] == "slots,", parts[4] == "guard", parts[5] == "each",
                let count = Int(parts[0]),
                count > 0, let guardUnit = unitBytes(parts[3]), let guardSize = parseSize(parts[2], unit: guardUnit), guardSize.exact
            {
                let guardBytes = UInt64(guardSize.value)
                let slotBytes = (bytes / Double(count)).rounded(.down)
                guard (bytes / Double(count)) == slotBytes, Double(guardBytes) < slotBytes else {
                    throw fail("\(count) slots with a \(sizeText(guardBytes)) guard do not divide the row")
                }
                lineValue.slotCount = count
                lineValue.slotGuardBytes = guardBytes
            } else {
                throw fail(
                    "`[\(extra)]` is neither `[at 0x...]`, `[N slots, SIZE guard each]` nor a state (`[private]`, `[shared by N]`, "
                        + "`[lazy]`; slots come after `at`, the state last)")
            }
        }
        return MapRegion(lineValue, name: String(name))
    }

    /// A vmmap row's state group, split into words: `private`, `lazy`,
    /// `shared` or `shared by N` (N users; 0 when not said).
    static func parseState(_ parts: [Substring]) -> (LayoutLineState, UInt64)? {
        switch parts.count {
        case 1 where parts[0] == "private": return (.private, 0)
        case 1 where parts[0] == "lazy": return (.lazy, 0)
        case 1 where parts[0] == "shared": return (.shared, 0)
        case 3 where parts[0] == "shared" && parts[1] == "by":
            guard let users = UInt64(parts[2]), users > 1 else { return nil }
            return (.shared, users)
        default: return nil
        }
    }

    /// "0x8000_1000" (either case, `_` anywhere after 0x).
    static func parseHex(_ text: Substring) -> UInt64? {
        guard text.hasPrefix("0x") else { return nil }
        let digits = text.dropFirst(2).filter { $0 != "_" }
        guard !digits.isEmpty else { return nil }
        return UInt64(digits, radix: 16)
    }

    static func unitBytes(_ unit: Substring) -> UInt64? {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        guard let power = units.firstIndex(of: String(unit)) else { return nil }
        return 1 << (10 * UInt64(power))
    }

    /// "4", "~127.5" or "16" (of EiB): the value in bytes and whether it is exact.
    static func parseSize(_ text: Substring, unit: UInt64) -> (value: Double, exact: Bool)? {
        let exact = !text.hasPrefix("~")
        let number = exact ? text : text.dropFirst()
        guard let value = Double(number), value >= 0, number.allSatisfy({ $0.isNumber || $0 == "." }) else { return nil }
        if exact && value != value.rounded() { return nil }
        return (value * Double(unit), exact)
    }

    /// "r-xu": the bits LayoutLine uses (1 r, 2 w, 4 x, 8 u).
    static func parsePermissions(_ text: Substring) -> UInt32? {
        let letters = Array(text)
        guard letters.count == 4 else { return nil }
        var bits: UInt32 = 0
        for (index, letter) in "rwxu".enumerated() {
            if letters[index] == letter {
                bits |= 1 << UInt32(index)
            } else if letters[index] != "-" {
                return nil
            }
        }
        return bits
    }
}
