import MemoryCore
import PropertyBased
import Testing

/// A host buffer standing in for the kernel heap's region.
final class HeapRegion {
    let base: UnsafeMutableRawPointer
    let size: Int
    init(size: Int) {
        self.size = size
        base = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 4096)
        base.initializeMemory(as: UInt8.self, repeating: 0xEE, count: size)
    }
    deinit { base.deallocate() }

    var start: UInt { UInt(bitPattern: base) }
    var end: UInt { start + UInt(size) }
}

/// One live allocation in a test: where it is, how long, and the byte it was filled with.
struct HeldBlock {
    let address: UInt
    let size: Int
    let fill: UInt8

    var pointer: UnsafeMutableRawPointer { UnsafeMutableRawPointer(bitPattern: address)! }

    func write() { pointer.initializeMemory(as: UInt8.self, repeating: fill, count: size) }
    func isIntact() -> Bool {
        let bytes = UnsafeRawBufferPointer(start: pointer, count: size)
        return bytes.allSatisfy { $0 == fill }
    }
    func overlaps(_ other: HeldBlock) -> Bool {
        address < other.address + UInt(other.size) && other.address < address + UInt(size)
    }
}

@Suite struct KernelHeapTests {
    @Test func freshHeapIsOneFreeBlock() throws {
        let region = HeapRegion(size: 64 << 10)
        let heap = try KernelHeap(region: region.base, size: region.size)
        let stats = heap.statistics
        #expect(stats.capacity == 64 << 10)
        #expect(stats.freeBlockCount == 1)
        #expect(stats.bytesFree == stats.capacity)
        #expect(stats.largestFreeBlock == stats.capacity)
        #expect(stats.bytesInUse == 0 && stats.allocationCount == 0)
    }

    @Test func unalignedRegionIsTrimmedAndTinyRegionRefused() throws {
        let region = HeapRegion(size: 4096)
        let heap = try KernelHeap(region: region.base + 3, size: 1000)
        #expect(UInt(bitPattern: heap.start) == region.start + 16)
        #expect(heap.capacity == (1000 - 13) & ~15)
        #expect(throws: HeapError.regionTooSmall) { _ = try KernelHeap(region: region.base, size: 40) }
        #expect(throws: HeapError.regionTooSmall) { _ = try KernelHeap(region: region.base, size: 0) }
    }

    @Test func rejectsBadRequests() throws {
        let region = HeapRegion(size: 16 << 10)
        var heap = try KernelHeap(region: region.base, size: region.size)
        #expect(throws: HeapError.invalidSize) { try heap.allocate(size: 0) }
        #expect(throws: HeapError.invalidSize) { try heap.allocate(size: -8) }
        #expect(throws: HeapError.invalidAlignment) { try heap.allocate(size: 8, alignment: 24) }
        #expect(throws: HeapError.invalidAlignment) { try heap.allocate(size: 8, alignment: 0) }
        #expect(throws: HeapError.outOfMemory) { try heap.allocate(size: Int.max) }
        #expect(throws: HeapError.outOfMemory) { try heap.allocate(size: region.size) }
        // Huge alignments either land on an aligned address inside the region
        // or fail cleanly; host buffers lie below 2^47, so 2^48 and up always fail.
        for shift in 15...47 {
            if let pointer = try? heap.allocate(size: 16, alignment: 1 << shift) {
                let address = UInt(bitPattern: pointer)
                #expect(address % (1 << shift) == 0 && address >= region.start && address + 16 <= region.end)
                try heap.free(pointer)
            }
        }
        for shift in 48...62 {
            #expect(throws: HeapError.outOfMemory) { try heap.allocate(size: 16, alignment: 1 << shift) }
        }
        let stats = heap.statistics
        #expect(stats.freeBlockCount == 1 && stats.bytesInUse == 0 && stats.allocationCount == 0)
    }

