import Synchronization

/// The driver's side of one split virtqueue (virtio 1.x, 2.7), in memory its
/// owner provides (`VirtqueueArea`). It hands out descriptors from a free
/// list, writes chains of them, offers each chain's head in the available
/// ring, and takes finished chains back from the used ring. No allocation:
/// all its state is a few words here and the area.
///
/// Ordering with the device: the descriptors and the ring entry are written
/// before the available index is stored with release ordering, so the device
/// never sees an index ahead of its entry; the used index is loaded with
/// acquire ordering before its entries are read; and a full fence separates
/// publishing from reading the device's "no notify" flag (2.7.13).
///
/// Who may touch it: its owner (a driver) only, under the owner's lock. The
/// kernel is single-CPU with interrupts off in kernel code, so the driver's
/// calls and its interrupt handler never overlap (docs/drivers.md).
public struct SplitVirtqueue: ~Copyable {
    public let layout: VirtqueueLayout
    public let size: UInt16
    private let base: UnsafeMutableRawPointer
    private let physical: PhysicalAddress
    /// The first free descriptor; the free ones are linked through `next`.
    private var freeHead: UInt16
    public private(set) var freeDescriptors: Int
    /// The available index the device has been given (free-running, wraps at 2^16).
    private var nextAvailable: UInt16 = 0
    /// The used index up to which completions have been taken.
    private var usedSeen: UInt16 = 0
    /// Used-ring entries that named no chain in flight (a faulty device); ignored.
    public private(set) var rejectedCompletions = 0

    // Descriptor flags (2.7.5).
    static let nextFlag: UInt16 = 1
    static let writeFlag: UInt16 = 2
    /// The device's "do not notify me" flag in the used ring (2.7.10).
    static let noNotifyFlag: UInt16 = 1
    /// The driver's "do not interrupt me" flag in the available ring (2.7.7).
    static let noInterruptFlag: UInt16 = 1

    /// What the driver knows about a chain, by its head (the area's last part).
    enum ChainState: UInt8 {
        case idle = 0
        case inFlight = 1
        case completed = 2
    }

