/// Why a virtio-blk device could not be brought up; the boot log names it.
enum VirtioSetupError: Error {
    case noVersion1
    case featuresRefused
    case noRequestQueue
    case queueTooSmallForFrame
    case queueRefused
    case outOfMemory
}

/// A virtio-blk device (virtio 1.x, 5.2) over transport `Transport`, with
/// one request queue. Each request is a chain of a header, one or two data
/// buffers and a status byte; its head descriptor names it while it is in
/// flight, and the header and status live in this driver's frame at slots
/// indexed by that head, so several requests can be outstanding at once.
///
/// Who may touch it: `Disk` only, which holds the one instance, with
/// interrupts off (kernel code runs that way on the single CPU, and the
/// interrupt handler is kernel code too), so a request's submission, its
/// completion by the handler and its waiter never interleave. With several
/// CPUs, `Disk`'s spinlock is to guard it (docs/drivers.md).
struct VirtioBlockDriver<Transport: VirtioTransport>: ~Copyable {
    let transport: Transport
    var queue: SplitVirtqueue
    /// The frame holding the queue, then the request headers, then the status bytes.
    let frame: UnsafeMutableRawPointer
    let framePhysical: PhysicalAddress
    let headersOffset: Int
    let statusOffset: Int
    /// Capacity in 512-byte sectors, as the device reported it.
    let sectors: UInt64
    /// The device offered VIRTIO_BLK_F_RO: writes will fail.
    let readOnly: Bool
    /// Set when the device stopped answering: every later request fails.
    var broken = false

    // What the boot log and the self-checks report.
    var requestsCompleted: UInt64 = 0
    /// Requests submitted and not yet ended, and the most there ever were.
    var outstanding = 0
    var peakOutstanding = 0
    /// Times a process went to sleep for a request or for descriptors.
    var sleeps: UInt64 = 0
    var requestsFailed: UInt64 = 0
    var interrupts: UInt64 = 0

    static var requestQueue: UInt16 { 0 }
    /// The queue size asked for: 64 entries (21 three-descriptor requests)
    /// keep the queue, headers and status bytes in one frame.
    static var preferredQueueSize: UInt16 { 64 }

    /// Device initialization (3.1.1): reset, acknowledge, negotiate
    /// VERSION_1 (and read-only), set up the request queue in `frame` (one
    /// 4 KiB frame at `physical`), driver OK. On failure the device is left
    /// with FAILED set.
    init(transport: Transport, frame: UnsafeMutableRawPointer, physical: PhysicalAddress) throws(VirtioSetupError) {
        transport.writeStatus(0)
        var spins = 0
        while transport.readStatus() != 0 && spins < 1_000_000 { spins += 1 }
        transport.writeStatus(VirtioStatus.acknowledge)
        transport.writeStatus(VirtioStatus.acknowledge | VirtioStatus.driver)
        let offered = transport.deviceFeatures()
        guard offered & VirtioFeature.version1 != 0 else {
            transport.writeStatus(VirtioStatus.failed)
            throw .noVersion1
        }
        let accepted = offered & (VirtioFeature.version1 | VirtioBlockFormat.readOnlyFeature)
        transport.setDriverFeatures(accepted)
        let negotiating = VirtioStatus.acknowledge | VirtioStatus.driver | VirtioStatus.featuresOK
        transport.writeStatus(negotiating)
        guard transport.readStatus() & VirtioStatus.featuresOK != 0 else {
            transport.writeStatus(VirtioStatus.failed)
            throw .featuresRefused
        }
        let maximum = transport.maximumQueueSize(Self.requestQueue)
        guard maximum > 0 else {
            transport.writeStatus(VirtioStatus.failed)
            throw .noRequestQueue
        }
        // The largest power of two no bigger than both.
        var size = Self.preferredQueueSize
        while size > maximum { size >>= 1 }
        guard let layout = VirtqueueLayout(size: size) else { throw .noRequestQueue }
        let headers = (layout.totalBytes + 15) & ~15
        let statuses = headers + VirtioBlockFormat.headerBytes * Int(size)
        guard statuses + Int(size) <= Int(pageBytes) else {
            transport.writeStatus(VirtioStatus.failed)
            throw .queueTooSmallForFrame
        }
        let area = VirtqueueArea(pointer: frame, physical: physical, bytes: Int(pageBytes))
        let madeQueue = try Self.makeQueue(area, size: size, transport: transport)
        guard
            transport.activateQueue(
                Self.requestQueue, size: size, descriptors: madeQueue.descriptorTable, available: madeQueue.availableRing,
                used: madeQueue.usedRing)
        else {
            transport.writeStatus(VirtioStatus.failed)
            throw .queueRefused
        }
        queue = madeQueue
        self.transport = transport
        self.frame = frame
        framePhysical = physical
        headersOffset = headers
        statusOffset = statuses
        sectors = transport.readConfiguration64(VirtioBlockFormat.capacityOffset)
        readOnly = accepted & VirtioBlockFormat.readOnlyFeature != 0
        transport.writeStatus(negotiating | VirtioStatus.driverOK)
    }

