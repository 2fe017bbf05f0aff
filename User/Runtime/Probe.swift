// Touching memory on purpose, for the memory tests: volatile accesses the
// optimizer keeps, the stack pointer, and addresses of linked symbols.
import _Volatile

public enum Probe {
    /// Reads one byte at `address` (which may fault: that is the point).
    public static func load(_ address: UInt) -> UInt8 {
        VolatileMappedRegister<UInt8>(unsafeBitPattern: address).load()
    }

    /// Writes one byte at `address`.
    public static func store(_ address: UInt, _ value: UInt8) {
        VolatileMappedRegister<UInt8>(unsafeBitPattern: address).store(value)
    }

    /// An address in the caller's stack frame (close to the stack pointer).
    @inline(never)
    public static func stackAddress() -> UInt {
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }

    /// The address of a C-callable function (or any linked symbol declared as one).
    public static func address(of function: @convention(c) () -> Void) -> UInt {
        UInt(bitPattern: unsafeBitCast(function, to: UnsafeRawPointer.self))
    }

    /// Calls the code at `address` as a function taking and returning nothing.
    public static func call(_ address: UnsafeRawPointer) {
        let function = unsafeBitCast(address, to: (@convention(c) () -> Void).self)
        function()
    }
}
