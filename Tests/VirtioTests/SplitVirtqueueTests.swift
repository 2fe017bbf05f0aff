import MemoryCore
import Testing

@testable import Virtio

private func buffer(_ physical: UInt64, _ length: UInt32, writable: Bool = false) -> VirtqueueBuffer {
    VirtqueueBuffer(physical: PhysicalAddress(physical), length: length, deviceWritable: writable)
}

@Suite struct VirtqueueLayoutTests {
    @Test func layoutFollowsTheSpecification() throws {
        // Size 8: 128 bytes of descriptors, an available ring of 4 + 16 + 2
        // bytes (ends at 150), the used ring 4-byte aligned at 152 with
        // 4 + 64 + 2 bytes (ends at 222), then 8 bytes of chain state.
        let layout = try #require(VirtqueueLayout(size: 8))
        #expect(layout.descriptorTableOffset == 0)
        #expect(layout.availableRingOffset == 128)
        #expect(layout.usedRingOffset == 152)
        #expect(layout.chainStateOffset == 222)
        #expect(layout.totalBytes == 230)
        // The largest queue still fits its layout in Int arithmetic.
        #expect(VirtqueueLayout(size: 32768) != nil)
    }

    @Test(arguments: [0, 3, 6, 100, 32767] as [UInt16]) func sizesThatAreNotPowersOfTwoAreRefused(_ size: UInt16) {
        #expect(VirtqueueLayout(size: size) == nil)
        let memory = SimulatedQueueMemory()
        #expect(throws: VirtqueueError.invalidSize) { _ = try SplitVirtqueue(area: memory.area, size: size) }
    }

    @Test func anAreaTooSmallOrMisalignedIsRefused() throws {
        let memory = SimulatedQueueMemory()
        let needed = try #require(VirtqueueLayout(size: 16)).totalBytes
        let short = VirtqueueArea(pointer: memory.pointer, physical: PhysicalAddress(SimulatedQueueMemory.physicalBase), bytes: needed - 1)
        #expect(throws: VirtqueueError.areaTooSmall) { _ = try SplitVirtqueue(area: short, size: 16) }
        let misaligned = VirtqueueArea(pointer: memory.pointer, physical: PhysicalAddress(SimulatedQueueMemory.physicalBase + 8), bytes: needed)
        #expect(throws: VirtqueueError.areaTooSmall) { _ = try SplitVirtqueue(area: misaligned, size: 16) }
        let exact = VirtqueueArea(pointer: memory.pointer, physical: PhysicalAddress(SimulatedQueueMemory.physicalBase), bytes: needed)
        _ = try SplitVirtqueue(area: exact, size: 16)
    }
}

@Suite struct SplitVirtqueueTests {
    @Test func aChainReachesTheDeviceWithItsBuffersAndFlags() throws {
        let memory = SimulatedQueueMemory()
        var queue = try SplitVirtqueue(area: memory.area, size: 8)
        var device = SimulatedDevice(memory: memory, queue: queue)
        #expect(queue.descriptorTable.raw == SimulatedQueueMemory.physicalBase)
        let parts = [buffer(0x9000_0000, 16), buffer(0x9000_1000, 1024, writable: true), buffer(0x9000_0010, 1, writable: true)]
        let head = try queue.submit(parts.span)
        #expect(queue.freeDescriptors == 5)
        #expect(device.availableIndex == 1)
        #expect(device.takeAvailable() == [head])
        let chain = device.chain(head)
        #expect(chain.count == 3)
        #expect(chain.map(\.address) == [0x9000_0000, 0x9000_1000, 0x9000_0010])
        #expect(chain.map(\.length) == [16, 1024, 1])
        // NEXT on all but the last; WRITE on the device-writable ones.
        #expect(chain.map(\.flags) == [1, 3, 2])
        #expect(queue.takeUsed() == nil)
        #expect(queue.isCompleted(head) == false)

        device.complete(UInt32(head), written: 1025)
        #expect(queue.takeUsed() == VirtqueueCompletion(head: head, writtenBytes: 1025))
        #expect(queue.takeUsed() == nil)
        #expect(queue.isCompleted(head) == true)
        // Descriptors stay taken until the owner releases the chain.
        #expect(queue.freeDescriptors == 5)
        try queue.release(head)
        #expect(queue.freeDescriptors == 8)
        #expect(queue.isCompleted(head) == false)
        #expect(throws: VirtqueueError.notCompleted) { try queue.release(head) }
    }

    @Test func emptyAndOverlongChainsAreRefusedAndChangeNothing() throws {
        let memory = SimulatedQueueMemory()
        var queue = try SplitVirtqueue(area: memory.area, size: 4)
        let device = SimulatedDevice(memory: memory, queue: queue)
        let none: [VirtqueueBuffer] = []
        #expect(throws: VirtqueueError.invalidChain) { _ = try queue.submit(none.span) }
        let five = (0..<5).map { buffer(0x1000 * UInt64($0), 8) }
        #expect(throws: VirtqueueError.invalidChain) { _ = try queue.submit(five.span) }
        #expect(queue.freeDescriptors == 4)
        #expect(device.availableIndex == 0)
    }

