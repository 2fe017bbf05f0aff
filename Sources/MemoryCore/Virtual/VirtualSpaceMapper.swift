/// Why a physical range could not be given a virtual home.
public enum VirtualSpaceError: Error, Equatable, Sendable {
    /// A size of zero.
    case emptyRange
    /// The physical range (rounded out to whole pages) runs past 2^64.
    case rangeWraps
    /// No free run of virtual pages in the window is long enough.
    case outOfVirtualSpace
    /// The page tables refused the page at `at`; everything mapped so far was undone.
    case mappingFailed(PageMappingError, at: VirtualAddress)
}

/// Gives a physical object (an ACPI table, a device's registers) a temporary
/// virtual address in a window set aside for it (x86-64: "kernel extra").
/// Any start and size work: the pages around the object are mapped and the
/// returned region points at the object's first byte.
///
/// Regions point back at the mapper, so it must live at a fixed address (a
/// static or a heap block) for as long as any region does; `map` is therefore
/// called through a pointer to it.
public struct VirtualSpaceMapper<Pages: KernelPageMapper & ~Copyable>: ~Copyable {
    /// The window's free and used virtual pages.
    public internal(set) var ranges: VirtualRangeAllocator
    /// The page tables the mappings go into.
    public var pages: Pages
    /// Regions currently mapped.
    public internal(set) var liveRegions = 0
    /// Virtual bytes a dropped region could not return because the allocator's
    /// free list was full. Expected to stay 0; the kernel can report it.
    public internal(set) var lostBytes: UInt64 = 0

    public init(window: VirtualRange, pages: consuming Pages) throws(VirtualRangeError) {
        ranges = try VirtualRangeAllocator(window: window)
        self.pages = pages
    }

    /// Unmaps the pages of `range` (mapped onto `frames` with pages up to
    /// `largestPage`) and returns it to the window.
    mutating func release(_ range: VirtualRange, frames: PhysicalAddress, largestPage: PageSize, guardBytes: UInt64) {
        unmapPages(range, frames: frames, largestPage: largestPage, mappedBytes: range.size)
        returnRange(VirtualRange(start: VirtualAddress(range.start.raw - guardBytes), end: range.end)!)
        liveRegions -= 1
    }

    /// Gives `range` back to the window, counting it as lost if the list is full.
    mutating func returnRange(_ range: VirtualRange) {
        do throws(VirtualRangeError) {
            try ranges.free(range)
        } catch {
            lostBytes += range.size
        }
    }

    /// Unmaps the first `mappedBytes` of `range`, page by page as `map`
    /// entered them: the page sizes follow from the addresses alone, so
    /// walking the same way finds the same pages.
    mutating func unmapPages(_ range: VirtualRange, frames: PhysicalAddress, largestPage: PageSize, mappedBytes: UInt64) {
        var offset: UInt64 = 0
        while offset < mappedBytes {
            let page = VirtualAddress(range.start.raw + offset)
            let size = PageSize.largest(
                at: page, to: PhysicalAddress(frames.raw + offset), remaining: range.size - offset,
                upTo: largestPage)
            pages.unmap(page, size: size)
            offset += size.bytes
        }
    }
}

extension UnsafeMutablePointer where Pointee: ~Copyable {
    /// Maps `size` bytes of physical memory at `physical` into the mapper's
    /// window. Undoes every step on failure, so a refused call leaves the
    /// window and the page tables as they were.
    ///
    /// With `largestPage` above 4 KiB (RAM, not device registers), the
    /// virtual range lines up with the frames modulo that size, so every part
    /// where both are aligned gets large pages and only an unaligned head and
    /// tail get 4 KiB pages.
    public func map<Pages: KernelPageMapper & ~Copyable>(
        physical: PhysicalAddress, size: UInt64, permissions: PagePermissions, largestPage: PageSize = .size4K
    ) throws(VirtualSpaceError) -> MappedRegion<Pages> where Pointee == VirtualSpaceMapper<Pages> {
        guard size > 0 else { throw .emptyRange }
        guard let end = physical.adding(size), let lastPageEnd = end.alignedUp() else { throw .rangeWraps }
        let firstFrame = physical.alignedDown()
        let bytes = lastPageEnd.raw - firstFrame.raw
        let range: VirtualRange
        do throws(VirtualRangeError) {
            range = try pointee.ranges.allocate(
                pages: bytes / pageBytes, alignment: largestPage, offset: firstFrame.offset(in: largestPage))
        } catch {
            throw .outOfVirtualSpace
        }
        var offset: UInt64 = 0
        while offset < bytes {
            let page = VirtualAddress(range.start.raw + offset)
            let frame = PhysicalAddress(firstFrame.raw + offset)
            let pageSize = PageSize.largest(
                at: page, to: frame, remaining: bytes - offset, upTo: largestPage)
            do throws(PageMappingError) {
                try pointee.pages.map(page, to: frame, size: pageSize, permissions: permissions)
            } catch {
                // Roll back; the range was just carved from the list, so it fits back in.
                pointee.unmapPages(range, frames: firstFrame, largestPage: largestPage, mappedBytes: offset)
                pointee.returnRange(range)
                throw .mappingFailed(error, at: page)
            }
            offset += pageSize.bytes
        }
        pointee.liveRegions += 1
        return MappedRegion(
            address: VirtualAddress(range.start.raw + physical.offset()), size: size,
            physical: physical, pages: range, largestPage: largestPage, space: self)
    }

