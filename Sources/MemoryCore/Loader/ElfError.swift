/// Why an executable was refused. Every case is one check of the loader; the
/// file comes from user space, so each is an ordinary outcome, never a crash.
public enum ElfError: Error, Equatable, Sendable {
    /// The file ends before the ELF header does.
    case truncated
    /// Reading the header or the program headers failed, or gave fewer bytes
    /// than the file's size promised (an I/O error, or the file shrank).
    case unreadable
    /// The first four bytes are not 0x7F 'E' 'L' 'F'.
    case badMagic
    /// `EI_CLASS` is not ELFCLASS64.
    case notELF64
    /// `EI_DATA` is not ELFDATA2LSB.
    case notLittleEndian
    /// `EI_VERSION` or `e_version` is not EV_CURRENT.
    case badVersion
    /// `e_machine` is not the machine this kernel runs on.
    case wrongMachine
    /// `e_type` is not ET_EXEC: no relocatable objects, shared objects or PIEs.
    case notExecutable
    /// `e_ehsize` or `e_phentsize` differs from the ELF64 sizes (64 and 56).
    case badHeaderSize
    /// The program-header table does not lie inside the file.
    case programHeadersOutOfFile
    /// A loadable segment's file bytes do not lie inside the file.
    case segmentOutOfFile
    /// A loadable segment has more file bytes than memory bytes.
    case fileSizeExceedsMemorySize
    /// A loadable segment's end (or its last page's end) wraps past 2^64.
    case addressOverflow
    /// A loadable segment's pages leave the range user images may occupy.
    case segmentOutsideUserRegion
    /// A loadable segment's pages touch a reserved range (stack, guard page,
    /// metadata page, trap frame, trampoline).
    case segmentOverlapsReserved
    /// `p_align` is not a power of two, or the address and the file offset
    /// disagree modulo `p_align`.
    case misalignedSegment
    /// Two loadable segments share a page.
    case overlappingSegments
    /// More loadable segments than a `LoadPlan` holds.
    case tooManySegments
    /// No loadable segment with a nonzero memory size.
    case noLoadableSegment
    /// The entry point is not inside an executable segment.
    case entryNotExecutable
}
