// The program archive: files linked into the kernel image as one read-only
// table (made by Tools/mkarchive.sh), found by name. Layout, all 64-bit
// little-endian words, the table 8-byte aligned:
//   count, then per file: name pointer, name length, data pointer, data size.
// Portable and allocation-free; the only link to the image is the symbol.

@_extern(c, "swiftlet_archive") func swiftletArchiveSymbol()

/// An archive table at some address: the kernel's own (`Archive`), or one a test made.
public struct ArchiveTable {
    let base: UnsafeRawPointer

    public init(base: UnsafeRawPointer) { self.base = base }

    static let headerSize = 8
    static let entrySize = 32

    public var count: Int { Int(base.load(as: UInt64.self)) }

    private func word(_ index: Int, _ field: Int) -> UInt64 {
        base.load(fromByteOffset: ArchiveTable.headerSize + index * ArchiveTable.entrySize + field * 8, as: UInt64.self)
    }

    private func buffer(_ pointer: UInt64, _ size: UInt64) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: UInt(pointer)), count: Int(size))
    }

    /// File `index`'s name (no NUL); empty for an index out of range.
    public func name(at index: Int) -> UnsafeRawBufferPointer {
        guard index >= 0, index < count else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return buffer(word(index, 0), word(index, 1))
    }

    /// File `index`'s contents; empty for an index out of range.
    public func file(at index: Int) -> UnsafeRawBufferPointer {
        guard index >= 0, index < count else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return buffer(word(index, 2), word(index, 3))
    }

    /// The index of the file called `name` (bytes, no NUL).
    public func index(of name: UnsafeRawBufferPointer) -> Int? {
        for i in 0..<count {
            let candidate = self.name(at: i)
            guard candidate.count == name.count else { continue }
            var same = true
            for j in 0..<name.count where candidate[j] != name[j] {
                same = false
                break
            }
            if same { return i }
        }
        return nil
    }

    /// The index of the file whose name is in `name`, up to its first NUL.
    public func index<let N: Int>(of name: InlineArray<N, UInt8>) -> Int? {
        var length = 0
        while length < N && name[length] != 0 { length += 1 }
        var copy = name
        return withUnsafeBytes(of: &copy) { index(of: UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
    }

    public func index(of name: StaticString) -> Int? {
        index(of: UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    }

    /// The contents of the file called `name`.
    public func lookup(_ name: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        index(of: name).map { file(at: $0) }
    }

    public func lookup(_ name: StaticString) -> UnsafeRawBufferPointer? {
        index(of: name).map { file(at: $0) }
    }
}

/// The archive linked into this kernel.
public enum Archive {
    public static var table: ArchiveTable {
        let symbol: @convention(c) () -> Void = swiftletArchiveSymbol
        return ArchiveTable(base: unsafeBitCast(symbol, to: UnsafeRawPointer.self))
    }

    public static var count: Int { table.count }
    public static func name(at index: Int) -> UnsafeRawBufferPointer { table.name(at: index) }
    public static func file(at index: Int) -> UnsafeRawBufferPointer { table.file(at: index) }
    public static func index(of name: UnsafeRawBufferPointer) -> Int? { table.index(of: name) }
    public static func index<let N: Int>(of name: InlineArray<N, UInt8>) -> Int? { table.index(of: name) }
    public static func lookup(_ name: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? { table.lookup(name) }
    public static func lookup(_ name: StaticString) -> UnsafeRawBufferPointer? { table.lookup(name) }
}
