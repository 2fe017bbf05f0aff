/// Self-checks of the disk driver on the test image that `make check`
/// attaches (Tools/make-test-disk.py writes it): known blocks read back,
/// a write reads back, bad requests fail cleanly, several requests are
/// outstanding at once, a completion arrives by interrupt. They run after
/// the kernel heap starts and before any process, so requests poll (the
/// interrupt check waits for the interrupt instead). The image is left as
/// it was.
enum DiskChecks {
    /// Blocks of the test image.
    static let testImageBlocks: UInt32 = 2000

    /// Byte `index` of block `block` of the test image: the block number in
    /// the first four bytes (little-endian), then a pattern
    /// (Tools/make-test-disk.py writes the same).
    static func patternByte(block: UInt32, index: Int) -> UInt8 {
        if index < 4 { return UInt8(truncatingIfNeeded: block >> (8 * UInt32(index))) }
        let value = 7 &* UInt64(block) &+ 3 &* UInt64(block >> 8) &+ 13 &* UInt64(index) &+ UInt64(index >> 8)
        return UInt8(truncatingIfNeeded: value)
    }

    static func runAll() {
        var run = SelfCheck()
        guard Disk.isReady else {
            run.check("virtio-blk disk attached", { false })
            finish(run)
            return
        }
        // The checks write to the disk: they run on the test image only
        // (make check's first boot), never on a file system (its second).
        guard Disk.blockCount == testImageBlocks else {
            Console.line("disk-check: skipped (the disk is not the test image)")
            return
        }
        guard let buffers = CheckBuffers() else {
            run.check("frames for the disk checks", { false })
            finish(run)
            return
        }
        run.check("virtio-blk disk has the test image's 2000 blocks") { Disk.blockCount == testImageBlocks }
        run.check("known blocks of the test image read back") { readKnownBlocks(buffers) }
        run.check("a block written reads back, then the image is restored") { writeAndReadBack(buffers) }
        run.check("a block past the end fails (out of range), the device untouched") { pastTheEnd(buffers) }
        run.check("a device error (sector past the end) fails the request") { deviceError(buffers) }
        run.check("a buffer of the wrong size, unmapped or read-only is refused") { badBuffers(buffers) }
        run.check("a buffer across a page boundary reads right") { acrossPages(buffers) }
        run.check("eight requests outstanding at once each complete") { outstanding(buffers) }
        run.check("a completion arrives by interrupt") { completionByInterrupt(buffers) }
        measureReads(buffers)
        buffers.release()
        finish(run)
    }

    private static func finish(_ run: SelfCheck) {
        Console.write("disk-check: ")
        Console.write(decimal: run.passed)
        Console.write(" passed, ")
        Console.write(decimal: run.failed)
        Console.line(" failed")
        if run.failed != 0 { Platform.powerOff(status: 1) }
    }

    /// True when `buffer` holds block `block` of the test image.
    private static func holdsPattern(_ buffer: UnsafeMutableRawPointer, block: UInt32) -> Bool {
        for index in 0..<DiskFormat.blockSize where buffer.load(fromByteOffset: index, as: UInt8.self) != patternByte(block: block, index: index) {
            return false
        }
        return true
    }

    private static func fillPattern(_ buffer: UnsafeMutableRawPointer, block: UInt32, inverted: Bool) {
        for index in 0..<DiskFormat.blockSize {
            let byte = patternByte(block: block, index: index)
            buffer.storeBytes(of: inverted ? ~byte : byte, toByteOffset: index, as: UInt8.self)
        }
    }

    private static func read(_ block: UInt32, into buffer: UnsafeMutableRawPointer) -> Bool {
        buffer.initializeMemory(as: UInt8.self, repeating: 0xEE, count: DiskFormat.blockSize)
        do throws(BlockDeviceError) {
            try KernelDisk().read(BlockNumber(block), into: UnsafeMutableRawBufferPointer(start: buffer, count: DiskFormat.blockSize))
            return true
        } catch {
            return false
        }
    }

    private static func readKnownBlocks(_ buffers: CheckBuffers) -> Bool {
        let blocks: InlineArray<7, UInt32> = [0, 1, 2, 255, 256, 1000, testImageBlocks - 1]
        for index in 0..<blocks.count {
            guard read(blocks[index], into: buffers.first), holdsPattern(buffers.first, block: blocks[index]) else { return false }
        }
        return true
    }

