import Foundation
import PropertyBased
import Testing

@testable import FileSystem

@Suite struct BufferCacheTests {
    /// A cache of `count` buffers over a fresh disk, with its memory.
    final class Fixture {
        let disk = RAMDisk(blocks: 64)
        let memory: UnsafeMutableRawBufferPointer
        let cache: BufferCache<RAMDiskDevice, SingleCallerHost>

        init(buffers: Int) {
            let bytes = BufferCache<RAMDiskDevice, SingleCallerHost>.memoryNeeded(buffers: buffers)
            memory = .allocate(byteCount: bytes, alignment: 64)
            var carver = MemoryCarver(memory)
            cache = BufferCache(buffers: buffers, carving: &carver, device: disk.device, host: SingleCallerHost())!
            for block in 0..<64 { disk.blocks[block * DiskFormat.blockSize] = UInt8(block) }
        }
        deinit { memory.deallocate() }
    }

    @Test func aBlockIsReadOnceAndSharedByItsBuffer() throws {
        let fixture = Fixture(buffers: 3)
        let first = try fixture.cache.read(BlockNumber(5))
        #expect(fixture.cache.bytes(first)[0] == 5)
        fixture.cache.bytes(first)[1] = 0xAA
        fixture.cache.release(first)
        let again = try fixture.cache.read(BlockNumber(5))
        #expect(again.slot == first.slot)
        #expect(fixture.cache.bytes(again)[1] == 0xAA)
        #expect(fixture.disk.reads == 1)
        fixture.cache.release(again)
    }

    @Test func leastRecentlyUsedBufferIsReusedFirst() throws {
        let fixture = Fixture(buffers: 3)
        for block in [1, 2, 3] { fixture.cache.release(try fixture.cache.read(BlockNumber(UInt32(block)))) }
        // Use 1 again: 2 is now the least recently used.
        fixture.cache.release(try fixture.cache.read(BlockNumber(1)))
        fixture.cache.release(try fixture.cache.read(BlockNumber(4)))
        let reads = fixture.disk.reads
        for block in [1, 3, 4] { fixture.cache.release(try fixture.cache.read(BlockNumber(UInt32(block)))) }
        #expect(fixture.disk.reads == reads)
        fixture.cache.release(try fixture.cache.read(BlockNumber(2)))
        #expect(fixture.disk.reads == reads + 1)
    }

    /// Blocks whose numbers fall in one bucket (a multiple of the bucket
    /// count apart) are each found again in their own buffer.
    @Test func blocksOfOneBucketAreEachFound() throws {
        let fixture = Fixture(buffers: 4)
        #expect(BufferCache<RAMDiskDevice, SingleCallerHost>.bucketCount(buffers: 4) == 4)
        for block in [1, 5, 9, 13] { fixture.cache.release(try fixture.cache.read(BlockNumber(UInt32(block)))) }
        let reads = fixture.disk.reads
        for block in [13, 1, 9, 5] {
            let buffer = try fixture.cache.read(BlockNumber(UInt32(block)))
            #expect(fixture.cache.bytes(buffer)[0] == UInt8(block))
            fixture.cache.release(buffer)
        }
        #expect(fixture.disk.reads == reads)
    }

    /// Any sequence of reads costs exactly the disk reads of a
    /// least-recently-used cache of the same size, and every read gets its
    /// block's bytes: the hashed lookup finds what the cache holds, and
    /// only that.
    @Test func readsMatchAnLRUModel() async {
        await propertyCheck(count: 100, input: Gen.int(in: 0...63).array(of: 1...80), Gen.int(in: 1...9)) { blocks, buffers in
            let fixture = Fixture(buffers: buffers)
            var model: [Int] = []  // least recently used first
            var misses = 0
            for block in blocks {
                if let at = model.firstIndex(of: block) {
                    model.remove(at: at)
                } else {
                    misses += 1
                    if model.count == buffers { model.removeFirst() }
                }
                model.append(block)
                guard let buffer = try? fixture.cache.read(BlockNumber(UInt32(block))) else {
                    Issue.record("read \(block) failed")
                    return
                }
                #expect(fixture.cache.bytes(buffer)[0] == UInt8(block))
                fixture.cache.release(buffer)
            }
            #expect(fixture.disk.reads == misses)
        }
    }

