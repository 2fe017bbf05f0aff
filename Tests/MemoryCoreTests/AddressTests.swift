import MemoryCore
import PropertyBased
import Testing

@Suite struct AddressTests {
    @Test func pageSizesAreWhatTheHardwareMaps() {
        #expect(PageSize.size4K.bytes == 4096)
        #expect(PageSize.size2M.bytes == 2 << 20)
        #expect(PageSize.size1G.bytes == 1 << 30)
        #expect(PageSize.size2M.bytes == 1 << PageSize.size2M.shift)
        #expect([PageSize.size4K, .size2M, .size1G].map(\.level) == [0, 1, 2])
    }

    @Test func arithmeticThatWouldWrapReturnsNil() {
        let top = VirtualAddress(UInt64.max - 10)
        #expect(top.adding(10) == VirtualAddress(UInt64.max))
        #expect(top.adding(11) == nil)
        #expect(PhysicalAddress(5).subtracting(6) == nil)
        #expect(PhysicalAddress(5).subtracting(5) == PhysicalAddress(0))
        #expect(VirtualAddress(UInt64.max).alignedUp() == nil)
        #expect(VirtualAddress(0x1000).distance(from: VirtualAddress(0x2000)) == nil)
        #expect(VirtualAddress(0x2000).distance(from: VirtualAddress(0x1000)) == 0x1000)
        #expect(VirtualRange(start: VirtualAddress(UInt64.max - 0xFFF), size: 0x1000) == nil)
        #expect(VirtualRange(start: VirtualAddress(0x2000), end: VirtualAddress(0x1000)) == nil)
    }

    @Test func alignment() {
        let address = VirtualAddress(0x20_1234)
        #expect(!address.isAligned(to: .size4K))
        #expect(address.alignedDown() == VirtualAddress(0x20_1000))
        #expect(address.alignedDown(to: .size2M) == VirtualAddress(0x20_0000))
        #expect(address.alignedUp() == VirtualAddress(0x20_2000))
        #expect(address.alignedUp(to: .size2M) == VirtualAddress(0x40_0000))
        #expect(address.offset() == 0x234)
        #expect(VirtualAddress(0x4000_0000).isAligned(to: .size1G))
        #expect(PhysicalAddress(0x8000_0000).isAligned(toBytes: 0x8000_0000))
    }

    @Test func pageAndFrameNumbersRoundTrip() async {
        await propertyCheck(input: Gen.uint64(in: 0...(1 << 52))) { raw in
            let physical = PhysicalAddress(raw)
            #expect(physical.frame.address == physical.alignedDown())
            #expect(physical.frame.value == raw >> 12)
            let virtual = VirtualAddress(raw)
            #expect(virtual.page.address == virtual.alignedDown())
            #expect(virtual.page.value == raw >> 12)
        }
    }

    @Test func rangesContainAndOverlap() {
        let range = VirtualRange(start: VirtualAddress(0x1000), end: VirtualAddress(0x3000))!
        #expect(range.size == 0x2000)
        #expect(range.contains(VirtualAddress(0x1000)) && !range.contains(VirtualAddress(0x3000)))
        #expect(range.contains(VirtualRange(start: VirtualAddress(0x2000), size: 0x1000)!))
        #expect(!range.contains(VirtualRange(start: VirtualAddress(0x2000), size: 0x1001)!))
        #expect(range.overlaps(VirtualRange(start: VirtualAddress(0x2FFF), size: 1)!))
        #expect(!range.overlaps(VirtualRange(start: VirtualAddress(0x3000), size: 0x1000)!))
        #expect(VirtualRange(start: VirtualAddress(0x5000), size: 0)!.isEmpty)
    }
}
