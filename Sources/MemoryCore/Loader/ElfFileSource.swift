/// Where the loader reads an executable from: a file of the kernel's file
/// system (read piece by piece, the segments straight into the new pages),
/// or bytes already in memory (host tests, the fuzzer, tools). The loader
/// reads the header and program headers into a small buffer of its own and
/// each segment's file bytes page by page, so no copy of the whole file is
/// ever made.
public protocol ElfFileSource: ~Copyable {
    associatedtype ReadFailure: Error
    /// The file's length in bytes: the bound every offset the file names is
    /// checked against.
    var size: UInt64 { get }
    /// Copies up to `count` bytes at `offset` to `destination` and returns
    /// how many it copied (fewer only at the end of the file). The loader
    /// treats a short count like a failure: the file changed or lied.
    mutating func read(
        at offset: UInt64, count: Int, into destination: UnsafeMutableRawPointer
    ) throws(ReadFailure) -> Int
}

/// An executable whose bytes are in memory the caller owns.
public struct ElfMemoryFile: ElfFileSource {
    public typealias ReadFailure = Never
    public let bytes: UnsafeRawBufferPointer

    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    public var size: UInt64 { UInt64(bytes.count) }

    public func read(at offset: UInt64, count: Int, into destination: UnsafeMutableRawPointer) -> Int {
        guard let base = bytes.baseAddress, count > 0, offset < size else { return 0 }
        let copied = Int(min(UInt64(count), size - offset))
        destination.copyMemory(from: base + Int(offset), byteCount: copied)
        return copied
    }
}

extension ElfFileSource where Self: ~Copyable {
    /// Reads exactly `count` bytes at `offset`; false on a failure or a short read.
    mutating func readExactly(at offset: UInt64, count: Int, into destination: UnsafeMutableRawPointer) -> Bool {
        do throws(ReadFailure) {
            return try read(at: offset, count: count, into: destination) == count
        } catch {
            return false
        }
    }
}
