// ls: lists a directory (default "."): name, type, inode and size of each
// entry. Reading a directory returns 16-byte dirent records.
import SwiftletUser

func typeName(_ type: Int16) -> StaticString {
    switch type {
    case FileStatus.directory: return "dir"
    case FileStatus.file: return "file"
    case FileStatus.device: return "dev"
    default: return "?"
    }
}

func list(_ path: CString) -> Bool {
    let fd = Sys.open(path, .readOnly)
    if fd < 0 {
        err("ls: cannot open \(path)\n")
        return false
    }
    defer { _ = Sys.close(fd) }
    guard let status = Sys.fstat(fd) else {
        err("ls: cannot stat \(path)\n")
        return false
    }
    if status.type != FileStatus.directory {
        out("\(path, width: 15) \(typeName(status.type), width: 4) \(status.inode, width: 4) \(status.size, width: 8)\n")
        return true
    }
    var record: InlineArray<16, UInt8> = .init(repeating: 0)
    // "path/name", NUL-terminated: each entry is looked up beside its
    // directory (just "name" for ".").
    var name: InlineArray<144, UInt8> = .init(repeating: 0)
    var prefix = 0
    if !path.equals(".") {
        while prefix < 127, path.pointer[prefix] != 0 {
            name[prefix] = UInt8(bitPattern: path.pointer[prefix])
            prefix += 1
        }
        name[prefix] = 47  // "/"
        prefix += 1
    }
    while true {
        let n = withUnsafeMutableBytes(of: &record) { Sys.read(fd, into: $0) }
        if n != DirectoryEntry.size { break }
        withUnsafeBytes(of: &record) { raw in
            let entry = DirectoryEntry(record: raw.baseAddress!)
            if entry.inode == 0 { return }
            for i in 0..<16 { name[prefix + i] = i < entry.name.count ? entry.name[i] : 0 }
            withUnsafeBytes(of: &name) { nameBytes in
                let full = CString(nameBytes.baseAddress!.assumingMemoryBound(to: CChar.self))
                let cName = CString(full.pointer + prefix)
                if let st = Sys.stat(full) {
                    out("\(cName, width: 15) \(typeName(st.type), width: 4) \(st.inode, width: 4) \(st.size, width: 8)\n")
                } else {
                    out("\(cName, width: 15) ?\n")
                }
            }
        }
    }
    return true
}

@_cdecl("main")
func main(_ argc: Int32, _ argv: ArgumentVector) -> Int32 {
    let arguments = Arguments(argc, argv)
    if arguments.count < 2 {
        return list(CString(CString.literal("."))) ? 0 : 1
    }
    var status: Int32 = 0
    for i in 1..<arguments.count {
        if let path = arguments[i], !list(path) { status = 1 }
    }
    return status
}
