/// Loading a program's segments into a new address space.
extension AddressSpace {
    /// Copies every segment of `plan` from `file` into fresh user pages of
    /// this space: the bytes-in-memory form of `loadImage(_:from:)`.
    public mutating func loadImage(
        _ plan: LoadPlan, from file: UnsafeRawBufferPointer
    ) throws(ElfCopyError<MapError>) {
        var source = ElfMemoryFile(file)
        try loadImage(plan, from: &source)
    }

    /// Copies every segment of `plan` from `source` into fresh user pages of
    /// this space (inside the user window, nothing mapped there yet), each
    /// with its segment's permissions. The frames are not cleared first:
    /// `LoadPlan.copySegments` writes every byte of every page it begins
    /// (file bytes read straight into the frame, zeros around them), so
    /// nothing a frame held before reaches the program, and the file's pages
    /// cost one copy instead of a clearing and a copy. Each page's bytes are
    /// written through the frame's address that mapping it returned, without
    /// walking the table again. On a failure (no frame, a failed or short
    /// read) the pages mapped so far stay: the caller drops the whole space
    /// (exec builds its new space apart and commits it only when loading
    /// succeeded).
    public mutating func loadImage<Source: ElfFileSource & ~Copyable>(
        _ plan: LoadPlan, from source: inout Source
    ) throws(ElfCopyError<MapError>) {
        try withUnsafeMutablePointer(to: &self) { (space) throws(ElfCopyError<MapError>) in
            var sink = FreshPageSink(space: space)
            try plan.copySegments(from: &source, into: &sink)
        }
    }
}

/// `AddressSpace.loadImage`'s sink: maps each page when the loader begins it
/// and gives the loader the kernel's view of its frame to fill.
private struct FreshPageSink<Scheme: PagingScheme, Memory: PhysicalMemory>: ElfImageSink {
    typealias Failure = MapError
    let space: UnsafeMutablePointer<AddressSpace<Scheme, Memory>>

    init(space: UnsafeMutablePointer<AddressSpace<Scheme, Memory>>) {
        self.space = space
    }

    mutating func beginPage(_ page: VirtualAddress, permissions: PagePermissions) throws(MapError) -> UnsafeMutableRawPointer {
        guard let range = VirtualRange(start: page, size: pageBytes) else { throw .nonCanonical }
        guard space.pointee.userWindow.contains(range) else { throw .outsideUserWindow }
        let frame = try space.pointee.pageTable.mapFreshFrame(at: page, permissions: permissions | .user, zeroed: false)
        guard let view = space.pointee.memory.pointer(to: frame, count: pageBytes) else { throw .notMapped }
        return view
    }
}
