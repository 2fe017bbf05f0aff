/// Little-endian loads and stores at any byte offset: the format is
/// little-endian on every machine, and its fields are not always aligned.
extension UnsafeRawBufferPointer {
    @inline(__always)
    public func littleEndianWord(at offset: Int) -> UInt32 {
        UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
    @inline(__always)
    public func littleEndianHalf(at offset: Int) -> UInt16 {
        UInt16(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }
}

extension UnsafeMutableRawBufferPointer {
    @inline(__always)
    public func littleEndianWord(at offset: Int) -> UInt32 { UnsafeRawBufferPointer(self).littleEndianWord(at: offset) }
    @inline(__always)
    public func littleEndianHalf(at offset: Int) -> UInt16 { UnsafeRawBufferPointer(self).littleEndianHalf(at: offset) }
    @inline(__always)
    public func storeLittleEndianWord(_ value: UInt32, at offset: Int) {
        storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt32.self)
    }
    @inline(__always)
    public func storeLittleEndianHalf(_ value: UInt16, at offset: Int) {
        storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt16.self)
    }
}
