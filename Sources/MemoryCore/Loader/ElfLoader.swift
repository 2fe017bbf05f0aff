/// Turns an untrusted ELF64 executable into a `LoadPlan`, or says precisely
/// why not. Nothing is mapped or copied here: the plan is checked first, so a
/// bad file costs no frames and leaves no half-built address space.
public enum ElfLoader {
    /// Validates `file` as a static executable for `machine` whose segments
    /// obey `rules`. Checks run in a fixed order (header, program-header
    /// table, then each PT_LOAD in file order, then the entry point), so a
    /// given defect always gives the same error.
    public static func plan(
        file: UnsafeRawBufferPointer, machine: ElfMachine, rules: UserRegionRules
    ) throws(ElfError) -> LoadPlan {
        var source = ElfMemoryFile(file)
        return try plan(source: &source, machine: machine, rules: rules)
    }

    /// The same for a file read from `source`: only the header and the
    /// program headers are read (`ElfTableReader`), and every offset they
    /// name is checked against `source.size`. A failed or short read is
    /// `unreadable`.
    public static func plan<Source: ElfFileSource & ~Copyable>(
        source: inout Source, machine: ElfMachine, rules: UserRegionRules
    ) throws(ElfError) -> LoadPlan {
        let fileSize = source.size
        var table = ElfTableReader()
        let header = try table.header(from: &source, machine: machine)
        guard header.programHeaderCount > 0 else { throw .noLoadableSegment }
        // At most 65535 * 56 bytes: this product cannot overflow.
        let tableBytes = UInt64(header.programHeaderCount) * ElfHeader.programHeaderSize
        guard let tableEnd = checkedSum(header.programHeaderOffset, tableBytes), tableEnd <= fileSize else {
            throw .programHeadersOutOfFile
        }

        var plan = LoadPlan(
            entry: header.entry, programHeaderOffset: header.programHeaderOffset,
            programHeaderCount: header.programHeaderCount, fileSize: fileSize)
        for index in 0..<UInt64(header.programHeaderCount) {
            let at = header.programHeaderOffset + index * ElfHeader.programHeaderSize
            let programHeader = try table.programHeader(at: at, tableEnd: tableEnd, from: &source)
            guard programHeader.type == ElfProgramHeader.typeLoad else { continue }
            guard let (segment, pages) = try checkedSegment(programHeader, fileSize: fileSize, rules: rules) else {
                continue
            }
            for other in 0..<plan.segmentCount {
                if let otherPages = plan.segment(at: other).pages, otherPages.overlaps(pages) {
                    throw .overlappingSegments
                }
            }
            guard plan.segmentCount < LoadPlan.segmentCapacity else { throw .tooManySegments }
            plan.append(segment, pages: pages)
        }

        guard plan.segmentCount > 0 else { throw .noLoadableSegment }
        guard let text = plan.segment(containing: header.entry), text.permissions.contains(.execute) else {
            throw .entryNotExecutable
        }
        return plan
    }

    /// Checks one PT_LOAD on its own. Returns nil for a segment that occupies
    /// no memory (it needs no pages), otherwise the segment and its pages.
    static func checkedSegment(
        _ header: ElfProgramHeader, fileSize: UInt64, rules: UserRegionRules
    ) throws(ElfError) -> (LoadSegment, VirtualRange)? {
        guard let fileEnd = checkedSum(header.offset, header.fileSize), fileEnd <= fileSize else {
            throw .segmentOutOfFile
        }
        guard header.fileSize <= header.memorySize else { throw .fileSizeExceedsMemorySize }
        let segment = LoadSegment(
            virtualAddress: VirtualAddress(header.virtualAddress), memorySize: header.memorySize,
            fileOffset: header.offset, fileSize: header.fileSize, permissions: header.permissions)
        guard let pages = segment.pages else { throw .addressOverflow }
        guard isAligned(header) else { throw .misalignedSegment }
        guard header.memorySize > 0 else { return nil }
        // Reserved first: a segment on the stack or a guard page is reported
        // as such even where the reserved range lies outside `allowed`.
        guard !rules.hitsReserved(pages) else { throw .segmentOverlapsReserved }
        guard rules.allows(pages) else { throw .segmentOutsideUserRegion }
        return (segment, pages)
    }

    /// `p_align` must be 0, 1 or a power of two that address and offset agree
    /// modulo. Nothing more: the address need not agree with the offset
    /// modulo the page size, because segments are copied byte by byte into
    /// fresh pages, never mapped from the file. (`ld -N` puts a program's one
    /// segment at file offset 0xe8 for address 0, with `p_align` 2.)
    static func isAligned(_ header: ElfProgramHeader) -> Bool {
        let alignment = header.alignment
        guard alignment > 1 else { return true }
        guard alignment & (alignment - 1) == 0 else { return false }
        return header.virtualAddress & (alignment - 1) == header.offset & (alignment - 1)
    }
}
