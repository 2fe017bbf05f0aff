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

    /// `count` values of `T`, initialized to `initial`, or nil when the region is too small.
    mutating func take<T>(_ count: Int, of initial: T) -> UnsafeMutablePointer<T>? {
        guard let start = bytes(count * MemoryLayout<T>.stride, alignment: MemoryLayout<T>.alignment) else {
            return nil
        }
        let typed = start.bindMemory(to: T.self, capacity: count)
        typed.initialize(repeating: initial, count: count)
        return typed
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