    @Test func exhaustionIsAnErrorAndReleasedDescriptorsAreReused() throws {
        let memory = SimulatedQueueMemory()
        var queue = try SplitVirtqueue(area: memory.area, size: 8)
        var device = SimulatedDevice(memory: memory, queue: queue)
        let three = [buffer(0x1000, 16), buffer(0x2000, 1024), buffer(0x3000, 1, writable: true)]
        let first = try queue.submit(three.span)
        let second = try queue.submit(three.span)
        #expect(queue.freeDescriptors == 2)
        #expect(throws: VirtqueueError.noFreeDescriptors) { _ = try queue.submit(three.span) }
        // The refused call offered nothing to the device.
        #expect(device.takeAvailable() == [first, second])
        // Completing out of order: the second chain first.
        device.complete(UInt32(second), written: 1)
        let done = try #require(queue.takeUsed() as VirtqueueCompletion?)
        #expect(done.head == second)
        try queue.release(second)
        #expect(queue.freeDescriptors == 5)
        let predicted = queue.nextHead
        let third = try queue.submit(three.span)
        #expect(predicted == third)
        #expect(Set(device.chain(third).map(\.address)) == [0x1000, 0x2000, 0x3000])
        // Every descriptor of the live chains is distinct.
        let indices = chainIndices(device, first) + chainIndices(device, third)
        #expect(Set(indices).count == 6)
        #expect(device.takeAvailable() == [third])
    }

    @Test func indicesWrapAroundPastTwoToTheSixteen() throws {
        let memory = SimulatedQueueMemory()
        var queue = try SplitVirtqueue(area: memory.area, size: 4)
        var device = SimulatedDevice(memory: memory, queue: queue)
        // 70,000 single-request rounds of two chains: the 16-bit indices wrap
        // (at 65,536) and the ring slots wrap every 4 entries.
        var rounds = 0
        while rounds < 35_000 {
            let a = try queue.submit([buffer(UInt64(rounds) << 12, 512)].span)
            let b = try queue.submit([buffer(0x10, 8), buffer(0x20, 1, writable: true)].span)
            #expect(device.takeAvailable() == [a, b])
            device.complete(UInt32(b), written: 1)
            device.complete(UInt32(a), written: 0)
            let firstDone = try #require(queue.takeUsed() as VirtqueueCompletion?)
            let secondDone = try #require(queue.takeUsed() as VirtqueueCompletion?)
            #expect(firstDone.head == b && secondDone.head == a)
            try queue.release(a)
            try queue.release(b)
            #expect(queue.freeDescriptors == 4)
            rounds += 1
        }
        #expect(device.availableIndex == UInt16(truncatingIfNeeded: 70_000))
        #expect(queue.takeUsed() == nil)
    }

    @Test func aUsedEntryNamingNoChainInFlightIsIgnored() throws {
        let memory = SimulatedQueueMemory()
        var queue = try SplitVirtqueue(area: memory.area, size: 8)
        var device = SimulatedDevice(memory: memory, queue: queue)
        let head = try queue.submit([buffer(0x1000, 16)].span)
        device.complete(200, written: 0)  // past the queue
        device.complete(UInt32(head) + 1, written: 0)  // a free descriptor
        device.complete(UInt32(head), written: 0)
        device.complete(UInt32(head), written: 0)  // twice
        #expect(queue.takeUsed()?.head == head)
        #expect(queue.takeUsed() == nil)
        #expect(queue.rejectedCompletions == 3)
        try queue.release(head)
        #expect(queue.freeDescriptors == 8)
    }

    @Test func notificationFollowsTheDevicesFlagAndInterruptsCanBeSuppressed() throws {
        let memory = SimulatedQueueMemory()
        var queue = try SplitVirtqueue(area: memory.area, size: 8)
        let device = SimulatedDevice(memory: memory, queue: queue)
        #expect(queue.needsNotification == true)
        device.setNoNotify(true)
        #expect(queue.needsNotification == false)
        device.setNoNotify(false)
        #expect(queue.needsNotification == true)
        #expect(device.availableFlags == 0)
        queue.suppressInterrupts(true)
        #expect(device.availableFlags == 1)
        queue.suppressInterrupts(false)
        #expect(device.availableFlags == 0)
    }

    @Test func aFullQueueOfSingleDescriptorChainsCompletesInAnyOrder() throws {
        let memory = SimulatedQueueMemory()
        var queue = try SplitVirtqueue(area: memory.area, size: 16)
        var device = SimulatedDevice(memory: memory, queue: queue)
        var heads: [UInt16] = []
        for index in 0..<16 { heads.append(try queue.submit([buffer(UInt64(index) * 0x1000, 4)].span)) }
        #expect(Set(heads).count == 16)
        #expect(queue.freeDescriptors == 0)
        #expect(queue.nextHead == nil)
        #expect(device.takeAvailable() == heads)
        for head in heads.reversed() { device.complete(UInt32(head), written: 4) }
        var finished: [UInt16] = []
        while let done = queue.takeUsed() {
            finished.append(done.head)
            try queue.release(done.head)
        }
        #expect(finished == heads.reversed())
        #expect(queue.freeDescriptors == 16)
    }

    private func chainIndices(_ device: SimulatedDevice, _ head: UInt16) -> [UInt16] {
        var indices = [head]
        var current = device.descriptor(head)
        while current.flags & 1 != 0 {
            indices.append(current.next)
            current = device.descriptor(current.next)
        }
        return indices
    }
}

@Suite struct VirtioBlockFormatTests {
    @Test func headerIsTypeReservedAndSectorLittleEndian() {
        var bytes = [UInt8](repeating: 0xEE, count: 16)
        bytes.withUnsafeMutableBytes { VirtioBlockFormat.writeHeader(.write, sector: 0x0102_0304_0506_0708, to: $0.baseAddress!) }
        #expect(bytes == [1, 0, 0, 0, 0, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1])
    }

    @Test func blocksOfOneKiBStartAtEvenSectors() {
        #expect(VirtioBlockFormat.firstSector(ofBlock: 0, blockBytes: 1024) == 0)
        #expect(VirtioBlockFormat.firstSector(ofBlock: 1999, blockBytes: 1024) == 3998)
        #expect(VirtioBlockFormat.firstSector(ofBlock: UInt64.max, blockBytes: 1024) == nil)
    }
}