    @Test func referencedBuffersAreNeverReused() throws {
        let fixture = Fixture(buffers: 2)
        // Pinned (referenced, unlocked) buffers: nobody will release them
        // soon, so the call fails rather than waits.
        let a = try fixture.cache.read(BlockNumber(1))
        fixture.cache.pin(a)
        fixture.cache.release(a)
        let b = try fixture.cache.read(BlockNumber(2))
        fixture.cache.pin(b)
        fixture.cache.release(b)
        #expect(throws: FileSystemError.noFreeBuffers) { try fixture.cache.read(BlockNumber(3)) }
        fixture.cache.unpin(b)
        let c = try fixture.cache.read(BlockNumber(3))
        #expect(c.slot == b.slot)
        #expect(fixture.cache.unreferencedBuffers == 0)
        fixture.cache.unpin(a)
        fixture.cache.release(c)
        #expect(fixture.cache.unreferencedBuffers == 2)
    }

    @Test func overwriteSkipsTheReadAndWriteReachesTheDisk() throws {
        let fixture = Fixture(buffers: 2)
        let buffer = try fixture.cache.readForOverwrite(BlockNumber(9))
        #expect(fixture.disk.reads == 0)
        fixture.cache.bytes(buffer).initializeMemory(as: UInt8.self, repeating: 0x5A)
        try fixture.cache.write(buffer)
        fixture.cache.release(buffer)
        #expect(fixture.disk.block(9).allSatisfy { $0 == 0x5A })
    }

    @Test func deviceErrorsFailTheRequestAndLeaveTheBufferFree() throws {
        let fixture = Fixture(buffers: 1)
        #expect(throws: FileSystemError.ioError) { try fixture.cache.read(BlockNumber(64)) }
        #expect(fixture.cache.unreferencedBuffers == 1)
        fixture.disk.writesBeforeCut = 0
        let buffer = try fixture.cache.read(BlockNumber(1))
        #expect(throws: FileSystemError.ioError) { try fixture.cache.write(buffer) }
        fixture.cache.release(buffer)
        #expect(fixture.cache.unreferencedBuffers == 1)
    }
}

@Suite struct BufferWaitTests {
    /// With every buffer locked by a caller that is using it, another
    /// caller waits for one (instead of failing) and gets it when released.
    @Test(.timeLimit(.minutes(1))) func aCallerWaitsForABufferInUse() throws {
        let disk = RAMDisk(blocks: 8)
        disk.blocks[2 * DiskFormat.blockSize] = 0x22
        let (results, host) = contendForBuffer(buffers: 1, disk: disk, held: 1, wanted: 2)
        #expect(results == ["read 34"])
        #expect(host.sleeps[.buffer] == 1)
        #expect(host.violations == [])
    }
}

/// Two callers of a cache of `buffers` buffers on one CPU: the first reads
/// block `held` and keeps it, giving the CPU away, until the second has
/// slept for a buffer; then it runs `beforeRelease` on the bytes and
/// releases it. The second reads block `wanted`. Returns what the second
/// got ("read" and the block's first byte, or its error) and the host.
func contendForBuffer(
    buffers: Int, disk: RAMDisk, held: UInt32, wanted: UInt32,
    beforeRelease: @escaping @Sendable (UnsafeMutableRawBufferPointer) -> Void = { _ in }
) -> (results: [String], host: OneCPUHost) {
    let host = OneCPUHost()
    let memory = UnsafeMutableRawBufferPointer.allocate(
        byteCount: BufferCache<RAMDiskDevice, OneCPUHost>.memoryNeeded(buffers: buffers), alignment: 64)
    defer { memory.deallocate() }
    var carver = MemoryCarver(memory)
    let shared = SharedWithCallers(BufferCache(buffers: buffers, carving: &carver, device: disk.device, host: host)!)
    let holding = DispatchSemaphore(value: 0)
    let finished = DispatchGroup()
    let results = ErrorList()
    finished.enter()
    Thread {
        defer { finished.leave() }
        host.run {
            let cache = shared.value
            guard let buffer = try? cache.read(BlockNumber(held)) else { return }
            holding.signal()
            while host.sleeps[.buffer, default: 0] == 0 && results.all.isEmpty { host.diskRequest() }
            beforeRelease(cache.bytes(buffer))
            cache.release(buffer)
        }
    }.start()
    holding.wait()
    finished.enter()
    Thread {
        defer { finished.leave() }
        host.run {
            let cache = shared.value
            do {
                let buffer = try cache.read(BlockNumber(wanted))
                results.append("read \(cache.bytes(buffer)[0])")
                cache.release(buffer)
            } catch {
                results.append("\(error)")
            }
        }
    }.start()
    finished.wait()
    return (results.all, host)
}
