/// Which owners' regions a layout operation covers: the kernel's regions
/// when the kernel page table is built, a process's own when its address
/// space is checked.
public struct RegionOwnerSet: Sendable {
    public var kernel: Bool
    public var process: Bool
    public var user: Bool

    public init(kernel: Bool = false, process: Bool = false, user: Bool = false) {
        self.kernel = kernel
        self.process = process
        self.user = user
    }

    public func contains(_ owner: RegionOwner) -> Bool {
        switch owner {
        case .kernel: return kernel
        case .process: return process
        case .user: return user
        }
    }
}

/// A region whose live mappings differ from the table, and where.
public struct LayoutMismatch: Sendable, Equatable {
    public enum Problem: Sendable, Equatable {
        case notMapped
        case wrongPhysicalAddress
        case wrongPermissions
        /// A guard page, or a region that must stay empty, is mapped.
        case mappedButMustNotBe
        /// A mapping lies outside every region that allows one.
        case strayMapping
    }
    /// Index of the region in the layout table; -1 for a stray mapping.
    public let region: Int
    public let problem: Problem
    public let address: VirtualAddress

    public init(region: Int, problem: Problem, address: VirtualAddress) {
        self.region = region
        self.problem = problem
        self.address = address
    }

    public var description: StaticString {
        switch problem {
        case .notMapped: return "not mapped"
        case .wrongPhysicalAddress: return "mapped to the wrong physical address"
        case .wrongPermissions: return "wrong permissions"
        case .mappedButMustNotBe: return "mapped, but must never be"
        case .strayMapping: return "mapped outside every region"
        }
    }
}

/// What an audit found: how many regions match, and the first mismatches.
public struct LayoutAuditReport: Sendable {
    public static let capacity = 8
    public private(set) var matched = 0
    public private(set) var mismatchCount = 0
    private var stored: InlineArray<8, LayoutMismatch?> = .init(repeating: nil)

    public var isClean: Bool { mismatchCount == 0 }

    /// Mismatch `index` (below `min(mismatchCount, capacity)`).
    public func mismatch(_ index: Int) -> LayoutMismatch? { stored[index] }

    mutating func record(_ mismatch: LayoutMismatch) {
        if mismatchCount < Self.capacity { stored[mismatchCount] = mismatch }
        mismatchCount += 1
    }

    mutating func recordMatch() { matched += 1 }
}

extension PageTable {
    /// Maps the regions of `layout` that `owners` covers: a `.direct` region
    /// onto its physical range (large pages where alignment allows, up to
    /// `largestPage`), a `.frames` region onto fresh zeroed frames; either
    /// slot by slot when it has slots, leaving every guard unmapped. Windows, guards and unused
    /// regions are left alone.
    public mutating func mapLayout(_ layout: LayoutTable, owners: RegionOwnerSet, largestPage: PageSize) throws(MapError) {
        for index in 0..<layout.count {
            let region = layout[index]
            guard owners.contains(region.owner) else { continue }
            switch region.backing {
            case .direct(let physical):
                for slot in 0..<(region.slots?.count ?? 1) {
                    let part = region.slots == nil ? region.range : region.slot(slot)
                    let offset = part.start.raw - region.range.start.raw
                    try mapRange(part, to: PhysicalAddress(physical.raw + offset), permissions: region.permissions, largestPage: largestPage)
                }
            case .frames:
                for slot in 0..<(region.slots?.count ?? 1) {
                    try mapFreshFrames(region.slots == nil ? region.range : region.slot(slot), permissions: region.permissions)
                }
            case .window, .guardPage, .unused:
                break
            }
        }
    }

    private mutating func mapFreshFrames(_ range: VirtualRange, permissions: PagePermissions) throws(MapError) {
        var page = range.start
        while page < range.end {
            let frame: FrameNumber
            do throws(FrameError) {
                frame = try frames.pointee.allocate()
            } catch {
                throw .outOfMemory
            }
            memory.zeroFrame(frame)
            do throws(MapError) {
                try map(page, to: frame.address, size: .size4K, permissions: permissions)
            } catch {
                try? frames.pointee.free(frame)
                throw error
            }
            page = VirtualAddress(page.raw + pageBytes)
        }
    }

