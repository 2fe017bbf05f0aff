import MemoryCore
import Testing

/// Stands in for the kernel page tables under the virtual-space mapper: records
/// each mapping (4 KiB or large) by its first page, refuses to map over a page
/// already mapped, checks that unmaps name the page and size that were mapped,
/// and can be told to fail. Non-copyable like the real page tables, to
/// exercise that path of the mapper.
struct FakePageMapper: KernelPageMapper, ~Copyable {
    struct Entry: Equatable {
        let frame: PhysicalAddress
        let size: PageSize
        let permissions: PagePermissions
    }

    var entries: [VirtualAddress: Entry] = [:]
    /// Successful maps left before the next one fails with `failure`; nil = never fail.
    var mapsBeforeFailure: Int?
    var failure = PageMappingError.outOfFrames

    /// How many pages of `size` are mapped.
    func count(_ size: PageSize) -> Int { entries.values.filter { $0.size == size }.count }

    /// The frame `address` reaches, if any page maps it.
    func translate(_ address: VirtualAddress) -> PhysicalAddress? {
        for (page, entry) in entries where page.raw <= address.raw && address.raw - page.raw < entry.size.bytes {
            return PhysicalAddress(entry.frame.raw + (address.raw - page.raw))
        }
        return nil
    }

    mutating func map(
        _ page: VirtualAddress, to frame: PhysicalAddress, size: PageSize, permissions: PagePermissions
    ) throws(PageMappingError) {
        #expect(page.isAligned(to: size) && frame.isAligned(to: size))
        if let left = mapsBeforeFailure {
            if left == 0 { throw failure }
            mapsBeforeFailure = left - 1
        }
        let overlaps = entries.contains { other, entry in
            other.raw < page.raw + size.bytes && page.raw < other.raw + entry.size.bytes
        }
        guard !overlaps else { throw .alreadyMapped }
        entries[page] = Entry(frame: frame, size: size, permissions: permissions)
    }

    mutating func unmap(_ page: VirtualAddress, size: PageSize) {
        let removed = entries.removeValue(forKey: page)
        #expect(removed != nil, "unmap of a page that is not mapped")
        #expect(removed == nil || removed?.size == size, "unmap with another size than was mapped")
    }
}

typealias FakeSpace = UnsafeMutablePointer<VirtualSpaceMapper<FakePageMapper>>

/// Runs `body` with a mapper over `window` at a fixed address; every region
/// made inside `body` is gone (and unmapped) before the mapper is torn down.
func withVirtualSpace<R>(
    window: VirtualRange, pages: consuming FakePageMapper = FakePageMapper(),
    _ body: (FakeSpace) throws -> R
) throws -> R {
    let space = FakeSpace.allocate(capacity: 1)
    space.initialize(to: try VirtualSpaceMapper(window: window, pages: pages))
    defer {
        space.deinitialize(count: 1)
        space.deallocate()
    }
    return try body(space)
}

typealias RealTable = UnsafeMutablePointer<TestTable<X86_64FourLevel>>
typealias RealSpace = UnsafeMutablePointer<VirtualSpaceMapper<PageTableKernelMapper<X86_64FourLevel, DirectMappedMemory>>>

/// Runs `body` with a real x86-64 page table in `ram` and a mapper entering
/// its pages there through `PageTableKernelMapper`; frees both afterwards.
func withRealTableSpace<R>(
    _ ram: SimulatedRAM, window: VirtualRange, _ body: (RealTable, RealSpace) throws -> R
) throws -> R {
    let table = RealTable.allocate(capacity: 1)
    table.initialize(to: try TestTable<X86_64FourLevel>(memory: ram.memory, frames: ram.frames))
    let space = RealSpace.allocate(capacity: 1)
    space.initialize(to: try VirtualSpaceMapper(window: window, pages: PageTableKernelMapper(table: table)))
    defer {
        space.deinitialize(count: 1)
        space.deallocate()
        table.deinitialize(count: 1)
        table.deallocate()
    }
    return try body(table, space)
}
