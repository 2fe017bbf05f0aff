/// The text of one number, built right to left in a fixed buffer: the
/// kernel has no String (no allocation), so numbers are printed from here.
struct NumberText {
    private static let capacity = 32
    private var bytes = InlineArray<32, UInt8>(repeating: 0)
    /// Index of the first byte in use; the text runs to the end of `bytes`.
    private var first = NumberText.capacity

    /// Decimal digits, no separators: 4096 -> "4096".
    init(decimal value: UInt64) {
        var rest = value
        repeat {
            prepend(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest != 0
    }

    /// "0x" and lowercase hex digits, with an underscore between groups of
    /// four, as addresses are written in the layout: 0x8000_0000.
    init(hex value: UInt64) {
        var rest = value
        var digits = 0
        repeat {
            if digits > 0 && digits % 4 == 0 { prepend(UInt8(ascii: "_")) }
            let digit = UInt8(rest & 0xF)
            prepend(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
            rest >>= 4
            digits += 1
        } while rest != 0
        prepend(UInt8(ascii: "x"))
        prepend(UInt8(ascii: "0"))
    }

    var count: Int { NumberText.capacity - first }

    subscript(index: Int) -> UInt8 { bytes[first + index] }

    /// True when the text is exactly `expected` (used by the self-checks).
    func equals(_ expected: StaticString) -> Bool {
        guard expected.utf8CodeUnitCount == count else { return false }
        let start = expected.utf8Start
        for index in 0..<count where start[index] != self[index] { return false }
        return true
    }

    private mutating func prepend(_ byte: UInt8) {
        first -= 1
        bytes[first] = byte
    }
}
