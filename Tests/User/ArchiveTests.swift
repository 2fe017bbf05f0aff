// Host test for the kernel's archive reader (Kernel/FileSystem/Archive.swift)
// against a table that Tools/mkarchive.sh made from the files named on the
// command line, assembled and linked into this test (`make user-host-test`).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

var failures = 0
var checks = 0

func expect(_ condition: Bool, _ what: String, line: UInt = #line) {
    checks += 1
    if !condition {
        failures += 1
        print("FAIL line \(line): \(what)")
    }
}

func contents(_ path: String) -> [UInt8] {
    guard let f = fopen(path, "rb") else { fatalError("cannot open \(path)") }
    defer { fclose(f) }
    var data: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = fread(&chunk, 1, chunk.count, f)
        if n == 0 { break }
        data += chunk[0..<n]
    }
    return data
}

func bytes(_ b: UnsafeRawBufferPointer) -> [UInt8] { Array(b) }

func withName<R>(_ name: String, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    Array(name.utf8).withUnsafeBytes(body)
}

@main
struct ArchiveTests {
    static func main() {
        let paths = Array(CommandLine.arguments.dropFirst())
        expect(!paths.isEmpty, "test needs input files")
        expect(Archive.count == paths.count, "count \(Archive.count), files \(paths.count)")
        guard Archive.count == paths.count, !paths.isEmpty else { exit(1) }
        for (i, path) in paths.enumerated() {
            let name = String(path.split(separator: "/").last!)
            let data = contents(path)
            expect(bytes(Archive.name(at: i)) == Array(name.utf8), "name(at: \(i)) is \(name)")
            let nameEnd = Archive.name(at: i).baseAddress! + Archive.name(at: i).count
            expect(nameEnd.load(as: UInt8.self) == 0, "a NUL follows name \(i)")
            let file = Archive.file(at: i)
            expect(bytes(file) == data, "file(at: \(i)) holds \(name)'s \(data.count) bytes")
            expect(UInt(bitPattern: file.baseAddress) % 8 == 0, "file \(i) is 8-byte aligned")
            withName(name) { n in
                expect(Archive.index(of: n) == i, "index(of: \(name)) == \(i)")
                expect(Archive.lookup(n).map(bytes) == data, "lookup(\(name))")
            }
            var padded = InlineArray<32, UInt8>(repeating: 0)
            for (j, b) in name.utf8.enumerated() where j < 32 { padded[j] = b }
            expect(Archive.index(of: padded) == i, "index(of: NUL-padded \(name))")
        }
        withName("no-such-file") { expect(Archive.lookup($0) == nil, "lookup of a missing name") }
        withName("") { expect(Archive.lookup($0) == nil, "lookup of the empty name") }
        withName("hel") { expect(Archive.index(of: $0) == nil, "a prefix of a name is not the name") }
        withName("hello!") { expect(Archive.index(of: $0) == nil, "a name plus a byte is not the name") }
        expect(Archive.lookup("hello").map(bytes) == Array("hello".utf8), "lookup(StaticString)")
        expect(Archive.name(at: -1).count == 0 && Archive.file(at: Archive.count).count == 0, "out-of-range index")
        expect(UInt(bitPattern: Archive.table.base) % 8 == 0, "table 8-byte aligned")

        print("archive: \(checks - failures) passed, \(failures) failed")
        if failures > 0 { exit(1) }
    }
}
