/// A path copied in from user memory, NUL-terminated within 128 bytes.
struct PathBuffer {
    static let capacity = 128
    var storage: InlineArray<128, UInt8> = .init(repeating: 0)
    var length = 0

    /// Copies the string at `address`; nil for a bad pointer or a path too long.
    mutating func copyIn(from address: VirtualAddress) -> Int? {
        let copied: Int? = withUnsafeMutableBytes(of: &storage) { UserMemory.copyInString(from: address, into: $0) }
        guard let copied else { return nil }
        length = copied
        return copied
    }

    func equals(_ name: StaticString) -> Bool {
        guard name.utf8CodeUnitCount == length else { return false }
        for i in 0..<length where storage[i] != name.utf8Start[i] { return false }
        return true
    }

    /// Sets the path to `text`; false when it does not fit.
    mutating func set(_ text: StaticString) -> Bool {
        guard text.utf8CodeUnitCount < PathBuffer.capacity else { return false }
        storage = .init(repeating: 0)
        for i in 0..<text.utf8CodeUnitCount { storage[i] = text.utf8Start[i] }
        length = text.utf8CodeUnitCount
        return true
    }

    /// Calls `body` with the bytes after the last "/" (a process's name after exec).
    mutating func withLastComponent(_ body: (UnsafeRawBufferPointer) -> Void) {
        var start = 0
        for i in 0..<length where storage[i] == UInt8(ascii: "/") { start = i + 1 }
        let end = length
        withUnsafeBytes(of: &storage) { body(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
    }

    /// Calls `body` with the path's bytes (no NUL), in place.
    mutating func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        let end = length
        return withUnsafeBytes(of: &storage) { body(UnsafeRawBufferPointer(rebasing: $0[0..<end])) }
    }
}
