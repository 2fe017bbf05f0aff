/// Hexadecimal the way Swiftlet's docs and sources write addresses: upper
/// case, `_` between groups of four digits (0xFFFF_FFFF_8000_0000).
public func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    var groups: [Substring] = []
    var end = digits.endIndex
    while end > digits.startIndex {
        let start = digits.index(end, offsetBy: -4, limitedBy: digits.startIndex) ?? digits.startIndex
        groups.insert(digits[start..<end], at: 0)
        end = start
    }
    return "0x" + groups.joined(separator: "_")
}

/// A size in binary units: exact when it is a whole number of a unit
/// ("4 KiB", "510 GiB"), otherwise rounded and marked with "~".
public func sizeText(_ bytes: UInt64) -> String { sizeText(Double(bytes)) }

public func sizeText(_ bytes: Double) -> String {
    let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    var value = bytes
    var unit = 0
    while value >= 1024, unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    if value == value.rounded() { return "\(Int(value)) \(units[unit])" }
    let tenths = (value * 10).rounded() / 10
    if tenths == tenths.rounded() { return "~\(Int(tenths)) \(units[unit])" }
    return "~\(tenths) \(units[unit])"
}

/// Escapes text for XML character data and attribute values.
func xmlEscaped(_ text: String) -> String {
    var out = ""
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        default: out.append(character)
        }
    }
    return out
}
