extension LoadPlan {
    /// Copies every segment of the plan from `file` into `sink`, page by
    /// page: the bytes-in-memory form of `copySegments(from:into:)`.
    public func copySegments<Sink: ElfImageSink>(
        from file: UnsafeRawBufferPointer, into sink: inout Sink
    ) throws(ElfCopyError<Sink.Failure>) {
        var source = ElfMemoryFile(file)
        try copySegments(from: &source, into: &sink)
    }

    /// Copies every segment of the plan from `source` into `sink`, page by
    /// page. Every byte of every page a segment touches is written: file bytes
    /// where the segment has them, read from `source` straight into the page,
    /// and zeros everywhere else (the `.bss` tail and the parts of the first
    /// and last page outside the segment), so no stale frame contents reach
    /// user space. Stops at the first failure, with the pages begun so far
    /// left to the sink's owner to drop.
    public func copySegments<Source: ElfFileSource & ~Copyable, Sink: ElfImageSink>(
        from source: inout Source, into sink: inout Sink
    ) throws(ElfCopyError<Sink.Failure>) {
        guard source.size == fileSize else { throw .fileMismatch }
        for index in 0..<segmentCount {
            try Self.copy(segment(at: index), fileSize: fileSize, from: &source, into: &sink)
        }
    }

    static func copy<Source: ElfFileSource & ~Copyable, Sink: ElfImageSink>(
        _ segment: LoadSegment, fileSize: UInt64, from source: inout Source, into sink: inout Sink
    ) throws(ElfCopyError<Sink.Failure>) {
        // A plan's segments passed these checks already; they are repeated so
        // that a plan paired with the wrong file fails instead of reading wild.
        guard let segmentFileEnd = checkedSum(segment.fileOffset, segment.fileSize), segmentFileEnd <= fileSize,
            segment.fileSize <= segment.memorySize, let pages = segment.pages
        else { throw .fileMismatch }
        let start = segment.virtualAddress.raw
        let fileEnd = start + segment.fileSize  // <= start + memorySize, which fits

        var page = pages.start.raw
        while page < pages.end.raw {
            let pageEnd = page + pageBytes  // <= pages.end
            let bytes: UnsafeMutableRawPointer
            do throws(Sink.Failure) {
                bytes = try sink.beginPage(VirtualAddress(page), permissions: segment.permissions)
            } catch {
                throw .sink(error)
            }
            let dataStart = max(page, start)
            let dataEnd = min(pageEnd, fileEnd)
            if dataStart < dataEnd {
                zero(bytes, from: 0, to: dataStart - page)
                let count = Int(dataEnd - dataStart)
                let at = segment.fileOffset + (dataStart - start)
                guard source.readExactly(at: at, count: count, into: bytes + Int(dataStart - page)) else {
                    throw .unreadable
                }
                zero(bytes, from: dataEnd - page, to: pageBytes)
            } else {
                zero(bytes, from: 0, to: pageBytes)
            }
            page = pageEnd
        }
    }

    /// Zeroes bytes `[from, to)` of a page.
    private static func zero(_ page: UnsafeMutableRawPointer, from: UInt64, to: UInt64) {
        guard from < to else { return }
        (page + Int(from)).initializeMemory(as: UInt8.self, repeating: 0, count: Int(to - from))
    }
}
