/// The kernel's disk: the one virtio-blk device the architecture attaches
/// (`PlatformDisk`), started once at boot. A request sleeps the calling
/// process until the disk's interrupt completes it, so other processes run
/// meanwhile; before any process runs (boot, mount) it polls the used ring.
///
/// Shared state and its lock: `driver` (the queue, the request headers and
/// status bytes) is touched by `transfer` and by `interrupt`. Kernel code
/// runs with interrupts off on the single CPU, so the two never interleave
/// and no lock is taken today; with several CPUs a spinlock (interrupts
/// off) is to guard `driver`, released while a waiter sleeps.
enum Disk {
    typealias Driver = VirtioBlockDriver<PlatformDisk.Transport>
    nonisolated(unsafe) private static var driver: UnsafeMutablePointer<Driver>? = nil

    static var isReady: Bool { driver != nil }

    /// Blocks of `DiskFormat.blockSize` bytes; 0 without a disk.
    static var blockCount: UInt32 {
        guard let driver else { return 0 }
        let blocks = driver.pointee.sectors / (UInt64(DiskFormat.blockSize) / VirtioBlockFormat.sectorBytes)
        return blocks > UInt64(UInt32.max) ? UInt32.max : UInt32(blocks)
    }

    /// How long a polled request may take before the disk is given up (seconds).
    static let pollLimitSeconds: UInt64 = 5

    /// Finds and starts the disk, and logs one line: "virtio-blk: N blocks
    /// of 1 KiB (M sectors) at ...", or why there is none. Needs the kernel
    /// page table and heap. A missing or unusable disk leaves the kernel
    /// running without one.
    static func start() {
        guard driver == nil, let transport = PlatformDisk.findDisk() else { return }
        guard let memory = KernelHeapArea.allocate(bytes: MemoryLayout<Driver>.stride) else {
            Console.line("virtio-blk: no kernel heap for the driver; running without a disk")
            return
        }
        let frame: FrameNumber
        do throws(FrameError) {
            frame = try PhysicalFrames.allocator.pointee.allocate()
        } catch {
            KernelHeapArea.free(memory)
            Console.line("virtio-blk: no frame for the queue; running without a disk")
            return
        }
        guard let framePointer = Platform.physicalMemory.pointer(to: frame.address, count: pageBytes) else {
            kernelPanic("a frame from the allocator is not reachable")
        }
        let placed = memory.bindMemory(to: Driver.self, capacity: 1)
        do throws(VirtioSetupError) {
            placed.initialize(to: try Driver(transport: transport, frame: framePointer, physical: frame.address))
        } catch {
            Console.write("virtio-blk: the device refused set-up (")
            Console.write(setupErrorText(error))
            Console.line("); running without a disk")
            KernelHeapArea.free(memory)
            try? PhysicalFrames.allocator.pointee.free(frame)
            return
        }
        driver = placed
        PlatformDisk.enableDiskInterrupt()
        Console.write("virtio-blk: ")
        Console.write(decimal: UInt64(blockCount))
        Console.write(" blocks of 1 KiB (")
        Console.write(decimal: placed.pointee.sectors)
        Console.write(" sectors")
        if placed.pointee.readOnly { Console.write(", read-only") }
        Console.write("), queue of ")
        Console.write(decimal: UInt64(placed.pointee.queue.size))
        Console.write(" at ")
        Console.write(frame.address)
        Console.write(", ")
        placed.pointee.transport.writeLocation()
        Console.newline()
    }

    private static func setupErrorText(_ error: VirtioSetupError) -> StaticString {
        switch error {
        case .noVersion1: return "no VIRTIO_F_VERSION_1: a legacy-only device"
        case .featuresRefused: return "FEATURES_OK not kept"
        case .noRequestQueue: return "no request queue"
        case .queueTooSmallForFrame: return "queue layout does not fit a frame"
        case .queueRefused: return "the transport could not enable the queue"
        case .outOfMemory: return "out of memory"
        }
    }

    /// The disk's interrupt (from the architecture's handler): acknowledge
    /// it, mark every finished request, wake its waiter.
    static func interrupt() {
        guard let driver else { return }
        driver.pointee.transport.acknowledgeInterrupt()
        driver.pointee.interrupts &+= 1
        driver.pointee.collectCompletions { head in
            if Processes.isReady { Scheduler.wakeup(requestChannel(head)) }
        }
    }

    static func requestChannel(_ head: UInt16) -> SleepChannel { SleepChannel(kind: .diskRequest, index: Int(head)) }
    static let descriptorsChannel = SleepChannel(kind: .diskDescriptors, index: 0)

    /// True when a process runs and can sleep; false at boot, when waiting
    /// means polling.
    private static var canSleep: Bool { Processes.isReady && Processes.current >= 0 }

    /// One block in or out: submits the request, waits for it, returns its
    /// outcome. The buffer must be exactly one block of kernel memory that
    /// the kernel page table maps (writable for a read); anything else is
    /// refused before the device sees it.
    static func transfer(
        _ type: VirtioBlockFormat.RequestType, block: BlockNumber, buffer: UnsafeRawPointer?, count: Int
    ) throws(BlockDeviceError) {
        let head = try begin(type, block: block, buffer: buffer, count: count)
        try end(head)
    }

