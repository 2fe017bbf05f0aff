/// Where Swift put a field of a plain struct, found by looking: the struct
/// is laid out in zeroed memory, `mark` stores all ones into one field, and
/// the first byte that is no longer zero is the field's offset. The boot
/// checks of the trap frames compare these with the offsets the assembly
/// was written against, so the two can never drift apart unnoticed.
enum FieldOffsets {
    /// The offset of the field `mark` sets (it must set a non-zero value),
    /// or nil when `T` is larger than the 512 bytes looked at.
    static func find<T>(in type: T.Type, _ mark: (inout T) -> Void) -> Int? {
        var storage = InlineArray<64, UInt64>(repeating: 0)
        let size = MemoryLayout<T>.size
        guard size <= 512, MemoryLayout<T>.alignment <= 8 else { return nil }
        return withUnsafeMutableBytes(of: &storage) { raw -> Int? in
            let value = raw.baseAddress.unsafelyUnwrapped.bindMemory(to: T.self, capacity: 1)
            mark(&value.pointee)
            for index in 0..<size where raw[index] != 0 { return index }
            return nil
        }
    }
}