    @Test func everyAlignmentUpTo4KiBIsHonoured() throws {
        let region = HeapRegion(size: 256 << 10)
        var heap = try KernelHeap(region: region.base, size: region.size)
        var pointers: [UnsafeMutableRawPointer] = []
        for shift in 0...12 {
            let pointer = try heap.allocate(size: 24, alignment: 1 << shift)
            #expect(UInt(bitPattern: pointer) % UInt(max(1 << shift, 16)) == 0)
            pointers.append(pointer)
        }
        let huge = try heap.allocate(size: 100, alignment: 64 << 10)
        #expect(UInt(bitPattern: huge) % (64 << 10) == 0)
        pointers.append(huge)
        for pointer in pointers { try heap.free(pointer) }
        let stats = heap.statistics
        #expect(stats.freeBlockCount == 1 && stats.bytesFree == stats.capacity)
    }

    @Test func detectsDoubleFreeAndForeignPointers() throws {
        let region = HeapRegion(size: 16 << 10)
        var heap = try KernelHeap(region: region.base, size: region.size)
        let a = try heap.allocate(size: 100)
        let b = try heap.allocate(size: 100)
        try heap.free(a)
        #expect(throws: HeapError.doubleFree) { try heap.free(a) }
        // b merges with a's block and the free space above; b's header stays recognisable.
        try heap.free(b)
        #expect(throws: HeapError.doubleFree) { try heap.free(b) }
        let c = try heap.allocate(size: 64)
        #expect(throws: HeapError.foreignPointer) { try heap.free(c + 16) }
        #expect(throws: HeapError.foreignPointer) { try heap.free(c + 1) }
        #expect(throws: HeapError.foreignPointer) { try heap.free(region.base) }
        var outside = 0
        #expect(throws: HeapError.foreignPointer) { try heap.free(&outside) }
        // A forged header copied to another address does not pass either.
        let d = try heap.allocate(size: 256)
        (d + 64).copyMemory(from: c - KernelHeap.headerBytes, byteCount: KernelHeap.headerBytes)
        #expect(throws: HeapError.foreignPointer) { try heap.free(d + 64 + KernelHeap.headerBytes) }
        let before = heap.statistics
        #expect(before.allocationCount == 2)
        try heap.free(c)
        try heap.free(d)
        let after = heap.statistics
        #expect(after.freeBlockCount == 1 && after.bytesFree == after.capacity && after.allocationCount == 0)
    }

    @Test func freeCoalescesWithBothNeighbours() throws {
        let region = HeapRegion(size: 16 << 10)
        var heap = try KernelHeap(region: region.base, size: region.size)
        let a = try heap.allocate(size: 200)
        let b = try heap.allocate(size: 200)
        let c = try heap.allocate(size: 200)
        let guardBlock = try heap.allocate(size: 200)
        try heap.free(a)
        try heap.free(c)
        let split = heap.statistics
        #expect(split.freeBlockCount == 3)
        try heap.free(b)
        let merged = heap.statistics
        #expect(merged.freeBlockCount == 2)
        #expect(merged.largestFreeBlock >= 3 * (200 + KernelHeap.headerBytes))
        // The merged hole is reused first-fit from its bottom.
        let again = try heap.allocate(size: 600)
        #expect(again == a)
        try heap.free(again)
        try heap.free(guardBlock)
        let whole = heap.statistics
        #expect(whole.freeBlockCount == 1 && whole.largestFreeBlock == whole.capacity)
        #expect(whole.peakInUse == 4 * (208 + KernelHeap.headerBytes))
        #expect(whole.totalAllocations == 5)
    }

