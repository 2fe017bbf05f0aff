extension LoadPlan {
    /// Copies every segment of the plan from `file` into `sink`, page by
    /// page. Every byte of every page a segment touches is written: file bytes
    /// where the segment has them, zeros everywhere else (the `.bss` tail and
    /// the parts of the first and last page outside the segment), so no stale
    /// frame contents reach user space.
    public func copySegments<Sink: ElfImageSink>(
        from file: UnsafeRawBufferPointer, into sink: inout Sink
    ) throws(ElfCopyError<Sink.Failure>) {
        guard UInt64(file.count) == fileSize else { throw .fileMismatch }
        for index in 0..<segmentCount {
            try Self.copy(segment(at: index), from: ElfBytes(file: file), into: &sink)
        }
    }

    static func copy<Sink: ElfImageSink>(
        _ segment: LoadSegment, from bytes: ElfBytes, into sink: inout Sink
    ) throws(ElfCopyError<Sink.Failure>) {
        // A plan's segments passed these checks already; they are repeated so
        // that a plan paired with the wrong file fails instead of reading wild.
        guard bytes.contains(offset: segment.fileOffset, length: segment.fileSize),
            segment.fileSize <= segment.memorySize, let pages = segment.pages
        else { throw .fileMismatch }
        let start = segment.virtualAddress.raw
        let fileEnd = start + segment.fileSize  // <= start + memorySize, which fits

        var page = pages.start.raw
        while page < pages.end.raw {
            let pageEnd = page + pageBytes  // <= pages.end
            try sinkCall { () throws(Sink.Failure) in
                try sink.beginPage(VirtualAddress(page), permissions: segment.permissions)
            }
            let dataStart = max(page, start)
            let dataEnd = min(pageEnd, fileEnd)
            if dataStart < dataEnd {
                let from = Int(segment.fileOffset + (dataStart - start))
                let data = UnsafeRawBufferPointer(rebasing: bytes.file[from..<(from + Int(dataEnd - dataStart))])
                try zero(from: page, to: dataStart, into: &sink)
                try sinkCall { () throws(Sink.Failure) in try sink.write(to: VirtualAddress(dataStart), bytes: data) }
                try zero(from: dataEnd, to: pageEnd, into: &sink)
            } else {
                try zero(from: page, to: pageEnd, into: &sink)
            }
            page = pageEnd
        }
    }

    private static func zero<Sink: ElfImageSink>(
        from start: UInt64, to end: UInt64, into sink: inout Sink
    ) throws(ElfCopyError<Sink.Failure>) {
        guard start < end else { return }
        try sinkCall { () throws(Sink.Failure) in try sink.zero(at: VirtualAddress(start), count: end - start) }
    }

    private static func sinkCall<Failure: Error>(
        _ body: () throws(Failure) -> Void
    ) throws(ElfCopyError<Failure>) {
        do { try body() } catch { throw .sink(error) }
    }
}
