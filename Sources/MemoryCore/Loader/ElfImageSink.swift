/// Where `LoadPlan.copySegments` puts an image: the kernel backs it with the
/// new process's address space, tests with a dictionary of pages. Every call
/// stays inside one page, and pages are visited in ascending order per segment.
public protocol ElfImageSink {
    associatedtype Failure: Error
    /// Called once for each page of a segment, before anything is written to
    /// it: the place to allocate and map the page.
    mutating func beginPage(_ page: VirtualAddress, permissions: PagePermissions) throws(Failure)
    /// Stores `bytes` at `address`.
    mutating func write(to address: VirtualAddress, bytes: UnsafeRawBufferPointer) throws(Failure)
    /// Stores `count` zero bytes at `address`.
    mutating func zero(at address: VirtualAddress, count: UInt64) throws(Failure)
}

extension ElfImageSink {
    public mutating func beginPage(_ page: VirtualAddress, permissions: PagePermissions) throws(Failure) {}
}

/// Why copying a planned image failed.
public enum ElfCopyError<SinkFailure: Error>: Error {
    /// The file is not the one the plan was made from.
    case fileMismatch
    /// The sink refused (out of frames, say).
    case sink(SinkFailure)
}

extension ElfCopyError: Equatable where SinkFailure: Equatable {}
