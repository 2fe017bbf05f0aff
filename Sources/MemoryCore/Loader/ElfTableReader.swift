/// The ELF header and the program headers, read from the file into a
/// buffer of 512 bytes on the loader's stack. The first read takes the
/// file's first 512 bytes: the header and, where linkers put them (right
/// after it), up to eight program headers. A table elsewhere, or a longer
/// one, is read nine headers at a time as the loader walks it.
struct ElfTableReader {
    static let capacity = 512
    private var buffer = InlineArray<512, UInt8>(repeating: 0)
    /// The file offset of `buffer[0]`, and how many bytes from there are read.
    private var start: UInt64 = 0
    private var count = 0

    /// Reads and checks the header (a file shorter than one is `truncated`).
    mutating func header<Source: ElfFileSource & ~Copyable>(
        from source: inout Source, machine: ElfMachine
    ) throws(ElfError) -> ElfHeader {
        guard source.size >= ElfHeader.size else { throw .truncated }
        try fill(from: &source, at: 0, count: Int(min(source.size, UInt64(Self.capacity))))
        return try withUnsafeBytes(of: &buffer) { (raw) throws(ElfError) -> ElfHeader in
            try ElfHeader(ElfBytes(file: UnsafeRawBufferPointer(rebasing: raw[0..<count])), machine: machine)
        }
    }

    /// The program header at file offset `at`, inside a table that ends at
    /// `tableEnd` (which the caller checked lies inside the file).
    mutating func programHeader<Source: ElfFileSource & ~Copyable>(
        at: UInt64, tableEnd: UInt64, from source: inout Source
    ) throws(ElfError) -> ElfProgramHeader {
        let size = ElfHeader.programHeaderSize
        if at < start || at - start + size > UInt64(count) {
            let perRead = UInt64(Self.capacity) / size * size
            try fill(from: &source, at: at, count: Int(min(tableEnd - at, perRead)))
        }
        let relative = at - start
        let header: ElfProgramHeader? = withUnsafeBytes(of: &buffer) { raw in
            ElfProgramHeader(ElfBytes(file: UnsafeRawBufferPointer(rebasing: raw[0..<count])), at: relative)
        }
        guard let header else { throw .programHeadersOutOfFile }
        return header
    }

    private mutating func fill<Source: ElfFileSource & ~Copyable>(
        from source: inout Source, at offset: UInt64, count wanted: Int
    ) throws(ElfError) {
        count = 0
        let read = withUnsafeMutableBytes(of: &buffer) { raw in
            source.readExactly(at: offset, count: wanted, into: raw.baseAddress!)
        }
        guard read else { throw .unreadable }
        start = offset
        count = wanted
    }
}
