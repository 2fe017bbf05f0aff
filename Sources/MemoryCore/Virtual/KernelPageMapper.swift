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
}

extension KernelPageMapper where Self: ~Copyable {
    /// Maps one 4 KiB page.
    public mutating func map(_ page: VirtualAddress, to frame: PhysicalAddress, permissions: PagePermissions) throws(PageMappingError) {
        try map(page, to: frame, size: .size4K, permissions: permissions)
    }

    /// Removes one 4 KiB page.
    public mutating func unmap(_ page: VirtualAddress) {
        unmap(page, size: .size4K)
    }
}
