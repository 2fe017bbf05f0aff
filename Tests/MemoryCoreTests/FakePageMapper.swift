import MemoryCore
import Testing

/// Stands in for the kernel page tables under the virtual-space mapper: records
/// each 4 KiB mapping, refuses to map a page twice, and can be told to fail.
/// Non-copyable like the real page tables, to exercise that path of the mapper.
struct FakePageMapper: KernelPageMapper, ~Copyable {
    struct Entry: Equatable {
        let frame: PhysicalAddress
        let permissions: PagePermissions
    }

    var entries: [VirtualAddress: Entry] = [:]
    /// Successful maps left before the next one fails with `failure`; nil = never fail.
    var mapsBeforeFailure: Int?
    var failure = PageMappingError.outOfFrames

    mutating func map(_ page: VirtualAddress, to frame: PhysicalAddress, permissions: PagePermissions) throws(PageMappingError) {
        #expect(page.isAligned(to: .size4K) && frame.isAligned(to: .size4K))
        if let left = mapsBeforeFailure {
            if left == 0 { throw failure }
            mapsBeforeFailure = left - 1
        }
        guard entries[page] == nil else { throw .alreadyMapped }
        entries[page] = Entry(frame: frame, permissions: permissions)
    }

    mutating func unmap(_ page: VirtualAddress) {
        #expect(entries.removeValue(forKey: page) != nil, "unmap of a page that is not mapped")
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
