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
        var regions: [MapRegion] = []
        for index in 0..<table.count {
            let region = table[index]
            let other = alternative.region(named: region.name)
            let moves = other.map { $0.range != region.range || $0.backing != region.backing } ?? true
            regions.append(MapRegion(region, dependsOnImage: moves))
        }
        self.init(title: title, subtitle: subtitle, regions: regions, rule: rule, first: first, last: last)
    }

    /// Builds the map of `regions` (sorted, disjoint) over `[first, last]`;
    /// the expressible holes between them get `holeName` and `holeBacking`.
    public init(
        title: String, subtitle: String, regions: [MapRegion], rule: AddressRule, first: UInt64 = 0, last: UInt64,
        holeName: String = "not in the table: nothing mapped", holeBacking: String = "no page-table entry ever points here"
    ) {
        self.title = title
        self.subtitle = subtitle
        self.first = first
        self.last = last
        var bands: [MapRegion] = []
        var next = first  // lowest address not yet covered
        var covered = false  // true once `last` itself is covered
        for region in regions {
            if region.first > next { bands += Self.holes(from: next, to: region.first - 1, rule: rule, name: holeName, backing: holeBacking) }
            bands.append(region)
            if region.last == last { covered = true } else { next = region.last + 1 }
        }
        if !covered && next <= last { bands += Self.holes(from: next, to: last, rule: rule, name: holeName, backing: holeBacking) }
        self.bands = bands
    }

    /// A stretch the table leaves out, split where expressibility changes
    /// (the non-canonical hole of x86-64 is its own band).
    static func holes(from first: UInt64, to last: UInt64, rule: AddressRule, name: String, backing: String) -> [MapRegion] {
        var cuts: [UInt64] = []  // first addresses of the pieces after the first
        if case .canonical48 = rule {
            cuts = [X86_64Layout.userLowEnd, X86_64Layout.userHighStart].filter { $0 > first && $0 <= last }
        }
        var pieces: [MapRegion] = []
        var start = first
        for cut in cuts + [last &+ 1] {
            pieces.append(hole(from: start, to: cut &- 1, rule: rule, name: name, backing: backing))
            start = cut
        }
        return pieces
    }

    static func hole(from first: UInt64, to last: UInt64, rule: AddressRule, name: String, backing: String) -> MapRegion {
        let expressible = rule.allows(first) && rule.allows(last)
        return MapRegion(
            name: expressible ? name : holeName(rule),
            first: first, last: last, kind: .hole(expressible: expressible), owner: nil, permissions: "",
            backing: expressible ? backing : "the paging scheme cannot express these addresses")
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
