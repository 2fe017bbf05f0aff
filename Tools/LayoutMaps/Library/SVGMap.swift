import Foundation

/// Draws an `AddressSpaceMap` as SVG: highest address at the top, one band
/// per region or hole. Regions differ in size by up to 2^52 (a 4 KiB guard
/// page against 16 EiB of non-canonical addresses), so the scale is
/// segmented: each band's height grows with the logarithm of its size, and a
/// break mark on the axis between bands says the scale starts afresh.
public struct SVGMap {
    public let map: AddressSpaceMap

    public init(_ map: AddressSpaceMap) { self.map = map }

    // Geometry, in SVG user units (pixels).
    static let width = 980.0
    static let addressRight = 196.0
    static let bandX = 208.0
    static let bandWidth = 300.0
    static let detailX = 524.0
    static let smallest = 38.0  // a 4 KiB band: three lines of detail fit
    static let perDoubling = 4.0
    static let slotHeaderHeight = 40.0
    static let stackRowHeight = 20.0
    static let guardRowHeight = 16.0
    static let ellipsisRowHeight = 22.0
    static let slotsShownWhole = 8

    /// Height of a band: grows by `perDoubling` each time the size doubles.
    static func height(of region: MapRegion) -> Double {
        let pages = max(region.sizeValue / 4096, 1)
        let plain = max(smallest + perDoubling * log2(pages), 8 + 12.5 * Double(details(region).count))
        // Addresses no page table can hold get a fixed, modest height.
        if region.kind == .hole(expressible: false) { return 110 }
        if !region.inner.isEmpty {
            let innerTotal = region.inner.reduce(0.0) { $0 + Self.innerHeight(of: $1) }
            return max(plain, slotHeaderHeight + innerTotal + 6)
        }
        guard region.slotCount > 0 else { return plain }
        let rows = slotRows(region)
        let rowsHeight = rows.reduce(0.0) { $0 + $1.height }
        return max(plain, slotHeaderHeight + rowsHeight + 6)
    }

    /// The lines of text right of a band.
    static func details(_ region: MapRegion) -> [String] {
        var details: [String] = []
        if case .hole = region.kind {
            details.append(sizeText(region.sizeValue))
        } else {
            details.append([sizeText(region.sizeValue), region.permissions, ownerWord(region)].joined(separator: "  ·  "))
        }
        details.append(region.backing)
        if region.dependsOnImage { details.append("* bounds from a representative kernel image") }
        return details
    }

    /// Height of a region drawn inside another: the same idea, finer.
    static func innerHeight(of region: MapRegion) -> Double {
        22 + 2.5 * log2(max(region.sizeValue / 4096, 1))
    }

    /// A row inside a slotted band: a slot's stack, its guard, or an ellipsis.
    struct SlotRow {
        enum Kind { case stack, guardPage, ellipsis }
        let kind: Kind
        let label: String
        let first: UInt64
        var height: Double {
            switch kind {
            case .stack: return SVGMap.stackRowHeight
            case .guardPage: return SVGMap.guardRowHeight
            case .ellipsis: return SVGMap.ellipsisRowHeight
            }
        }
    }

    /// Rows from the top (highest slot) down; long runs of slots keep the two
    /// highest and the lowest, with an ellipsis for the rest.
    static func slotRows(_ region: MapRegion) -> [SlotRow] {
        let slots = Array(region.slots.reversed())
        func rows(_ slot: MapSlot) -> [SlotRow] {
            [
                SlotRow(kind: .stack, label: "slot \(slot.index): \(sizeText(slot.stackLast - slot.stackFirst + 1)) stack", first: slot.stackFirst),
                SlotRow(kind: .guardPage, label: "guard page \(sizeText(slot.stackFirst - slot.guardFirst)) (never mapped)", first: slot.guardFirst),
            ]
        }
        if slots.count <= slotsShownWhole { return slots.flatMap(rows) }
        let hidden = slots.count - 3
        return rows(slots[0]) + rows(slots[1])
            + [SlotRow(kind: .ellipsis, label: "... \(hidden) more slots, the same guard and stack each ...", first: 0)]
            + rows(slots[slots.count - 1])
    }

