/// The argument vector exec hands to main: NULL-terminated C strings.
public typealias ArgumentVector = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>

/// A NUL-terminated string owned by someone else (argv, a buffer, a literal).
public struct CString {
    public let pointer: UnsafePointer<CChar>

    public init(_ pointer: UnsafePointer<CChar>) { self.pointer = pointer }

    /// Bytes before the NUL.
    public var length: Int {
        var n = 0
        while pointer[n] != 0 { n += 1 }
        return n
    }

    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: pointer, count: length) }

    public func equals(_ literal: StaticString) -> Bool {
        let other = literal.utf8Start
        let n = literal.utf8CodeUnitCount
        for i in 0..<n where UInt8(bitPattern: pointer[i]) != other[i] { return false }
        return pointer[n] == 0
    }

    public func equals(_ other: CString) -> Bool {
        var i = 0
        while true {
            let a = pointer[i]
            if a != other.pointer[i] { return false }
            if a == 0 { return true }
            i += 1
        }
    }

    /// A string literal as a C string. Swift stores literals NUL-terminated;
    /// the precondition makes that assumption checked rather than silent.
    public static func literal(_ s: StaticString) -> UnsafeMutablePointer<CChar> {
        precondition(s.hasPointerRepresentation && s.utf8Start[s.utf8CodeUnitCount] == 0, "literal not NUL-terminated")
        return UnsafeMutablePointer(mutating: UnsafeRawPointer(s.utf8Start).assumingMemoryBound(to: CChar.self))
    }
}

/// main's arguments.
public struct Arguments {
    public let count: Int
    public let vector: ArgumentVector

    public init(_ argc: Int32, _ argv: ArgumentVector) {
        count = Int(argc)
        vector = argv
    }

    /// Argument `index`, or nil past the end.
    public subscript(index: Int) -> CString? {
        guard index >= 0, index < count, let p = vector[index] else { return nil }
        return CString(p)
    }
}
