/// The fields of the ELF64 file header the loader uses, read and checked.
/// Offsets are those of the ELF64 format (System V gABI).
struct ElfHeader {
    static let size: UInt64 = 64
    static let programHeaderSize: UInt64 = 56

    let entry: VirtualAddress
    let programHeaderOffset: UInt64
    let programHeaderCount: UInt16

    /// Checks the identification and the header fields in a fixed order, so a
    /// given defect always yields the same error.
    init(_ bytes: ElfBytes, machine: ElfMachine) throws(ElfError) {
        guard bytes.count >= Self.size else { throw .truncated }
        // The header is in bounds from here on; the reads cannot fail.
        func u8(_ at: UInt64) -> UInt8 { bytes.u8(at: at) ?? 0 }
        func u16(_ at: UInt64) -> UInt16 { bytes.u16(at: at) ?? 0 }
        func u32(_ at: UInt64) -> UInt32 { bytes.u32(at: at) ?? 0 }
        func u64(_ at: UInt64) -> UInt64 { bytes.u64(at: at) ?? 0 }

        guard u8(0) == 0x7F, u8(1) == 0x45, u8(2) == 0x4C, u8(3) == 0x46 else { throw .badMagic }
        guard u8(4) == 2 else { throw .notELF64 }  // EI_CLASS: ELFCLASS64
        guard u8(5) == 1 else { throw .notLittleEndian }  // EI_DATA: ELFDATA2LSB
        guard u8(6) == 1, u32(20) == 1 else { throw .badVersion }  // EI_VERSION, e_version
        guard u16(18) == machine.rawValue else { throw .wrongMachine }
        guard u16(16) == 2 else { throw .notExecutable }  // e_type: ET_EXEC
        guard u16(52) == UInt16(Self.size), u16(54) == UInt16(Self.programHeaderSize) else {
            throw .badHeaderSize  // e_ehsize, e_phentsize
        }
        entry = VirtualAddress(u64(24))
        programHeaderOffset = u64(32)
        programHeaderCount = u16(56)
    }
}