    /// Lays a queue of `size` entries out in `area` and links every
    /// descriptor into the free list. The area must be 16-byte aligned (both
    /// addresses) and hold `VirtqueueLayout(size:).totalBytes`.
    public init(area: VirtqueueArea, size: UInt16) throws(VirtqueueError) {
        guard let layout = VirtqueueLayout(size: size) else { throw .invalidSize }
        guard area.bytes >= layout.totalBytes, area.physical.isAligned(toBytes: 16),
            UInt(bitPattern: area.pointer) & 15 == 0
        else { throw .areaTooSmall }
        self.layout = layout
        self.size = size
        base = area.pointer
        physical = area.physical
        freeHead = 0
        freeDescriptors = Int(size)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: layout.totalBytes)
        for index in 0..<size {
            setNext(index, index &+ 1 == size ? 0 : index &+ 1)
        }
    }

    /// Physical addresses the transport gives the device.
    public var descriptorTable: PhysicalAddress { PhysicalAddress(physical.raw + UInt64(layout.descriptorTableOffset)) }
    public var availableRing: PhysicalAddress { PhysicalAddress(physical.raw + UInt64(layout.availableRingOffset)) }
    public var usedRing: PhysicalAddress { PhysicalAddress(physical.raw + UInt64(layout.usedRingOffset)) }

    /// The head the next `submit` will return (nil when no descriptor is
    /// free), so an owner can place per-request data by head beforehand.
    public var nextHead: UInt16? { freeDescriptors > 0 ? freeHead : nil }

    /// Writes `buffers` as one chain and offers it to the device; returns its
    /// head, which names the chain until `release`. Throws without changing
    /// anything when the chain is empty or too long, or the free descriptors
    /// are too few. The caller notifies the device (`needsNotification`).
    public mutating func submit(_ buffers: Span<VirtqueueBuffer>) throws(VirtqueueError) -> UInt16 {
        guard buffers.count > 0, buffers.count <= Int(size) else { throw .invalidChain }
        guard buffers.count <= freeDescriptors else { throw .noFreeDescriptors }
        let head = freeHead
        var current = head
        for index in 0..<buffers.count {
            let buffer = buffers[index]
            let following = next(current)
            var flags: UInt16 = buffer.deviceWritable ? Self.writeFlag : 0
            if index + 1 < buffers.count { flags |= Self.nextFlag }
            writeDescriptor(current, address: buffer.physical.raw, length: buffer.length, flags: flags)
            // A chain takes the free list's order, so `next` already links it.
            if index + 1 == buffers.count { freeHead = following }
            current = following
        }
        freeDescriptors -= buffers.count
        setChainState(head, .inFlight)
        let slot = Int(nextAvailable & (size &- 1))
        base.storeBytes(of: head, toByteOffset: layout.availableRingOffset + 4 + 2 * slot, as: UInt16.self)
        nextAvailable &+= 1
        // Release: the descriptors and the ring entry are visible before the index.
        availableIndexWord.pointee.store(nextAvailable, ordering: .releasing)
        return head
    }

    /// True when the device wants to hear about new chains (the used ring's
    /// no-notify flag is clear). Read after `submit`, behind a full fence.
    public var needsNotification: Bool {
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        return usedFlagsWord.pointee.load(ordering: .relaxed) & Self.noNotifyFlag == 0
    }

    /// Asks the device not to interrupt (a driver that polls), or to interrupt again.
    public mutating func suppressInterrupts(_ suppress: Bool) {
        availableFlagsWord.pointee.store(suppress ? Self.noInterruptFlag : 0, ordering: .releasing)
    }

    /// The next chain the device has finished, or nil. Its descriptors stay
    /// taken until `release(head)`, so the head keeps naming the request
    /// (and whatever the owner keeps per head) until the owner is done with
    /// it. An entry that names no chain in flight is counted and skipped.
    public mutating func takeUsed() -> VirtqueueCompletion? {
        while true {
            // Acquire: the entries up to the index are read after it.
            let deviceIndex = usedIndexWord.pointee.load(ordering: .acquiring)
            guard deviceIndex != usedSeen else { return nil }
            let entry = layout.usedRingOffset + 4 + Layout.usedElementBytes * Int(usedSeen & (size &- 1))
            let id = base.load(fromByteOffset: entry, as: UInt32.self)
            let written = base.load(fromByteOffset: entry + 4, as: UInt32.self)
            usedSeen &+= 1
            guard id < UInt32(size), chainState(UInt16(id)) == .inFlight else {
                rejectedCompletions += 1
                continue
            }
            setChainState(UInt16(id), .completed)
            return VirtqueueCompletion(head: UInt16(id), writtenBytes: written)
        }
    }

    /// True when the chain at `head` has come back through `takeUsed`.
    public func isCompleted(_ head: UInt16) -> Bool { head < size && chainState(head) == .completed }

    /// Returns a completed chain's descriptors to the free list.
    public mutating func release(_ head: UInt16) throws(VirtqueueError) {
        guard isCompleted(head) else { throw .notCompleted }
        var last = head
        var count = 1
        // The chain was written by `submit`, so it ends within `size` steps.
        while flags(last) & Self.nextFlag != 0 && count < Int(size) {
            last = next(last)
            count += 1
        }
        writeDescriptor(last, address: 0, length: 0, flags: 0)
        setNext(last, freeHead)
        freeHead = head
        freeDescriptors += count
        setChainState(head, .idle)
    }

    // MARK: The area's words

    private typealias Layout = VirtqueueLayout

    private func descriptorOffset(_ index: UInt16) -> Int { layout.descriptorTableOffset + Layout.descriptorBytes * Int(index) }

    private func writeDescriptor(_ index: UInt16, address: UInt64, length: UInt32, flags: UInt16) {
        let offset = descriptorOffset(index)
        base.storeBytes(of: address, toByteOffset: offset, as: UInt64.self)
        base.storeBytes(of: length, toByteOffset: offset + 8, as: UInt32.self)
        base.storeBytes(of: flags, toByteOffset: offset + 12, as: UInt16.self)
    }

    private func flags(_ index: UInt16) -> UInt16 { base.load(fromByteOffset: descriptorOffset(index) + 12, as: UInt16.self) }
    private func next(_ index: UInt16) -> UInt16 { base.load(fromByteOffset: descriptorOffset(index) + 14, as: UInt16.self) }
    private func setNext(_ index: UInt16, _ next: UInt16) {
        base.storeBytes(of: next, toByteOffset: descriptorOffset(index) + 14, as: UInt16.self)
    }

    private func chainState(_ head: UInt16) -> ChainState {
        ChainState(rawValue: base.load(fromByteOffset: layout.chainStateOffset + Int(head), as: UInt8.self)) ?? .idle
    }

    private func setChainState(_ head: UInt16, _ state: ChainState) {
        base.storeBytes(of: state.rawValue, toByteOffset: layout.chainStateOffset + Int(head), as: UInt8.self)
    }

    private func word(_ offset: Int) -> UnsafeMutablePointer<Atomic<UInt16>> {
        (base + offset).assumingMemoryBound(to: Atomic<UInt16>.self)
    }

    private var availableFlagsWord: UnsafeMutablePointer<Atomic<UInt16>> { word(layout.availableRingOffset) }
    private var availableIndexWord: UnsafeMutablePointer<Atomic<UInt16>> { word(layout.availableRingOffset + 2) }
    private var usedFlagsWord: UnsafeMutablePointer<Atomic<UInt16>> { word(layout.usedRingOffset) }
    private var usedIndexWord: UnsafeMutablePointer<Atomic<UInt16>> { word(layout.usedRingOffset + 2) }
}
