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
/// remove single 4 KiB kernel mappings. Keeping it this small lets the mapper be
/// tested with a stand-in and leaves TLB flushing to the conformer.
public protocol KernelPageMapper: ~Copyable {
    /// Maps the 4 KiB page at `page` (page aligned) to the frame at `frame`.
    mutating func map(_ page: VirtualAddress, to frame: PhysicalAddress, permissions: PagePermissions) throws(PageMappingError)
    /// Removes the mapping of the page at `page`, which this mapper entered.
    mutating func unmap(_ page: VirtualAddress)
}
