/// A program exec loads: the whole file in kernel memory, for the ELF loader.
struct ProgramFile {
    let bytes: UnsafeRawBufferPointer
}

/// Where exec finds programs by path.
enum ProgramFiles {
    /// The file at `path` (a leading "/" is the archive's one directory).
    static func open(_ path: PathBuffer) -> ProgramFile? {
        let index: Int? = path.withBytes { bytes in
            let name = bytes.count > 0 && bytes[0] == UInt8(ascii: "/") ? UnsafeRawBufferPointer(rebasing: bytes[1...]) : bytes
            return Archive.index(of: name)
        }
        guard let index else { return nil }
        return ProgramFile(bytes: Archive.file(at: index))
    }
}