    static func ownerColour(_ region: MapRegion) -> String {
        switch region.owner {
        case .kernel: return "#3b6ea5"
        case .process: return "#d9822b"
        case .user: return "#4a9a4a"
        case nil: return "#999999"
        }
    }

    static func ownerWord(_ region: MapRegion) -> String {
        switch region.owner {
        case .kernel: return "kernel"
        case .process: return "process-specific"
        case .user: return "user"
        case nil: return ""
        }
    }

    /// Fill, stroke, dash pattern and text colour of a band.
    static func style(_ region: MapRegion) -> (fill: String, stroke: String, dash: String?, text: String) {
        let colour = ownerColour(region)
        switch region.kind {
        case .mapped: return (colour, "#ffffff", nil, "#ffffff")
        case .window: return ("url(#window-\(ownerKey(region)))", colour, "6 3", "#1a1a1a")
        case .guardPage: return ("url(#guard)", "#c62828", nil, "#7f0000")
        case .unused: return ("#f1f1f1", colour, "2 3", "#444444")
        case .hole(let expressible): return (expressible ? "url(#hole)" : "url(#void)", "#bbbbbb", nil, "#333333")
        }
    }

    static func ownerKey(_ region: MapRegion) -> String {
        switch region.owner {
        case .kernel: return "kernel"
        case .process: return "process"
        case .user: return "user"
        case nil: return "none"
        }
    }

    public func render() -> String {
        let bands = Array(map.bands.reversed())  // highest first
        let heights = bands.map(Self.height)
        var notes = [
            (
                "Segmented scale: each band's height grows with the logarithm of its size (4 KiB is the thinnest); "
                    + "highest address at the top.", "#444444"
            ),
            (
                "Left: last address (top) and first address (bottom) of each band, inclusive. Hatched grey: not in the table.",
                "#444444"
            ),
        ]
        if map.hasImageDependentRegions {
            notes.append(
                (
                    "* Bounds depend on where the linker puts the kernel image: drawn for a representative image "
                        + "(the boot log prints the real ones).", "#8a4b00"
                ))
        }
        if let programNote = map.programNote { notes.append((programNote, "#2e6b2e")) }
        let headerHeight = 80.0 + 16 * Double(notes.count)
        let legendHeight = 112.0
        let total = headerHeight + heights.reduce(0, +) + 24 + legendHeight
        var svg = SVGWriter(width: Self.width, height: total)
        svg.definitions()
        svg.rect(x: 0, y: 0, width: Self.width, height: total, fill: "#ffffff")
        svg.text(map.title, x: 20, y: 30, size: 19, weight: "bold")
        svg.text(map.subtitle, x: 20, y: 50, size: 12.5, fill: "#444444")
        for (index, note) in notes.enumerated() {
            svg.text(note.0, x: 20, y: 70 + 16 * Double(index), size: 11.5, fill: note.1)
        }
        var y = headerHeight
        for (band, height) in zip(bands, heights) {
            drawBand(band, y: y, height: height, into: &svg)
            y += height
        }
        // Break marks between bands: the scale is not continuous across them.
        var edge = headerHeight
        for height in heights.dropLast() {
            edge += height
            svg.breakMark(x: Self.bandX, y: edge)
        }
        drawLegend(y: y + 24, into: &svg)
        return svg.finish()
    }

    private func drawBand(_ region: MapRegion, y: Double, height: Double, into svg: inout SVGWriter) {
        let style = Self.style(region)
        svg.rect(
            x: Self.bandX, y: y, width: Self.bandWidth, height: height, fill: style.fill,
            stroke: style.stroke, strokeWidth: 1.2, dash: style.dash, id: "band-\(hex(region.first))")
        // Addresses: last at the top, first at the bottom.
        svg.text(hex(region.last), x: Self.addressRight, y: y + 13, size: 11, anchor: "end", mono: true)
        svg.text(hex(region.first), x: Self.addressRight, y: y + height - 5, size: 11, anchor: "end", mono: true)
        svg.line(x1: Self.addressRight + 3, y1: y + 0.5, x2: Self.bandX, y2: y + 0.5, stroke: "#999999")

        let marker = region.dependsOnImage ? " *" : ""
        let textY = region.slotCount > 0 || !region.inner.isEmpty ? y + 17 : y + min(height / 2 + 5, 22)
        svg.text(region.name + marker, x: Self.bandX + 10, y: textY, size: 12.5, weight: "bold", fill: style.text)

        for (index, line) in Self.details(region).enumerated() {
            svg.text(
                line, x: Self.detailX, y: y + 13 + Double(index) * 12.5, size: 11,
                fill: index == 0 ? "#111111" : "#444444", mono: index == 0 && region.permissions.isEmpty == false)
        }
        if region.slotCount > 0 { drawSlots(region, top: y + Self.slotHeaderHeight, into: &svg) }
        if !region.inner.isEmpty { drawInner(region, top: y + Self.slotHeaderHeight, into: &svg) }
    }