    /// Maps whole 4 KiB frames at `physical` (a stack, say) above one page
    /// of the window that stays unmapped: a run off the low end faults
    /// instead of reaching whatever lies below. Undoes every step on failure.
    public func mapAboveGuardPage<Pages: KernelPageMapper & ~Copyable>(
        physical: PhysicalAddress, size: UInt64, permissions: PagePermissions
    ) throws(VirtualSpaceError) -> MappedRegion<Pages> where Pointee == VirtualSpaceMapper<Pages> {
        guard size > 0 else { throw .emptyRange }
        guard physical.offset() == 0, size % pageBytes == 0, physical.adding(size) != nil else { throw .rangeWraps }
        let withGuard: VirtualRange
        do throws(VirtualRangeError) {
            withGuard = try pointee.ranges.allocate(pages: size / pageBytes + 1)
        } catch {
            throw .outOfVirtualSpace
        }
        let mapped = VirtualRange(start: VirtualAddress(withGuard.start.raw + pageBytes), end: withGuard.end)!
        var offset: UInt64 = 0
        while offset < size {
            let page = VirtualAddress(mapped.start.raw + offset)
            do throws(PageMappingError) {
                try pointee.pages.map(page, to: PhysicalAddress(physical.raw + offset), size: .size4K, permissions: permissions)
            } catch {
                pointee.unmapPages(mapped, frames: physical, largestPage: .size4K, mappedBytes: offset)
                pointee.returnRange(withGuard)
                throw .mappingFailed(error, at: page)
            }
            offset += pageBytes
        }
        pointee.liveRegions += 1
        return MappedRegion(
            address: mapped.start, size: size, physical: physical, pages: mapped, largestPage: .size4K, space: self,
            guardBytes: pageBytes)
    }
}

/// A physical object mapped into the mapper's window. Owns the mapping:
/// dropping it unmaps the pages and gives the virtual range back.
public struct MappedRegion<Pages: KernelPageMapper & ~Copyable>: ~Copyable {
    /// Virtual address of the first requested byte (same offset in its page as `physical`).
    public let address: VirtualAddress
    /// Bytes requested.
    public let size: UInt64
    /// The physical address that was asked for.
    public let physical: PhysicalAddress
    /// The whole pages mapped, which contain `address ..< address + size`.
    public let pages: VirtualRange
    /// The largest page size the mapping was allowed to use.
    public let largestPage: PageSize
    /// Bytes of the window below `pages` that belong to the region but stay
    /// unmapped (a guard page; `mapAboveGuardPage`).
    public let guardBytes: UInt64
    /// Set by `keepForever`: the end of the region's life unmaps nothing.
    private var kept = false
    private let space: UnsafeMutablePointer<VirtualSpaceMapper<Pages>>

    init(
        address: VirtualAddress, size: UInt64, physical: PhysicalAddress, pages: VirtualRange,
        largestPage: PageSize, space: UnsafeMutablePointer<VirtualSpaceMapper<Pages>>, guardBytes: UInt64 = 0
    ) {
        self.address = address
        self.size = size
        self.physical = physical
        self.pages = pages
        self.largestPage = largestPage
        self.space = space
        self.guardBytes = guardBytes
    }

    /// Keeps the mapping for the kernel's lifetime (a CPU's stacks): the
    /// region is given up without unmapping anything, and its pages stay
    /// counted in `liveRegions`. Returns the mapped pages.
    public consuming func keepForever() -> VirtualRange {
        kept = true
        return pages
    }

    /// The mapped bytes as a pointer (nil only if the window starts at address 0).
    public var pointer: UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: UInt(address.raw)) }

    /// How many pages of `size` the mapping uses (the same walk as `map`).
    public func pageCount(_ size: PageSize) -> UInt64 {
        let frames = physical.alignedDown()
        var count: UInt64 = 0
        var offset: UInt64 = 0
        while offset < pages.size {
            let used = PageSize.largest(
                at: VirtualAddress(pages.start.raw + offset), to: PhysicalAddress(frames.raw + offset),
                remaining: pages.size - offset, upTo: largestPage)
            if used == size { count += 1 }
            offset += used.bytes
        }
        return count
    }

    deinit {
        if kept { return }
        space.pointee.release(pages, frames: physical.alignedDown(), largestPage: largestPage, guardBytes: guardBytes)
    }
}
