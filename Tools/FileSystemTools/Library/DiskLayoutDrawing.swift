import FileSystem
import Foundation

/// Draws the on-disk format as SVG from the format's own constants
/// (`DiskFormat`, `Geometry`, `Superblock`, the record layouts): the regions
/// of a file system of a given geometry, block 0 at the top, and the three
/// records the regions hold (inode, directory entry, log header). `make
/// maps` writes it to docs/maps/disk-layout.svg.
public struct DiskLayoutDrawing {
    public let geometry: Geometry

    public init(geometry: Geometry = DiskFormat.xv6Geometry) { self.geometry = geometry }

    /// One region of the disk: blocks `first..<end`.
    public struct Region: Equatable {
        public let name: String
        public let first: UInt32
        public let end: UInt32
        public let detail: String
        public let color: String
    }

    /// The regions in disk order, from the superblock mkfs writes.
    public var regions: [Region] {
        let sb = geometry.superblock
        let perBlock = DiskFormat.inodesPerBlock
        return [
            Region(name: "boot block", first: 0, end: 1, detail: "unused by the file system (left for a boot loader)", color: "#e8e8e8"),
            Region(
                name: "superblock", first: DiskFormat.superblockBlock.raw, end: DiskFormat.superblockBlock.raw + 1,
                detail: "\(Superblock.byteSize) bytes: magic, size, data blocks, inodes, log size, log/inode/bitmap starts", color: "#ffe0a0"),
            Region(
                name: "log", first: sb.logStart, end: sb.logStart + sb.logBlocks,
                detail: "header block (count, home block numbers), then up to \(sb.logBlocks - 1) logged copies", color: "#f8c8c8"),
            Region(
                name: "inodes", first: sb.inodeStart, end: sb.bitmapStart,
                detail: "\(sb.inodeCount) inodes of \(DiskFormat.inodeSize) bytes, \(perBlock) per block; inode 0 unused, 1 is the root",
                color: "#c8d8f8"),
            Region(
                name: "bitmap", first: sb.bitmapStart, end: geometry.metadataBlocks,
                detail: "one bit per block of the disk, \(DiskFormat.bitsPerBlock) per bitmap block; 1 = in use", color: "#d8f0c8"),
            Region(
                name: "data", first: geometry.metadataBlocks, end: sb.totalBlocks,
                detail: "\(sb.dataBlocks) blocks of file and directory contents and indirect blocks", color: "#f4f4f4"),
        ]
    }

    /// A field of a record: its name and size in bytes.
    struct Field {
        let name: String
        let bytes: Int
    }

    static var inodeFields: [Field] {
        [
            Field(name: "type", bytes: 2), Field(name: "major", bytes: 2), Field(name: "minor", bytes: 2), Field(name: "links", bytes: 2),
            Field(name: "size", bytes: 4), Field(name: "\(DiskFormat.directBlocks) direct block numbers", bytes: 4 * DiskFormat.directBlocks),
            Field(name: "indirect", bytes: 4),
        ]
    }

    static var entryFields: [Field] {
        [Field(name: "inode", bytes: 2), Field(name: "name (\(DiskFormat.nameLength) bytes, NUL-padded)", bytes: DiskFormat.nameLength)]
    }

    static var logHeaderFields: [Field] {
        [Field(name: "count", bytes: 4), Field(name: "\(LogHeader.capacity) home block numbers", bytes: 4 * LogHeader.capacity)]
    }

    // Geometry of the picture, in SVG user units.
    static let width = 900.0
    static let bandX = 110.0
    static let bandWidth = 250.0
    static let detailX = 376.0

    /// A band's height: grows with the logarithm of its block count.
    static func height(blocks: UInt32) -> Double { 30 + 9 * log2(Double(max(blocks, 1))) }

