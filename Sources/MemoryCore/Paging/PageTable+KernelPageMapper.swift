/// Lets the virtual-space mapper enter its pages into a live page table (the
/// kernel's) that it does not own: the table stays where the kernel keeps it,
/// and this adapter reaches it through a pointer. `unmap` flushes only this
/// CPU's TLB (`TranslationCache`); other CPUs' are the kernel's business.
public struct PageTableKernelMapper<Scheme: PagingScheme, Memory: PhysicalMemory>: KernelPageMapper {
    public let table: UnsafeMutablePointer<PageTable<Scheme, Memory>>

    public init(table: UnsafeMutablePointer<PageTable<Scheme, Memory>>) {
        self.table = table
    }

    public mutating func map(
        _ page: VirtualAddress, to frame: PhysicalAddress, size: PageSize,
        permissions: PagePermissions
    ) throws(PageMappingError) {
        do throws(MapError) {
            try table.pointee.map(page, to: frame, size: size, permissions: permissions)
        } catch {
            switch error {
            case .alreadyMapped, .largePageConflict: throw .alreadyMapped
            case .outOfMemory: throw .outOfFrames
            default: throw .invalidAddress
            }
        }
    }

    /// The table knows the size of the leaf it removes.
    public mutating func unmap(_ page: VirtualAddress, size: PageSize) {
        _ = try? table.pointee.unmap(page)
    }
}
