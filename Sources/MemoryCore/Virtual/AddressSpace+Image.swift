/// Loading a program's segments into a new address space.
extension AddressSpace {
    /// Copies every segment of `plan` from `file` into fresh user pages of
    /// this space (inside the user window, nothing mapped there yet), each
    /// with its segment's permissions. The frames are not cleared first:
    /// `LoadPlan.copySegments` writes every byte of every page it begins
    /// (file bytes, zeros around them), so nothing a frame held before
    /// reaches the program, and the file's pages cost one copy instead of
    /// a clearing and a copy. Each page's bytes are written through the
    /// frame's address that mapping it returned, without walking the table
    /// again. On a failure the pages mapped so far stay: the caller drops
    /// the whole space (exec builds its new space apart and commits it only
    /// when loading succeeded).
    public mutating func loadImage(
        _ plan: LoadPlan, from file: UnsafeRawBufferPointer
    ) throws(ElfCopyError<MapError>) {
        try withUnsafeMutablePointer(to: &self) { (space) throws(ElfCopyError<MapError>) in
            var sink = FreshPageSink(space: space)
            try plan.copySegments(from: file, into: &sink)
        }
    }
}

/// `AddressSpace.loadImage`'s sink: maps each page when the loader begins it
/// and keeps the frame's kernel view for the writes into it, which the
/// loader makes inside the page it began last.
private struct FreshPageSink<Scheme: PagingScheme, Memory: PhysicalMemory>: ElfImageSink {
    typealias Failure = MapError
    let space: UnsafeMutablePointer<AddressSpace<Scheme, Memory>>
    /// The page begun last and the kernel's view of its frame.
    var page = VirtualAddress(0)
    var bytes: UnsafeMutableRawPointer? = nil

    init(space: UnsafeMutablePointer<AddressSpace<Scheme, Memory>>) {
        self.space = space
    }

    mutating func beginPage(_ page: VirtualAddress, permissions: PagePermissions) throws(MapError) {
        bytes = nil
        guard let range = VirtualRange(start: page, size: pageBytes) else { throw .nonCanonical }
        guard space.pointee.userWindow.contains(range) else { throw .outsideUserWindow }
        let frame = try space.pointee.pageTable.mapFreshFrame(at: page, permissions: permissions | .user, zeroed: false)
        guard let view = space.pointee.memory.pointer(to: frame, count: pageBytes) else { throw .notMapped }
        self.page = page
        bytes = view
    }

    /// Where `count` bytes at `address` go: inside the page begun last.
    private func target(_ address: VirtualAddress, count: Int) throws(MapError) -> UnsafeMutableRawPointer {
        guard let bytes, address.alignedDown() == page, address.offset() + UInt64(count) <= pageBytes else { throw .notMapped }
        return bytes + Int(address.offset())
    }

    mutating func write(to address: VirtualAddress, bytes source: UnsafeRawBufferPointer) throws(MapError) {
        guard let base = source.baseAddress else { return }
        try target(address, count: source.count).copyMemory(from: base, byteCount: source.count)
    }

    mutating func zero(at address: VirtualAddress, count: UInt64) throws(MapError) {
        guard count <= pageBytes else { throw .notMapped }
        try target(address, count: Int(count)).initializeMemory(as: UInt8.self, repeating: 0, count: Int(count))
    }
}
