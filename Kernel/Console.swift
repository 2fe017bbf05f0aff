/// Kernel console output. Everything the kernel says goes through here, byte
/// by byte, to the architecture's console device. Turns "\n" into "\r\n"
/// because serial terminals need both.
enum Console {
    static func write(_ text: StaticString) {
        let start = text.utf8Start
        for index in 0..<text.utf8CodeUnitCount { put(start[index]) }
    }

    /// `text`, then a line break.
    static func line(_ text: StaticString) {
        write(text)
        newline()
    }

    static func newline() { put(UInt8(ascii: "\n")) }

    static func write(decimal value: UInt64) { write(NumberText(decimal: value)) }
    static func write(hex value: UInt64) { write(NumberText(hex: value)) }
    static func write(_ address: PhysicalAddress) { write(hex: address.raw) }

    /// "start..end" of a range, end exclusive.
    static func write(_ range: PhysicalRange) {
        write(range.start)
        write("..")
        write(range.end)
    }

    static func write(_ number: NumberText) {
        for index in 0..<number.count { put(number[index]) }
    }

    static func spaces(_ count: Int) {
        var left = count
        while left > 0 {
            put(UInt8(ascii: " "))
            left -= 1
        }
    }

    static func put(_ byte: UInt8) {
        if byte == UInt8(ascii: "\n") { Platform.consolePut(UInt8(ascii: "\r")) }
        Platform.consolePut(byte)
    }
}

extension Console {
    /// A NUL-padded name, such as a process name.
    static func writeName<let N: Int>(_ name: InlineArray<N, UInt8>) {
        for index in 0..<N where name[index] != 0 { put(name[index]) }
    }
}