    /// A representative program's regions inside a user region, highest first.
    private func drawInner(_ region: MapRegion, top: Double, into svg: inout SVGWriter) {
        var y = top
        let x = Self.bandX + 18
        let width = Self.bandWidth - 30
        for inner in region.inner.reversed() {
            let height = Self.innerHeight(of: inner)
            let style = Self.style(inner)
            let fill = inner.kind == .window ? "#ffffff" : inner.kind == .unused ? "#f7f7f7" : style.fill
            svg.rect(
                x: x, y: y, width: width, height: height, fill: fill, stroke: style.stroke, strokeWidth: 1, dash: style.dash,
                id: "inner-\(hex(inner.first))")
            let label =
                inner.kind == .unused
                ? "\(inner.name)  \(sizeText(inner.sizeValue))"
                : "\(inner.name)  \(sizeText(inner.sizeValue))  \(inner.permissions)  \(inner.backing)"
            svg.text(
                label, x: x + 8, y: y + 14, size: 10.5, weight: inner.kind == .guardPage ? "bold" : nil,
                fill: inner.kind == .mapped ? "#ffffff" : style.text)
            let colour = inner.kind == .guardPage ? "#b71c1c" : "#555555"
            if inner.first != region.first {
                svg.text(hex(inner.first), x: Self.addressRight, y: y + height - 2, size: 9.5, fill: colour, anchor: "end", mono: true)
            }
            y += height
        }
    }

    private func drawSlots(_ region: MapRegion, top: Double, into svg: inout SVGWriter) {
        var y = top
        let x = Self.bandX + 18
        let width = Self.bandWidth - 30
        for row in Self.slotRows(region) {
            switch row.kind {
            case .stack:
                svg.rect(x: x, y: y, width: width, height: row.height, fill: Self.ownerColour(region), stroke: "#ffffff", strokeWidth: 1)
                svg.text(row.label, x: x + 8, y: y + 14, size: 10.5, fill: "#ffffff")
                svg.text(hex(row.first), x: Self.addressRight, y: y + row.height - 4, size: 9.5, fill: "#555555", anchor: "end", mono: true)
            case .guardPage:
                svg.rect(x: x, y: y, width: width, height: row.height, fill: "url(#guard)", stroke: "#c62828", strokeWidth: 1)
                svg.text(row.label, x: x + 8, y: y + 12, size: 10, weight: "bold", fill: "#7f0000")
                if row.first != region.first {
                    svg.text(hex(row.first), x: Self.addressRight, y: y + row.height - 3, size: 9.5, fill: "#b71c1c", anchor: "end", mono: true)
                }
            case .ellipsis:
                svg.rect(x: x, y: y, width: width, height: row.height, fill: "#ffffff", stroke: "#bbbbbb", strokeWidth: 1, dash: "3 3")
                svg.text(row.label, x: x + 8, y: y + 15, size: 10.5, fill: "#333333")
            }
            y += row.height
        }
    }

    private func drawLegend(y: Double, into svg: inout SVGWriter) {
        svg.text("Legend", x: 20, y: y, size: 12.5, weight: "bold")
        let items: [(String, String, String, String?)] = [
            ("#3b6ea5", "#ffffff", "kernel (mapped)", nil),
            ("#d9822b", "#ffffff", "process-specific kernel (mapped)", nil),
            ("#4a9a4a", "#ffffff", "user (mapped)", nil),
            ("url(#window-user)", "#4a9a4a", "mapped on demand (window)", "6 3"),
            ("url(#guard)", "#c62828", "guard page: never mapped, a touch faults", nil),
            ("#f1f1f1", "#d9822b", "in the table, unused", "2 3"),
            ("url(#hole)", "#bbbbbb", "not in the table: nothing mapped", nil),
            ("url(#void)", "#bbbbbb", "not expressible by the paging scheme", nil),
        ]
        for (index, item) in items.enumerated() {
            let column = Double(index % 3)
            let row = Double(index / 3)
            let x = 20 + column * 320
            let top = y + 12 + row * 26
            svg.rect(x: x, y: top, width: 34, height: 18, fill: item.0, stroke: item.1, strokeWidth: 1.2, dash: item.3)
            svg.text(item.2, x: x + 42, y: top + 13, size: 11)
        }
    }
}

