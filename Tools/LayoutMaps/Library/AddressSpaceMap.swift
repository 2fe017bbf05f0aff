import MemoryCore

/// One address space as the maps draw it: every byte from `first` to
/// `last` belongs to exactly one band, a table region or a hole.
public struct AddressSpaceMap: Sendable {
    public let title: String
    /// What the picture is about, in one sentence.
    public let subtitle: String
    public let first: UInt64
    public let last: UInt64
    /// Table regions and the holes between them, lowest address first.
    public private(set) var bands: [MapRegion]
    /// Set when regions show a representative program inside them.
    public private(set) var programNote: String? = nil

    /// The table's regions (no holes).
    public var regions: [MapRegion] {
        bands.filter {
            if case .hole = $0.kind { return false }
            return true
        }
    }

    /// Builds the map of `table` over `[first, last]`. `alternative` is the
    /// same table built for a kernel image placed elsewhere: a region whose
    /// bounds differ between the two depends on the image, and is marked.
    public init(
        title: String, subtitle: String, table: LayoutTable, alternative: LayoutTable, rule: AddressRule,
        first: UInt64 = 0, last: UInt64
    ) {
        self.title = title
        self.subtitle = subtitle
        self.first = first
        self.last = last
        var bands: [MapRegion] = []
        var next = first  // lowest address not yet covered
        var covered = false  // true once `last` itself is covered
        for index in 0..<table.count {
            let region = table[index]
            let other = alternative.region(named: region.name)
            let moves = other.map { $0.range != region.range || $0.backing != region.backing } ?? true
            let start = region.range.start.raw
            if start > next { bands.append(Self.hole(from: next, to: start - 1, rule: rule)) }
            bands.append(MapRegion(region, dependsOnImage: moves))
            let regionLast = region.range.end.raw &- 1
            if regionLast == last { covered = true } else { next = regionLast + 1 }
        }
        if !covered && next <= last { bands.append(Self.hole(from: next, to: last, rule: rule)) }
        self.bands = bands
    }

    /// A stretch the table leaves out, split where expressibility changes
    /// (the non-canonical hole of x86-64 is its own band).
    static func hole(from first: UInt64, to last: UInt64, rule: AddressRule) -> MapRegion {
        let expressible = rule.allows(first) && rule.allows(last)
        return MapRegion(
            name: expressible ? "not in the table: nothing mapped" : holeName(rule),
            first: first, last: last, kind: .hole(expressible: expressible), owner: nil, permissions: "",
            backing: expressible ? "no page-table entry ever points here" : "the paging scheme cannot express these addresses")
    }

    static func holeName(_ rule: AddressRule) -> String {
        switch rule {
        case .canonical48: return "non-canonical: not an address"
        case .below: return "above MAXVA: outside Sv39 as Swiftlet uses it"
        }
    }

    /// Fills user regions with where exec puts a representative program.
    public func showing(_ program: UserImageLayout?) -> AddressSpaceMap {
        guard let program else { return self }
        var copy = self
        for index in copy.bands.indices where copy.bands[index].owner == .user {
            copy.bands[index].inner = RepresentativeProgram.inner(program, within: copy.bands[index])
        }
        if copy.bands.contains(where: { !$0.inner.isEmpty }) {
            copy.programNote = "Inside the user regions: where exec puts \(RepresentativeProgram.description)."
        }
        return copy
    }

    public var hasImageDependentRegions: Bool { bands.contains { $0.dependsOnImage } }
}
