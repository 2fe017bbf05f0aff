/// Layout tables in the text format of LayoutText: what the boot log prints.
extension LayoutLine {
    /// A table row as a line: its physical start and slots included.
    public init(_ region: LayoutRegion) {
        let kind: LayoutLineKind
        var physical: UInt64? = nil
        switch region.backing {
        case .direct(let address):
            kind = .direct
            physical = address.raw
        case .frames: kind = .frames
        case .window: kind = .window
        case .guardPage: kind = .guardPage
        case .unused: kind = .unused
        }
        self.init(
            first: region.range.start.raw, last: region.range.end.raw &- 1, kind: kind,
            permissions: UInt32(region.permissions.rawValue & 0xF), owner: LayoutLineOwner(region.owner),
            physical: physical, slotCount: region.slots?.count ?? 0, slotGuardBytes: region.slots?.guardBytes ?? 0)
    }
}

extension LayoutLineOwner {
    public init(_ owner: RegionOwner) {
        switch owner {
        case .kernel: self = .kernel
        case .process: self = .process
        case .user: self = .user
        }
    }
}

extension LayoutText {
    /// The whole table as one block, named with the table's name.
    public static func write<Sink: LayoutTextSink>(_ table: LayoutTable, into sink: inout Sink) {
        var widest: UInt64 = 0
        for index in 0..<table.count {
            let last = table[index].range.end.raw &- 1
            if last > widest { widest = last }
        }
        let width = addressWidth(widest)
        header(table.name, addressWidth: width, into: &sink)
        for index in 0..<table.count {
            let region = table[index]
            row(LayoutLine(region), name: region.name, addressWidth: width, into: &sink)
        }
        footer(into: &sink)
    }
}
