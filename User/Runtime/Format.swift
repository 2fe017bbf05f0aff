/// A line of text built by string interpolation into a fixed buffer, so
/// that programs can write `out("pid \(pid) at \(hex: address)\n")` with
/// no String and no heap. Literal parts are StaticStrings. Text beyond
/// `Format.capacity` bytes is cut, and the last byte becomes '~' to say so.
/// The capacity is small on purpose: each call site holds a Format on the
/// stack, and a user stack may be a single page. Write longer output in pieces.
public struct Format: ExpressibleByStringInterpolation {
    public typealias StringLiteralType = StaticString
    public static let capacity = 128

    var storage: InlineArray<128, UInt8>
    public private(set) var count: Int

    public init(stringLiteral literal: StaticString) {
        var builder = StringInterpolation(literalCapacity: 0, interpolationCount: 0)
        builder.appendLiteral(literal)
        self.init(stringInterpolation: builder)
    }

    public init(stringInterpolation builder: StringInterpolation) {
        storage = builder.storage
        count = builder.count
    }

    /// The text's bytes, for the duration of `body`.
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        // Through a span: no copy of the buffer (user stacks can be one page).
        let n = count
        return storage.span.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var storage: InlineArray<128, UInt8> = .init(repeating: 0)
        var count = 0

        public init(literalCapacity: Int, interpolationCount: Int) {}

        mutating func add(_ byte: UInt8) {
            if count < Format.capacity {
                storage[count] = byte
                count += 1
            } else {
                storage[Format.capacity - 1] = UInt8(ascii: "~")
            }
        }

        mutating func add(_ bytes: UnsafeRawBufferPointer) {
            for b in bytes { add(b) }
        }

        mutating func pad(_ n: Int, _ byte: UInt8) {
            var n = n
            while n > 0 { add(byte); n -= 1 }
        }

        /// Digits of `value` in `base`, most significant first, padded to `width`.
        mutating func number(_ value: UInt64, negative: Bool, base: UInt64, width: Int, pad fill: UInt8) {
            var digits: InlineArray<24, UInt8> = .init(repeating: 0)
            var n = 0
            var v = value
            repeat {
                let d = UInt8(truncatingIfNeeded: v % base)
                digits[n] = d < 10 ? d + 48 : d - 10 + 97
                v /= base
                n += 1
            } while v != 0
            let length = n + (negative ? 1 : 0)
            if negative && fill == UInt8(ascii: "0") { add(UInt8(ascii: "-")) }
            pad(width - length, fill)
            if negative && fill != UInt8(ascii: "0") { add(UInt8(ascii: "-")) }
            while n > 0 {
                n -= 1
                add(digits[n])
            }
        }

        public mutating func appendLiteral(_ literal: StaticString) {
            add(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
        }

        /// Decimal, right-aligned in `width` (padded with `pad`: " " or "0").
        public mutating func appendInterpolation<T: BinaryInteger>(_ value: T, width: Int = 0, pad: UInt8 = 32) {
            let bits = UInt64(truncatingIfNeeded: value)
            let negative = value < 0
            number(negative ? 0 &- bits : bits, negative: negative, base: 10, width: width, pad: pad)
        }

        /// Lowercase hexadecimal of the value's bits, zero-padded to `width` digits, no prefix.
        public mutating func appendInterpolation<T: BinaryInteger>(hex value: T, width: Int = 0) {
            var bits = UInt64(truncatingIfNeeded: value)
            if value < 0 && value.bitWidth < 64 {
                bits &= (1 << UInt64(value.bitWidth)) - 1
            }
            number(bits, negative: false, base: 16, width: width, pad: UInt8(ascii: "0"))
        }

        /// A literal, left-aligned in `width`.
        public mutating func appendInterpolation(_ text: StaticString, width: Int = 0) {
            appendLiteral(text)
            pad(width - text.utf8CodeUnitCount, 32)
        }

        /// A C string, left-aligned in `width`.
        public mutating func appendInterpolation(_ text: CString, width: Int = 0) {
            let bytes = text.bytes
            add(bytes)
            pad(width - bytes.count, 32)
        }

        /// Raw bytes (a name, a slice of a buffer), left-aligned in `width`.
        public mutating func appendInterpolation(bytes: UnsafeRawBufferPointer, width: Int = 0) {
            add(bytes)
            pad(width - bytes.count, 32)
        }

        /// One byte as a character.
        public mutating func appendInterpolation(char: UInt8) {
            add(char)
        }

        /// Another formatted text.
        public mutating func appendInterpolation(_ text: Format) {
            text.withBytes { add($0) }
        }

        public mutating func appendInterpolation(_ value: Bool) {
            appendLiteral(value ? "true" : "false")
        }
    }
}
