import FileSystem
import Foundation
import Testing

@testable import FileSystemTools

/// The drawing of the on-disk layout (docs/maps/disk-layout.svg) comes from
/// the format's constants and is committed current.
@Suite struct DiskLayoutDrawingTests {
    @Test func regionsTileTheDiskInTheSuperblocksOrder() {
        for geometry in [DiskFormat.xv6Geometry, Geometry(totalBlocks: 8192, inodeCount: 400, logBlocks: 30)] {
            let regions = DiskLayoutDrawing(geometry: geometry).regions
            #expect(regions.first?.first == 0)
            #expect(regions.last?.end == geometry.totalBlocks)
            for (a, b) in zip(regions, regions.dropFirst()) { #expect(a.end == b.first, "\(a.name) ends where \(b.name) starts") }
            let sb = geometry.superblock
            #expect(regions.map(\.first) == [0, 1, sb.logStart, sb.inodeStart, sb.bitmapStart, sb.totalBlocks - sb.dataBlocks])
        }
        // xv6's numbers: log 2-31, inodes 32-44, bitmap 45, data 46-1999.
        let svg = DiskLayoutDrawing().svg()
        for label in ["blocks 2-31", "blocks 32-44", "block 45", "blocks 46-1999", "200 inodes of 64 bytes"] {
            #expect(svg.contains(label))
        }
    }

    @Test func committedDrawingIsCurrent() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/maps/disk-layout.svg")
        let committed = try String(contentsOf: path, encoding: .utf8)
        #expect(committed == DiskLayoutDrawing().svg(), "docs/maps/disk-layout.svg is stale: run make maps")
    }
}
