/// Little-endian reads from an untrusted file image. Every read checks its
/// bounds with overflow-checked arithmetic and returns nil when the bytes are
/// not all inside the file, so no offset from the file is ever trusted.
struct ElfBytes {
    let file: UnsafeRawBufferPointer

    var count: UInt64 { UInt64(file.count) }

    /// True when `[offset, offset + length)` lies inside the file.
    func contains(offset: UInt64, length: UInt64) -> Bool {
        let (end, overflow) = offset.addingReportingOverflow(length)
        return !overflow && end <= count
    }

    func u8(at offset: UInt64) -> UInt8? {
        guard contains(offset: offset, length: 1) else { return nil }
        return file[Int(offset)]
    }

    func u16(at offset: UInt64) -> UInt16? {
        guard contains(offset: offset, length: 2) else { return nil }
        return UInt16(littleEndian: file.loadUnaligned(fromByteOffset: Int(offset), as: UInt16.self))
    }

    func u32(at offset: UInt64) -> UInt32? {
        guard contains(offset: offset, length: 4) else { return nil }
        return UInt32(littleEndian: file.loadUnaligned(fromByteOffset: Int(offset), as: UInt32.self))
    }

    func u64(at offset: UInt64) -> UInt64? {
        guard contains(offset: offset, length: 8) else { return nil }
        return UInt64(littleEndian: file.loadUnaligned(fromByteOffset: Int(offset), as: UInt64.self))
    }
}

/// `a + b`, or nil when the sum does not fit in 64 bits.
func checkedSum(_ a: UInt64, _ b: UInt64) -> UInt64? {
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? nil : sum
}
