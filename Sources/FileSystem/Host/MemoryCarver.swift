/// Cuts the one region of memory the owner hands the core into its typed
/// tables, each aligned for its type. The core never allocates: the kernel
/// gives it heap memory, host tests give it host memory.
struct MemoryCarver {
    private var next: UnsafeMutableRawPointer
    private let end: UnsafeMutableRawPointer

    init(_ region: UnsafeMutableRawBufferPointer) {
        next = region.baseAddress ?? UnsafeMutableRawPointer(bitPattern: 16).unsafelyUnwrapped
        end = next + region.count
    }

    /// `count` values of `T`, all bytes zero, or nil when the region is too
    /// small. Only for plain records whose all-zero bytes are their empty
    /// value: no initial value is built on the stack (the log's state is
    /// over a kilobyte, more than a kernel stack should hold).
    mutating func takeZeroed<T>(_ count: Int, of type: T.Type) -> UnsafeMutablePointer<T>? {
        guard let start = bytes(count * MemoryLayout<T>.stride, alignment: MemoryLayout<T>.alignment) else {
            return nil
        }
        start.initializeMemory(as: UInt8.self, repeating: 0, count: count * MemoryLayout<T>.stride)
        return start.bindMemory(to: T.self, capacity: count)
    }

    /// `count` raw bytes aligned to `alignment` (a power of two).
    mutating func bytes(_ count: Int, alignment: Int) -> UnsafeMutableRawPointer? {
        let address = (UInt(bitPattern: next) + UInt(alignment - 1)) & ~UInt(alignment - 1)
        let start = UnsafeMutableRawPointer(bitPattern: address).unsafelyUnwrapped
        guard start <= end, end - start >= count else { return nil }
        next = start + count
        return start
    }

    /// Bytes a region needs for tables of these sizes, with room for alignment.
    static func bytesNeeded<T>(_ count: Int, of: T.Type) -> Int {
        count * MemoryLayout<T>.stride + MemoryLayout<T>.alignment
    }
}