    private static func writeAndReadBack(_ buffers: CheckBuffers) -> Bool {
        let block = testImageBlocks - 2
        let disk = KernelDisk()
        let bytes = UnsafeRawBufferPointer(start: buffers.second, count: DiskFormat.blockSize)
        fillPattern(buffers.second, block: block, inverted: true)
        do throws(BlockDeviceError) {
            try disk.write(BlockNumber(block), from: bytes)
            guard read(block, into: buffers.first) else { return false }
            for index in 0..<DiskFormat.blockSize
            where buffers.first.load(fromByteOffset: index, as: UInt8.self) != ~patternByte(block: block, index: index) {
                return false
            }
            fillPattern(buffers.second, block: block, inverted: false)
            try disk.write(BlockNumber(block), from: bytes)
        } catch {
            return false
        }
        return read(block, into: buffers.first) && holdsPattern(buffers.first, block: block)
    }

    private static func pastTheEnd(_ buffers: CheckBuffers) -> Bool {
        let completed = Disk.requestsCompleted + Disk.requestsFailed
        let disk = KernelDisk()
        let blocks: InlineArray<3, UInt32> = [Disk.blockCount, Disk.blockCount + 1, UInt32.max]
        for index in 0..<blocks.count {
            let block = blocks[index]
            do throws(BlockDeviceError) {
                try disk.read(BlockNumber(block), into: UnsafeMutableRawBufferPointer(start: buffers.first, count: DiskFormat.blockSize))
                return false
            } catch {
                guard error == .outOfRange else { return false }
            }
        }
        return Disk.requestsCompleted + Disk.requestsFailed == completed
    }

    private static func deviceError(_ buffers: CheckBuffers) -> Bool {
        let failed = Disk.requestsFailed
        do throws(BlockDeviceError) {
            let head = try Disk.begin(.read, sector: Disk.sectors, buffer: buffers.first, count: DiskFormat.blockSize)
            try Disk.end(head)
            return false
        } catch {
            // The device answered with an error status; the disk still works.
            guard error == .ioError, Disk.requestsFailed == failed + 1 else { return false }
        }
        return read(3, into: buffers.first) && holdsPattern(buffers.first, block: 3)
    }