/// A minimal SVG text builder.
struct SVGWriter {
    private var out: String

    init(width: Double, height: Double) {
        out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Self.number(width))" height="\(Self.number(height))" \
            viewBox="0 0 \(Self.number(width)) \(Self.number(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">

            """
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    mutating func definitions() {
        out += """
            <defs>
              <pattern id="guard" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                <rect width="8" height="8" fill="#fde0dc"/><line x1="0" y1="0" x2="0" y2="8" stroke="#e53935" stroke-width="3"/>
              </pattern>
              <pattern id="hole" width="10" height="10" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                <rect width="10" height="10" fill="#fafafa"/><line x1="0" y1="0" x2="0" y2="10" stroke="#dddddd" stroke-width="2"/>
              </pattern>
              <pattern id="void" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)">
                <rect width="6" height="6" fill="#e6e6e6"/><line x1="0" y1="0" x2="0" y2="6" stroke="#b0b0b0" stroke-width="2"/>
              </pattern>
              <pattern id="window-kernel" width="12" height="12" patternUnits="userSpaceOnUse">
                <rect width="12" height="12" fill="#d4e1f0"/><circle cx="6" cy="6" r="1.3" fill="#3b6ea5"/>
              </pattern>
              <pattern id="window-process" width="12" height="12" patternUnits="userSpaceOnUse">
                <rect width="12" height="12" fill="#f7dfc6"/><circle cx="6" cy="6" r="1.3" fill="#d9822b"/>
              </pattern>
              <pattern id="window-user" width="12" height="12" patternUnits="userSpaceOnUse">
                <rect width="12" height="12" fill="#d6ebd6"/><circle cx="6" cy="6" r="1.3" fill="#4a9a4a"/>
              </pattern>
            </defs>

            """
    }

    mutating func rect(
        x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil,
        strokeWidth: Double = 1, dash: String? = nil, id: String? = nil
    ) {
        var attributes = "x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" fill=\"\(fill)\""
        if let stroke { attributes += " stroke=\"\(stroke)\" stroke-width=\"\(Self.number(strokeWidth))\"" }
        if let dash { attributes += " stroke-dasharray=\"\(dash)\"" }
        if let id { attributes += " id=\"\(xmlEscaped(id))\"" }
        out += "<rect \(attributes)/>\n"
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1) {
        out +=
            "<line x1=\"\(Self.number(x1))\" y1=\"\(Self.number(y1))\" x2=\"\(Self.number(x2))\" y2=\"\(Self.number(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.number(width))\"/>\n"
    }

    /// Two short slanted strokes across the axis: the scale breaks here.
    mutating func breakMark(x: Double, y: Double) {
        out +=
            "<path d=\"M \(Self.number(x - 9)) \(Self.number(y + 3)) l 8 -6 M \(Self.number(x - 5)) \(Self.number(y + 3)) l 8 -6\" stroke=\"#555555\" stroke-width=\"1.3\" fill=\"none\"/>\n"
    }

    mutating func text(
        _ content: String, x: Double, y: Double, size: Double, weight: String? = nil, fill: String = "#111111",
        anchor: String? = nil, mono: Bool = false
    ) {
        var attributes = "x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" font-size=\"\(Self.number(size))\" fill=\"\(fill)\""
        if let weight { attributes += " font-weight=\"\(weight)\"" }
        if let anchor { attributes += " text-anchor=\"\(anchor)\"" }
        if mono { attributes += " font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\"" }
        out += "<text \(attributes)>\(xmlEscaped(content))</text>\n"
    }

    func finish() -> String { out + "</svg>\n" }
}