    public func svg() -> String {
        var body: [String] = []
        var y = 64.0
        let sb = geometry.superblock
        body.append(text(20, 26, "On-disk layout (xv6's format): \(sb.totalBlocks) blocks of \(DiskFormat.blockSize) bytes", size: 17, bold: true))
        body.append(
            text(
                20, 46,
                "mkfs's default geometry: Geometry(totalBlocks: \(geometry.totalBlocks), inodeCount: \(geometry.inodeCount), logBlocks: \(geometry.logBlocks))",
                size: 12))
        for region in regions {
            let blocks = region.end - region.first
            let h = Self.height(blocks: blocks)
            body.append(rect(Self.bandX, y, Self.bandWidth, h, fill: region.color))
            body.append(text(Self.bandX + 10, y + h / 2 + 5, region.name, size: 14, bold: true))
            let count = blocks == 1 ? "1 block" : "\(blocks) blocks"
            body.append(text(Self.bandX + Self.bandWidth - 10, y + h / 2 + 5, count, size: 12, anchor: "end"))
            let range = blocks == 1 ? "block \(region.first)" : "blocks \(region.first)-\(region.end - 1)"
            body.append(text(Self.detailX, y + h / 2 - 2, range, size: 12, bold: true))
            body.append(text(Self.detailX, y + h / 2 + 13, region.detail, size: 11))
            body.append(text(Self.bandX - 8, y + 12, "\(region.first)", size: 11, anchor: "end"))
            y += h
        }
        body.append(text(Self.bandX - 8, y + 4, "\(sb.totalBlocks)", size: 11, anchor: "end"))
        body.append(text(20, y + 4, "end", size: 11))
        y += 36
        for (title, fields, total) in [
            ("inode (\(DiskFormat.inodeSize) bytes)", Self.inodeFields, DiskFormat.inodeSize),
            ("directory entry (\(DiskFormat.directoryEntrySize) bytes)", Self.entryFields, DiskFormat.directoryEntrySize),
            ("log header (block \(sb.logStart), \(DiskFormat.blockSize) bytes)", Self.logHeaderFields, DiskFormat.blockSize),
        ] {
            body.append(text(20, y, title, size: 13, bold: true))
            y += 8
            body.append(record(fields, total: total, y: y))
            y += 74
        }
        let height = y
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(Self.width))" height="\(Int(height))" viewBox="0 0 \(Int(Self.width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif">
            <rect x="0" y="0" width="\(Int(Self.width))" height="\(Int(height))" fill="white"/>
            \(body.joined(separator: "\n"))
            </svg>

            """
    }

    /// A record as a row of fields; widths follow the bytes, with a floor
    /// so that a 2-byte field stays legible. Byte offsets under each field.
    func record(_ fields: [Field], total: Int, y: Double) -> String {
        let left = 20.0
        let room = Self.width - 40
        let floor = 56.0
        let flexible = room - floor * Double(fields.count)
        var x = left
        var offset = 0
        var parts: [String] = []
        for field in fields {
            let w = floor + flexible * Double(field.bytes) / Double(total)
            parts.append(rect(x, y, w, 30, fill: "#eef2fa"))
            parts.append(text(x + w / 2, y + 19, field.name, size: 11, anchor: "middle"))
            parts.append(text(x + 2, y + 44, "\(offset)", size: 10))
            x += w
            offset += field.bytes
        }
        parts.append(text(x - 2, y + 44, "\(offset)", size: 10, anchor: "end"))
        return parts.joined(separator: "\n")
    }

    func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String) -> String {
        "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(w))\" height=\"\(f(h))\" fill=\"\(fill)\" stroke=\"#444\" stroke-width=\"1\"/>"
    }

    func text(_ x: Double, _ y: Double, _ content: String, size: Int, bold: Bool = false, anchor: String = "start") -> String {
        let escaped = content.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
        let weight = bold ? " font-weight=\"bold\"" : ""
        return "<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(size)\"\(weight) text-anchor=\"\(anchor)\">\(escaped)</text>"
    }

    func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