    /// The first half of `transfer`: checks the request and submits it
    /// (waiting for descriptors when the queue is full); returns the head
    /// that names it. Several may be outstanding; each ends with `end`.
    static func begin(
        _ type: VirtioBlockFormat.RequestType, block: BlockNumber, buffer: UnsafeRawPointer?, count: Int
    ) throws(BlockDeviceError) -> UInt16 {
        guard let driver, !driver.pointee.broken else { throw .ioError }
        guard block.raw < blockCount else { throw .outOfRange }
        guard let sector = VirtioBlockFormat.firstSector(ofBlock: UInt64(block.raw), blockBytes: UInt64(DiskFormat.blockSize))
        else { throw .outOfRange }
        return try begin(type, sector: sector, buffer: buffer, count: count)
    }

    /// `begin` by sector, without the range check: the device judges the
    /// sector (the self-checks use it to make the device fail a request).
    static func begin(
        _ type: VirtioBlockFormat.RequestType, sector: UInt64, buffer: UnsafeRawPointer?, count: Int
    ) throws(BlockDeviceError) -> UInt16 {
        guard let driver, !driver.pointee.broken else { throw .ioError }
        guard let buffer, count == DiskFormat.blockSize,
            let segments = DMASegments(kernelAddress: UInt(bitPattern: buffer), bytes: count, deviceWrites: type == .read)
        else { throw .ioError }
        if type == .write && driver.pointee.readOnly { throw .ioError }
        while true {
            do throws(VirtqueueError) {
                return try driver.pointee.submit(type, sector: sector, data: segments)
            } catch {
                // The queue is full: wait for a completion to free descriptors.
                let needed = segments.count + 2
                guard waitForProgress(channel: descriptorsChannel, until: { driver.pointee.queue.freeDescriptors >= needed })
                else { throw .ioError }
            }
        }
    }

    /// The second half: waits for the request `head` names (asleep, or
    /// polling at boot), frees its descriptors, and fails unless the
    /// device's status byte says OK.
    static func end(_ head: UInt16) throws(BlockDeviceError) {
        guard let driver else { throw .ioError }
        guard waitForProgress(channel: requestChannel(head), until: { driver.pointee.queue.isCompleted(head) }) else { throw .ioError }
        let status = driver.pointee.finish(head)
        if Processes.isReady { Scheduler.wakeup(descriptorsChannel) }
        guard status == VirtioBlockFormat.statusOK else { throw .ioError }
    }

    /// Waits until `done()`: asleep on `channel` in a process, polling the
    /// used ring at boot. False when polling ran out of time: the device is
    /// then reset and given up.
    private static func waitForProgress(channel: SleepChannel, until done: () -> Bool) -> Bool {
        guard let driver else { return false }
        if canSleep {
            while !done() {
                driver.pointee.sleeps += 1
                Scheduler.sleep(on: channel)
            }
            return true
        }
        let deadline = Platform.readCounter() + pollLimitSeconds * Platform.counterFrequency
        while !done() {
            driver.pointee.collectCompletions { _ in }
            if !done() && Platform.readCounter() > deadline {
                Console.line("virtio-blk: the device did not answer; giving the disk up")
                driver.pointee.giveUp()
                return false
            }
        }
        return true
    }

    /// One line of counters, printed when a check image powers off:
    /// "disk: N requests (F failed), S sleeps, at most P outstanding, I interrupts".
    static func logStatistics() {
        guard let driver else { return }
        Console.write("disk: ")
        Console.write(decimal: driver.pointee.requestsCompleted + driver.pointee.requestsFailed)
        Console.write(" requests (")
        Console.write(decimal: driver.pointee.requestsFailed)
        Console.write(" failed), ")
        Console.write(decimal: driver.pointee.sleeps)
        Console.write(" sleeps, at most ")
        Console.write(decimal: UInt64(driver.pointee.peakOutstanding))
        Console.write(" outstanding, ")
        Console.write(decimal: driver.pointee.interrupts)
        Console.line(" interrupts")
    }

    /// Takes finished requests off the used ring without waiting (the
    /// self-checks' measurement polls with it, outside what it counts).
    static func pollCompletions() {
        driver?.pointee.collectCompletions { _ in }
    }

    /// Counters for the boot log and self-checks.
    static var requestsCompleted: UInt64 { driver?.pointee.requestsCompleted ?? 0 }
    static var requestsFailed: UInt64 { driver?.pointee.requestsFailed ?? 0 }
    static var interrupts: UInt64 { driver?.pointee.interrupts ?? 0 }
    static var freeDescriptors: Int { driver?.pointee.queue.freeDescriptors ?? 0 }
    static var sectors: UInt64 { driver?.pointee.sectors ?? 0 }
    /// True when the request `head` names has completed (not yet ended).
    static func isCompleted(_ head: UInt16) -> Bool { driver?.pointee.queue.isCompleted(head) ?? false }
}

/// The disk as the file system sees it (`BlockDevice`): each call is one
/// synchronous request to `Disk`.
struct KernelDisk: BlockDevice {
    var blockCount: UInt32 { Disk.blockCount }

    func read(_ block: BlockNumber, into buffer: UnsafeMutableRawBufferPointer) throws(BlockDeviceError) {
        try Disk.transfer(.read, block: block, buffer: UnsafeRawPointer(buffer.baseAddress), count: buffer.count)
    }

    func write(_ block: BlockNumber, from buffer: UnsafeRawBufferPointer) throws(BlockDeviceError) {
        try Disk.transfer(.write, block: block, buffer: buffer.baseAddress, count: buffer.count)
    }
}
