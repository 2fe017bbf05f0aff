// Raw memory from the C allocator (User/lib/umalloc.c, over sbrk). User
// programs are built with -no-allocations, so this is their only heap: it
// hands out plain bytes, never objects.

// Swift reserves the names malloc and free for its runtime, so the C side
// exports them again under names of its own (umalloc.c).
@_extern(c, "heap_allocate") func c_malloc(_ bytes: UInt) -> UnsafeMutableRawPointer?
@_extern(c, "heap_free") func c_free(_ pointer: UnsafeMutableRawPointer?)

public enum Heap {
    /// `bytes` bytes aligned to 16, or nil when the heap cannot grow.
    public static func allocate(bytes: Int) -> UnsafeMutableRawPointer? {
        guard bytes > 0 else { return nil }
        return c_malloc(UInt(bytes))
    }

    /// Room for `count` values of `type`, bound to it and uninitialized.
    public static func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T>? {
        guard count > 0, MemoryLayout<T>.alignment <= 16 else { return nil }
        let (bytes, overflow) = MemoryLayout<T>.stride.multipliedReportingOverflow(by: count)
        guard !overflow, let raw = allocate(bytes: bytes) else { return nil }
        return raw.bindMemory(to: type, capacity: count)
    }

    public static func free(_ pointer: UnsafeMutableRawPointer?) { c_free(pointer) }
    public static func free<T>(_ pointer: UnsafeMutablePointer<T>?) { c_free(UnsafeMutableRawPointer(pointer)) }
}