    @Test func fillsUntilOutOfMemoryThenFreesAll() throws {
        let region = HeapRegion(size: 256 << 10)
        var heap = try KernelHeap(region: region.base, size: region.size)
        var held: [HeldBlock] = []
        var fill: UInt8 = 1
        var failed = (size: 0, alignment: 0)
        while true {
            let size = 48 + Int(fill) * 13
            let alignment = fill % 5 == 0 ? 256 : 16
            do throws(HeapError) {
                let pointer = try heap.allocate(size: size, alignment: alignment)
                let block = HeldBlock(address: UInt(bitPattern: pointer), size: size, fill: fill)
                block.write()
                held.append(block)
                fill &+= 1
            } catch {
                #expect(error == .outOfMemory)
                failed = (size, alignment)
                break
            }
        }
        #expect(held.count > 100)
        let full = heap.statistics
        #expect(full.allocationCount == held.count)
        // No free block could hold the request, even with the worst alignment gap.
        let worstCase = KernelHeap.headerBytes + ((failed.size + 15) & ~15) + failed.alignment + 48
        #expect(full.largestFreeBlock < worstCase)
        // Small requests still fit in the leftovers until nothing at all is free:
        // the heap never keeps a free sliver too small for a 16-byte request.
        while let pointer = try? heap.allocate(size: 16) {
            held.append(HeldBlock(address: UInt(bitPattern: pointer), size: 16, fill: 0))
            held.last!.write()
        }
        let stats = heap.statistics
        #expect(stats.bytesFree == 0 && stats.freeBlockCount == 0 && stats.largestFreeBlock == 0)
        #expect(stats.peakInUse == stats.capacity)
        // Free in an order that exercises every merge case: odd blocks, then even.
        for block in held { #expect(block.isIntact()) }
        for (i, block) in held.enumerated() where i % 2 == 1 { try heap.free(block.pointer) }
        for (i, block) in held.enumerated() where i % 2 == 0 { try heap.free(block.pointer) }
        let empty = heap.statistics
        #expect(empty.freeBlockCount == 1)
        #expect(empty.bytesFree == empty.capacity)
        #expect(empty.peakInUse == stats.bytesInUse)
    }

    @Test func kernelSizedRegionHandsOutLargeBlocks() throws {
        let region = HeapRegion(size: Int(X86_64Layout.heapSize))
        var heap = try KernelHeap(region: region.base, size: region.size)
        var pointers: [UnsafeMutableRawPointer] = []
        for _ in 0..<15 { pointers.append(try heap.allocate(size: 1 << 20, alignment: 4096)) }
        #expect(throws: HeapError.outOfMemory) { try heap.allocate(size: 1 << 20, alignment: 4096) }
        for pointer in pointers.reversed() { try heap.free(pointer) }
        let stats = heap.statistics
        #expect(stats.freeBlockCount == 1 && stats.bytesFree == Int(X86_64Layout.heapSize))
    }

    @Test func randomSequencesKeepBlocksDisjointAlignedAndIntact() async {
        let step = zip(Gen.int(in: 0...2), Gen.int(in: 1...1500), Gen.int(in: 0...12))
        await propertyCheck(count: 300, input: step.array(of: 1...120)) { script in
            let region = HeapRegion(size: 48 << 10)
            var heap = try! KernelHeap(region: region.base, size: region.size)
            var held: [HeldBlock] = []
            var fill: UInt8 = 0
            for (kind, size, alignShift) in script {
                if kind == 0, !held.isEmpty {
                    let block = held.remove(at: size % held.count)
                    #expect(block.isIntact())
                    #expect(throws: Never.self) { try heap.free(block.pointer) }
                } else {
                    let alignment = 1 << alignShift
                    do throws(HeapError) {
                        let pointer = try heap.allocate(size: size, alignment: alignment)
                        fill &+= 1
                        let block = HeldBlock(address: UInt(bitPattern: pointer), size: size, fill: fill)
                        #expect(block.address % UInt(alignment) == 0)
                        #expect(block.address >= region.start && block.address + UInt(size) <= region.end)
                        #expect(!held.contains { $0.overlaps(block) })
                        block.write()
                        held.append(block)
                    } catch {
                        #expect(error == .outOfMemory)
                        // First fit must not miss a block that plainly fits.
                        let stats = heap.statistics
                        if alignment <= 16 {
                            #expect(stats.largestFreeBlock < KernelHeap.headerBytes + (size + 15) & ~15)
                        }
                    }
                }
                let stats = heap.statistics
                #expect(stats.bytesInUse + stats.bytesFree == stats.capacity)
                #expect(stats.allocationCount == held.count)
            }
            for block in held {
                #expect(block.isIntact())
                #expect(throws: Never.self) { try heap.free(block.pointer) }
            }
            let stats = heap.statistics
            #expect(stats.freeBlockCount == 1)
            #expect(stats.bytesFree == stats.capacity)
            #expect(stats.largestFreeBlock == stats.capacity)
        }
    }
}