    private static func badBuffers(_ buffers: CheckBuffers) -> Bool {
        let completed = Disk.requestsCompleted + Disk.requestsFailed
        let free = Disk.freeDescriptors
        let disk = KernelDisk()
        let short = UnsafeMutableRawBufferPointer(start: buffers.first, count: DiskFormat.blockSize - 1)
        let unmapped = UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(bitPattern: 0x1000), count: DiskFormat.blockSize)
        guard let text = Layouts.kernel.region(named: "kernel text") else { return false }
        let readOnly = UnsafeMutableRawBufferPointer(
            start: UnsafeMutableRawPointer(bitPattern: UInt(text.range.start.raw)), count: DiskFormat.blockSize)
        guard refused(short), refused(unmapped), refused(readOnly) else { return false }
        // A write from a buffer of the wrong size is refused too.
        do throws(BlockDeviceError) {
            try disk.write(BlockNumber(1), from: UnsafeRawBufferPointer(start: buffers.first, count: 16))
            return false
        } catch {
            guard error == .ioError else { return false }
        }
        return Disk.requestsCompleted + Disk.requestsFailed == completed && Disk.freeDescriptors == free
    }

    /// True when reading into `buffer` fails with `.ioError`.
    private static func refused(_ buffer: UnsafeMutableRawBufferPointer) -> Bool {
        do throws(BlockDeviceError) {
            try KernelDisk().read(BlockNumber(1), into: buffer)
            return false
        } catch {
            return error == .ioError
        }
    }

    private static func acrossPages(_ buffers: CheckBuffers) -> Bool {
        // Starts 512 bytes before the end of the first frame.
        let straddling = buffers.first + Int(pageBytes) - 512
        return read(7, into: straddling) && holdsPattern(straddling, block: 7)
    }

    private static func outstanding(_ buffers: CheckBuffers) -> Bool {
        var heads = InlineArray<8, UInt16>(repeating: 0)
        let blocks: InlineArray<8, UInt32> = [10, 20, 30, 40, 50, 60, 70, 1999]
        for index in 0..<8 {
            // Eight separate 1 KiB buffers in the two check frames.
            let buffer = buffers.first + index * DiskFormat.blockSize
            buffer.initializeMemory(as: UInt8.self, repeating: 0, count: DiskFormat.blockSize)
            do throws(BlockDeviceError) {
                heads[index] = try Disk.begin(.read, block: BlockNumber(blocks[index]), buffer: buffer, count: DiskFormat.blockSize)
            } catch {
                return false
            }
        }
        // Ended in reverse order: each waits for its own completion.
        var index = 7
        while index >= 0 {
            do throws(BlockDeviceError) {
                try Disk.end(heads[index])
            } catch {
                return false
            }
            index -= 1
        }
        for index in 0..<8 where !holdsPattern(buffers.first + index * DiskFormat.blockSize, block: blocks[index]) { return false }
        return true
    }

    private static func completionByInterrupt(_ buffers: CheckBuffers) -> Bool {
        let before = Disk.interrupts
        let head: UInt16
        do throws(BlockDeviceError) {
            head = try Disk.begin(.read, block: BlockNumber(42), buffer: buffers.first, count: DiskFormat.blockSize)
        } catch {
            return false
        }
        // Let interrupts in and wait without polling: only the interrupt
        // handler can mark the request done. (An interrupt left pending by
        // the polled requests before may come first; the loop goes on.)
        let deadline = Platform.readCounter() + Platform.counterFrequency
        Platform.enableInterrupts()
        while !Disk.isCompleted(head) && Platform.readCounter() < deadline { Platform.waitForInterrupt() }
        _ = Platform.disableInterrupts()
        let byInterrupt = Disk.interrupts > before && Disk.isCompleted(head)
        do throws(BlockDeviceError) {
            try Disk.end(head)
        } catch {
            return false
        }
        return byInterrupt && holdsPattern(buffers.first, block: 42)
    }

    /// Prints, over 256 sequential 1 KiB reads: the time per block (mostly
    /// QEMU doing the I/O while the guest polls), and the driver's own
    /// instructions per block, counted in `begin` and `end` only, not in
    /// the polling between them (exact under QEMU's -icount).
    private static func measureReads(_ buffers: CheckBuffers) {
        let count: UInt64 = 256
        var driverInstructions: UInt64 = 0
        var failures = 0
        let startTime = Platform.readCounter()
        for block in 0..<UInt32(count) {
            do throws(BlockDeviceError) {
                let beforeBegin = Platform.readInstructionCounter()
                let head = try Disk.begin(.read, block: BlockNumber(block), buffer: buffers.first, count: DiskFormat.blockSize)
                driverInstructions += Platform.readInstructionCounter() - beforeBegin
                while !Disk.isCompleted(head) { Disk.pollCompletions() }
                let beforeEnd = Platform.readInstructionCounter()
                try Disk.end(head)
                driverInstructions += Platform.readInstructionCounter() - beforeEnd
            } catch {
                failures += 1
            }
        }
        let ticks = Platform.readCounter() - startTime
        Console.write("disk-bench: ")
        Console.write(decimal: count)
        Console.write(" sequential 1 KiB reads (polled): ")
        Console.write(decimal: ticks * 1_000_000 / Platform.counterFrequency / count)
        Console.write(" us per block; driver ")
        Console.write(decimal: driverInstructions / count)
        Console.write(" instructions per block (submit and finish; the counter is exact only under -icount)")
        Console.line(failures == 0 ? "" : " (some reads FAILED)")
    }
}

/// Two contiguous frames the disk checks read into and write from.
struct CheckBuffers {
    let frames: FrameNumber
    let first: UnsafeMutableRawPointer
    var second: UnsafeMutableRawPointer { first + Int(pageBytes) }

    init?() {
        do throws(FrameError) {
            frames = try PhysicalFrames.allocator.pointee.allocateContiguous(count: 2)
        } catch {
            return nil
        }
        guard let pointer = Platform.physicalMemory.pointer(to: frames.address, count: 2 * pageBytes) else { return nil }
        first = pointer
    }

    func release() { try? PhysicalFrames.allocator.pointee.freeContiguous(frames, count: 2) }
}
