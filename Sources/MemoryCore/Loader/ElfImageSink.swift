/// Where `LoadPlan.copySegments` puts an image: the kernel backs it with the
/// new process's address space, tests with pages of their own. Pages are
/// begun in ascending order per segment, each once.
public protocol ElfImageSink {
    associatedtype Failure: Error
    /// Called once for each page of a segment, before anything is written to
    /// it: the place to allocate and map the page. Returns where the page's
    /// `pageBytes` bytes are written; the loader writes every one of them
    /// (file bytes read straight from the file, zeros around them) before it
    /// begins another page.
    mutating func beginPage(
        _ page: VirtualAddress, permissions: PagePermissions
    ) throws(Failure) -> UnsafeMutableRawPointer
}

/// Why copying a planned image failed.
public enum ElfCopyError<SinkFailure: Error>: Error {
    /// The file is not the one the plan was made from.
    case fileMismatch
    /// Reading a segment's bytes failed, or gave fewer than the plan
    /// promised (an I/O error, or the file shrank since it was planned).
    case unreadable
    /// The sink refused (out of frames, say).
    case sink(SinkFailure)
}

extension ElfCopyError: Equatable where SinkFailure: Equatable {}
