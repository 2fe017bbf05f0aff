// cat: copies each named file, or standard input, to standard output.
import SwiftletUser

func copy(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Bool {
    while true {
        let n = Sys.read(fd, into: buffer)
        if n == 0 { return true }
        if n < 0 {
            err("cat: read error\n")
            return false
        }
        if !writeAll(1, UnsafeRawBufferPointer(rebasing: buffer[0..<n])) {
            err("cat: write error\n")
            return false
        }
    }
}

@_cdecl("main")
func main(_ argc: Int32, _ argv: ArgumentVector) -> Int32 {
    let arguments = Arguments(argc, argv)
    var storage: InlineArray<512, UInt8> = .init(repeating: 0)
    return withUnsafeMutableBytes(of: &storage) { buffer in
        if arguments.count < 2 { return copy(0, buffer) ? 0 : 1 }
        var status: Int32 = 0
        for i in 1..<arguments.count {
            guard let name = arguments[i] else { continue }
            let fd = Sys.open(name, .readOnly)
            if fd < 0 {
                err("cat: cannot open \(name)\n")
                status = 1
                continue
            }
            if !copy(fd, buffer) { status = 1 }
            _ = Sys.close(fd)
        }
        return status
    }
}
