/// Why a single page could not be mapped.
public enum PageMappingError: Error, Equatable, Sendable {
    /// The virtual page already has a mapping.
    case alreadyMapped
    /// No frame was left for a page-table page on the way down.
    case outOfFrames
    /// The address cannot be mapped by this mapper (not canonical, not its half).
    case invalidAddress
}

/// The one thing the virtual-space mapper needs from the page tables: enter and
/// remove single kernel pages, 4 KiB or large. Keeping it this small lets the
/// mapper be tested with a stand-in and leaves TLB flushing to the conformer.
public protocol KernelPageMapper: ~Copyable {
    /// Maps the page of `size` at `page` to the frames at `frame` (both aligned to `size`).
    mutating func map(
        _ page: VirtualAddress, to frame: PhysicalAddress, size: PageSize, permissions: PagePermissions
    ) throws(PageMappingError)
    /// Removes the mapping of the page of `size` at `page`, which this mapper entered.
    mutating func unmap(_ page: VirtualAddress, size: PageSize)
    /// Called before and after each `map` and each release of a region,
    /// around every change to the window's ranges and the page tables: a
    /// kernel with several CPUs holds the mapper's lock in between. No-ops
    /// by default.
    mutating func mapperWillChange()
    mutating func mapperDidChange()
    /// The pages of `range` were unmapped (each flushed on this CPU by
    /// `unmap`) and the range is about to be handed out again: a kernel
    /// with several CPUs shoots their translations down on the others
    /// first. A no-op by default.
    mutating func didUnmap(_ range: VirtualRange)
}

extension KernelPageMapper where Self: ~Copyable {
    public mutating func mapperWillChange() {}
    public mutating func mapperDidChange() {}
    public mutating func didUnmap(_ range: VirtualRange) {}

    /// Maps one 4 KiB page.
    public mutating func map(_ page: VirtualAddress, to frame: PhysicalAddress, permissions: PagePermissions) throws(PageMappingError) {
        try map(page, to: frame, size: .size4K, permissions: permissions)
    }

    /// Removes one 4 KiB page.
    public mutating func unmap(_ page: VirtualAddress) {
        unmap(page, size: .size4K)
    }
}
