import MemoryCore

@testable import Virtio

/// Host memory standing in for a virtqueue's area, at an invented physical
/// address, and the device side of the queue: it reads the available ring,
/// walks chains and posts to the used ring the way the virtio 1.x split
/// format says a device does.
final class SimulatedQueueMemory {
    static let physicalBase: UInt64 = 0x8010_0000
    let pointer: UnsafeMutableRawPointer
    let bytes: Int

    init(bytes: Int = 64 * 1024) {
        self.bytes = bytes
        pointer = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 4096)
        pointer.initializeMemory(as: UInt8.self, repeating: 0xA5, count: bytes)
    }

    deinit { pointer.deallocate() }

    var area: VirtqueueArea { VirtqueueArea(pointer: pointer, physical: PhysicalAddress(Self.physicalBase), bytes: bytes) }

    /// The host pointer for a physical address inside this memory.
    func host(_ physical: UInt64) -> UnsafeMutableRawPointer {
        precondition(physical >= Self.physicalBase && physical < Self.physicalBase + UInt64(bytes))
        return pointer + Int(physical - Self.physicalBase)
    }
}

struct DeviceDescriptor: Equatable {
    let address: UInt64
    let length: UInt32
    let flags: UInt16
    let next: UInt16
}

/// The device's half: it reads the rings only through the physical
/// addresses the driver publishes, as a real device would.
struct SimulatedDevice {
    let memory: SimulatedQueueMemory
    let size: UInt16
    let descriptors: UInt64
    let available: UInt64
    let used: UInt64
    /// The available index the device has consumed up to.
    var lastAvailable: UInt16 = 0
    /// The used index it has posted up to.
    var usedIndex: UInt16 = 0

    init(memory: SimulatedQueueMemory, queue: borrowing SplitVirtqueue) {
        self.memory = memory
        size = queue.size
        descriptors = queue.descriptorTable.raw
        available = queue.availableRing.raw
        used = queue.usedRing.raw
    }

    func descriptor(_ index: UInt16) -> DeviceDescriptor {
        let entry = memory.host(descriptors + 16 * UInt64(index))
        return DeviceDescriptor(
            address: entry.load(as: UInt64.self), length: entry.load(fromByteOffset: 8, as: UInt32.self),
            flags: entry.load(fromByteOffset: 12, as: UInt16.self), next: entry.load(fromByteOffset: 14, as: UInt16.self))
    }

    var availableIndex: UInt16 { memory.host(available + 2).load(as: UInt16.self) }
    var availableFlags: UInt16 { memory.host(available).load(as: UInt16.self) }

    /// The chain heads made available since the last call, in order.
    mutating func takeAvailable() -> [UInt16] {
        var heads: [UInt16] = []
        let index = availableIndex
        while lastAvailable != index {
            let slot = UInt64(lastAvailable & (size - 1))
            heads.append(memory.host(available + 4 + 2 * slot).load(as: UInt16.self))
            lastAvailable &+= 1
        }
        return heads
    }

    /// The descriptors of the chain starting at `head`, following NEXT.
    func chain(_ head: UInt16) -> [DeviceDescriptor] {
        var result = [descriptor(head)]
        while result.last!.flags & 1 != 0 && result.count <= Int(size) {
            result.append(descriptor(result.last!.next))
        }
        return result
    }

    /// Posts `head` as used with `written` bytes.
    mutating func complete(_ head: UInt32, written: UInt32) {
        let slot = UInt64(usedIndex & (size - 1))
        let entry = memory.host(used + 4 + 8 * slot)
        entry.storeBytes(of: head, as: UInt32.self)
        entry.storeBytes(of: written, toByteOffset: 4, as: UInt32.self)
        usedIndex &+= 1
        memory.host(used + 2).storeBytes(of: usedIndex, as: UInt16.self)
    }

    func setNoNotify(_ on: Bool) { memory.host(used).storeBytes(of: UInt16(on ? 1 : 0), as: UInt16.self) }
}
