import MemoryCore
import PropertyBased
import Testing

/// Walks restricted to a range skip the entries that cannot overlap it
/// (`PageTable+Walk.swift`); these tests compare such walks, for random
/// ranges anywhere in the address space (across the hole, ending in it),
/// with the full walk filtered by hand.
@Suite struct PageTableRangeWalkTests {
    @Test func rangeWalksAgreeWithTheFilteredFullWalk() async {
        let points = Gen.int(in: 0...1_000_000).array(of: 2...2)
        await propertyCheck(count: 200, input: points.array(of: 1...6)) { pairs in
            check(Sv39.self, pairs)
            check(X86_64FourLevel.self, pairs)
        }
    }

    /// Interesting places: pages of both halves, the edges of the hole and
    /// of the whole space, with small offsets around each.
    func point<S: PagingScheme>(_: S.Type, _ n: Int) -> UInt64 {
        let upper = S.canonical(1 << UInt64(S.virtualAddressBits - 1))
        let lowerTop: UInt64 = (1 << UInt64(S.virtualAddressBits - 1)) - 1
        let anchors: [UInt64] = [
            0, 0x1000, 0x20_0000, 0x4000_0000, 0x7F_FFFF_F000, lowerTop, lowerTop + 1,
            upper - 1, upper, upper + 0x20_0000, UInt64.max - 0xFFF, UInt64.max,
        ]
        let anchor = anchors[n % anchors.count]
        let offsets: [Int64] = [0, 1, -1, 0x1000, -0x1000, 0x1FF000, 0x20_0000, -0x20_0000, 0x4000_0000]
        return anchor &+ UInt64(bitPattern: offsets[(n / anchors.count) % offsets.count])
    }

    func check<S: PagingScheme>(_ scheme: S.Type, _ pairs: [[Int]]) {
        let ram = SimulatedRAM(megabytes: 1)
        do {
            guard var table = try? TestTable<S>(memory: ram.memory, frames: ram.frames) else {
                Issue.record("no root table")
                return
            }
            let upper = S.canonical(1 << UInt64(S.virtualAddressBits - 1))
            let lowerTopPage: UInt64 = (1 << UInt64(S.virtualAddressBits - 1)) - 0x1000
            // (The very last page cannot be mapped: its end would be 2^64.)
            let pages: [(UInt64, PageSize)] = [
                (0x1000, .size4K), (0x20_0000, .size2M), (0x7F_FFFF_F000, .size4K),
                (lowerTopPage, .size4K), (upper, .size4K), (upper + 0x20_0000, .size2M),
                (UInt64.max - 0x1FFF, .size4K),
            ].filter { S.isCanonical(VirtualAddress($0.0)) }
            for (page, size) in pages {
                do throws(MapError) {
                    try table.map(VirtualAddress(page), to: PhysicalAddress(0x8000_0000), size: size, permissions: .readOnly)
                } catch {
                    Issue.record("cannot map \(page): \(error)")
                }
            }
            var all: [(UInt64, UInt64)] = []
            table.forEachMapping { start, translation in
                all.append((start.raw, translation.pageSize.bytes))
                return true
            }
            #expect(all.count == pages.count)
            for pair in pairs {
                let a = point(S.self, pair[0]), b = point(S.self, pair[1])
                guard let range = VirtualRange(start: VirtualAddress(min(a, b)), end: VirtualAddress(max(a, b))),
                    !range.isEmpty
                else { continue }
                let expected = all.filter { start, size in start < range.end.raw && start &+ (size - 1) >= range.start.raw }
                var seen: [UInt64] = []
                table.forEachMapping(in: range) { start, _ in
                    seen.append(start.raw)
                    return true
                }
                #expect(seen == expected.map(\.0), "range \(range.start.raw)..<\(range.end.raw)")
                let first = table.firstMapping(from: range.start, before: range.end)
                #expect(first?.0.raw == expected.first?.0, "first in \(range.start.raw)..<\(range.end.raw)")
            }
        }
        #expect(ram.freeFrames == ram.totalFrames)
    }
}