    private static func makeQueue(_ area: VirtqueueArea, size: UInt16, transport: Transport) throws(VirtioSetupError) -> SplitVirtqueue {
        do throws(VirtqueueError) {
            return try SplitVirtqueue(area: area, size: size)
        } catch {
            transport.writeStatus(VirtioStatus.failed)
            throw .queueTooSmallForFrame
        }
    }

    /// Writes the header and chain for one request and offers it to the
    /// device; returns its head. `data` holds the buffer's physical parts
    /// (one, or two when it crosses a page into a frame that does not
    /// follow). Throws `.noFreeDescriptors` when the queue is full.
    mutating func submit(_ type: VirtioBlockFormat.RequestType, sector: UInt64, data: borrowing DMASegments) throws(VirtqueueError) -> UInt16 {
        let parts = data.count + 2
        guard queue.freeDescriptors >= parts, let head = queue.nextHead else { throw .noFreeDescriptors }
        let header = headersOffset + VirtioBlockFormat.headerBytes * Int(head)
        VirtioBlockFormat.writeHeader(type, sector: sector, to: frame + header)
        (frame + statusOffset + Int(head)).storeBytes(of: VirtioBlockFormat.statusUnwritten, as: UInt8.self)
        var chain = InlineArray<4, VirtqueueBuffer>(repeating: VirtqueueBuffer(physical: framePhysical, length: 0, deviceWritable: false))
        chain[0] = VirtqueueBuffer(
            physical: PhysicalAddress(framePhysical.raw + UInt64(header)), length: UInt32(VirtioBlockFormat.headerBytes),
            deviceWritable: false)
        for index in 0..<data.count {
            chain[1 + index] = VirtqueueBuffer(physical: data.start(index), length: data.length(index), deviceWritable: type == .read)
        }
        chain[parts - 1] = VirtqueueBuffer(
            physical: PhysicalAddress(framePhysical.raw + UInt64(statusOffset) + UInt64(head)), length: 1, deviceWritable: true)
        let submitted = try queue.submit(chain.span.extracting(0..<parts))
        outstanding += 1
        peakOutstanding = max(peakOutstanding, outstanding)
        if queue.needsNotification { transport.notify(Self.requestQueue) }
        return submitted
    }

    /// Takes every finished chain off the used ring; calls `finished` with
    /// each head (the interrupt handler wakes its waiter).
    mutating func collectCompletions(_ finished: (UInt16) -> Void) {
        while let done = queue.takeUsed() { finished(done.head) }
    }

    /// Ends a completed request: its status byte, and its descriptors back.
    mutating func finish(_ head: UInt16) -> UInt8 {
        let status = (frame + statusOffset + Int(head)).load(as: UInt8.self)
        do throws(VirtqueueError) {
            try queue.release(head)
        } catch {
            broken = true
        }
        outstanding -= 1
        if status == VirtioBlockFormat.statusOK { requestsCompleted += 1 } else { requestsFailed += 1 }
        return status
    }

    /// Resets the device after it stopped answering, so it writes no more
    /// into memory; the driver then refuses every request.
    mutating func giveUp() {
        broken = true
        transport.writeStatus(0)
    }
}

/// A buffer's physical parts, for DMA: one, or two when it crosses a page
/// boundary into a frame that is not the next one.
struct DMASegments: ~Copyable {
    private var starts = InlineArray<2, UInt64>(repeating: 0)
    private var lengths = InlineArray<2, UInt32>(repeating: 0)
    private(set) var count = 0

    func start(_ index: Int) -> PhysicalAddress { PhysicalAddress(starts[index]) }
    func length(_ index: Int) -> UInt32 { lengths[index] }

    /// Where kernel address `virtual` lives: through the kernel page table,
    /// or, for a process's own kernel pages (x86-64 keeps the process
    /// kernel stack only in the process's table), through the running
    /// process's table. User pages are never DMA buffers here.
    private static func translate(_ virtual: VirtualAddress) -> Translation? {
        if let translation = KernelPaging.translate(virtual) { return translation }
        let slot = Processes.current
        guard Processes.isReady, slot >= 0 else { return nil }
        return Processes.slots[slot].space?.translate(virtual)
    }

    /// The parts of `bytes` bytes at kernel address `address` (at most two
    /// pages' worth); nil when a page is not mapped, is a user page, or is
    /// not writable when the device is to write into it.
    init?(kernelAddress address: UInt, bytes: Int, deviceWrites: Bool) {
        guard bytes > 0, bytes <= Int(pageBytes) else { return nil }
        var offset = 0
        while offset < bytes {
            let virtual = VirtualAddress(UInt64(address) + UInt64(offset))
            guard let translation = Self.translate(virtual), !translation.permissions.contains(.user),
                !deviceWrites || translation.permissions.contains(.write)
            else { return nil }
            let inPage = Int(pageBytes - virtual.offset())
            let length = min(inPage, bytes - offset)
            let physical = translation.physicalAddress.raw
            if count > 0 && starts[count - 1] + UInt64(lengths[count - 1]) == physical {
                lengths[count - 1] += UInt32(length)
            } else {
                guard count < 2 else { return nil }
                starts[count] = physical
                lengths[count] = UInt32(length)
                count += 1
            }
            offset += length
        }
    }
}