    /// Walks the live table against `layout`: every page a covered region
    /// says is mapped must be mapped with its permissions (onto its
    /// physical range, for direct regions), every guard page must be absent,
    /// and no mapping may exist where the table allows none.
    public func audit(against layout: LayoutTable, owners: RegionOwnerSet) -> LayoutAuditReport {
        var report = LayoutAuditReport()
        for index in 0..<layout.count {
            let region = layout[index]
            guard owners.contains(region.owner) else { continue }
            if let mismatch = check(region, index: index) {
                report.record(mismatch)
            } else {
                report.recordMatch()
            }
        }
        // Every live mapping must fall where the table allows one. The walk
        // recurses once per level, and whatever its closure reads travels
        // into each level's frame: so it reads a compact list of the
        // mappable spans through a pointer, never the table itself.
        var spans: InlineArray<24, MappableSpan> = .init(repeating: MappableSpan())
        var spanCount = 0
        for index in 0..<layout.count where layout[index].isMapped {
            spans[spanCount] = MappableSpan(layout[index])
            spanCount += 1
        }
        withUnsafeBytes(of: &spans) { raw in
            let allowed = raw.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: MappableSpan.self)
            forEachMapping { address, _ in
                for index in 0..<spanCount where allowed[index].allows(address) { return true }
                report.record(LayoutMismatch(region: -1, problem: .strayMapping, address: address))
                return report.mismatchCount < LayoutAuditReport.capacity
            }
        }
        return report
    }

    func check(_ region: LayoutRegion, index: Int) -> LayoutMismatch? {
        func problem(_ kind: LayoutMismatch.Problem, _ page: VirtualAddress) -> LayoutMismatch {
            LayoutMismatch(region: index, problem: kind, address: page)
        }
        var page = region.range.start
        while page < region.range.end {
            let translation = translate(page)
            let mustBeMapped: Bool
            switch region.backing {
            case .guardPage, .unused: mustBeMapped = false
            case .window: mustBeMapped = false
            case .direct, .frames: mustBeMapped = !region.isGuard(page)
            }
            if let translation {
                if !region.isMapped || region.isGuard(page) { return problem(.mappedButMustNotBe, page) }
                if case .direct(let physical) = region.backing,
                    translation.physicalAddress.raw != physical.raw + (page.raw - region.range.start.raw)
                {
                    return problem(.wrongPhysicalAddress, page)
                }
                if region.backing != .window && !Self.samePermissions(translation.permissions, region.permissions) {
                    return problem(.wrongPermissions, page)
                }
            } else if mustBeMapped {
                return problem(.notMapped, page)
            }
            // Windows and unused regions can be huge: check only their ends.
            if (region.backing == .window || region.backing == .unused) && page == region.range.start
                && region.range.size > 2 * pageBytes
            {
                page = VirtualAddress(region.range.end.raw - pageBytes)
            } else {
                page = VirtualAddress(page.raw + pageBytes)
            }
        }
        return nil
    }

    /// Read, write, execute and user must agree; the global bit is not part of the layout.
    static func samePermissions(_ live: PagePermissions, _ wanted: PagePermissions) -> Bool {
        let relevant = PagePermissions.read | .write | .execute | .user
        return live.intersection(relevant) == wanted.intersection(relevant)
    }
}

/// Where a mapped region allows mappings: its range minus the guard at the
/// bottom of each slot.
struct MappableSpan {
    var start: UInt64 = 0
    var end: UInt64 = 0
    var slotBytes: UInt64 = 1
    var guardBytes: UInt64 = 0

    init() {}

    init(_ region: LayoutRegion) {
        start = region.range.start.raw
        end = region.range.end.raw
        slotBytes = region.slotBytes
        guardBytes = region.slots?.guardBytes ?? 0
    }

    func allows(_ address: VirtualAddress) -> Bool {
        address.raw >= start && address.raw < end && (address.raw - start) % slotBytes >= guardBytes
    }
}
