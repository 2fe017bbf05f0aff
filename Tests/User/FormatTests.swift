// Host tests for the user runtime's text formatting (User/Runtime/Format.swift)
// and C strings (CString.swift), built and run by `make user-host-test`.

var failures = 0
var checks = 0

func text(_ f: Format) -> String { f.withBytes { String(decoding: $0, as: UTF8.self) } }

func expect(_ got: Format, _ wanted: String, line: UInt = #line) {
    checks += 1
    let s = text(got)
    if s != wanted {
        failures += 1
        print("FAIL line \(line): got \(s.debugDescription), wanted \(wanted.debugDescription)")
    }
}

func expect(_ condition: Bool, _ what: String, line: UInt = #line) {
    checks += 1
    if !condition {
        failures += 1
        print("FAIL line \(line): \(what)")
    }
}

@main
struct FormatTests {
    static func main() {
        expect("plain", "plain")
        expect("", "")
        expect("n=\(42)", "n=42")
        expect("\(0)", "0")
        expect("\(-7)", "-7")
        expect("\(Int.min)", "-9223372036854775808")
        expect("\(Int.max)", "9223372036854775807")
        expect("\(UInt64.max)", "18446744073709551615")
        expect("\(Int8.min) \(UInt8.max) \(Int32(-1))", "-128 255 -1")
        expect("[\(5, width: 4)]", "[   5]")
        expect("[\(-5, width: 4)]", "[  -5]")
        expect("[\(-5, width: 4, pad: 48)]", "[-005]")
        expect("[\(12345, width: 3)]", "[12345]")
        expect("\(hex: 255)", "ff")
        expect("\(hex: 0)", "0")
        expect("\(hex: 0xdead, width: 8)", "0000dead")
        expect("\(hex: UInt64(0xFFFF_FFFF_8010_0000), width: 16)", "ffffffff80100000")
        expect("\(hex: Int32(-1))", "ffffffff")
        expect("\(hex: Int8(-2))", "fe")
        expect("\(hex: -1)", "ffffffffffffffff")
        expect("a\("lit")b", "alitb")
        expect("[\("ab", width: 4)]", "[ab  ]")
        expect("\(true) \(false)", "true false")
        expect("\(char: 65)\(char: 10)", "A\n")
        let inner: Format = "x=\(3)"
        expect("<\(inner)>", "<x=3>")

        var storage: [CChar] = Array("hello".utf8CString)
        storage.withUnsafeMutableBufferPointer { buffer in
            let s = CString(buffer.baseAddress!)
            expect(s.length == 5, "length")
            expect(s.equals("hello"), "equals literal")
            expect(!s.equals("hell"), "not equal to a prefix")
            expect(!s.equals("hello!"), "not equal to a longer literal")
            expect("[\(s)]", "[hello]")
            expect("[\(s, width: 7)]", "[hello  ]")
            expect("\(bytes: s.bytes)", "hello")
            let t = CString(CString.literal("hello"))
            expect(s.equals(t) && t.equals(s), "equals C string")
            expect(!s.equals(CString(CString.literal("help"))), "different C strings")
        }

        // Too long: cut at the capacity, the last byte marks the cut.
        var big: Format = "0123456789"
        for _ in 0..<40 { big = "\(big)0123456789" }
        let s = text(big)
        expect(s.utf8.count == Format.capacity, "cut to capacity (got \(s.utf8.count))")
        expect(s.hasSuffix("~"), "cut marked with ~")

        print("format: \(checks - failures) passed, \(failures) failed")
        if failures > 0 { exit(1) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
