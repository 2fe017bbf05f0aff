// libFuzzer target for the file system's handling of untrusted disks: the
// image is the input. Built by Tools/fuzz.mk with `swiftc -sanitize=fuzzer`
// from this file and the Sources/FileSystem sources (one module), so the
// fuzzer instruments the very code the kernel runs.
//
// Each input (up to 64 blocks; a partial last block reads as zeros) is
// checked by the offline check (FileSystemCheck), then mounted (which may
// replay its log), and read through: every directory walked, every entry
// opened, every file read to its end; then a file is created, written,
// read and unlinked. Any call may fail with a FileSystemError: that
// is a corrupt image refused. A trap, a sanitizer report or a hang (more
// than libFuzzer's -timeout) is a bug, which libFuzzer saves as a reproducer.

/// The largest image, in blocks (libFuzzer's -max_len is this many KiB).
let maximumBlocks = 64
/// Bounds on the walk, so that a corrupt tree (cycles, huge directories)
/// ends: inodes opened, and entries read, per input.
let openLimit = 256
let entryLimit = 4096

typealias FuzzVolume = FileSystemVolume<FuzzDisk, FuzzHost>

struct FuzzDisk: BlockDevice {
    let memory: UnsafeMutableRawBufferPointer
    let blockCount: UInt32
    func read(_ block: BlockNumber, into buffer: UnsafeMutableRawBufferPointer) throws(BlockDeviceError) {
        guard block.raw < blockCount, buffer.count == DiskFormat.blockSize else { throw .outOfRange }
        let start = Int(block.raw) * DiskFormat.blockSize
        buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: memory[start..<start + DiskFormat.blockSize]))
    }
    func write(_ block: BlockNumber, from buffer: UnsafeRawBufferPointer) throws(BlockDeviceError) {
        guard block.raw < blockCount, buffer.count == DiskFormat.blockSize else { throw .outOfRange }
        let start = Int(block.raw) * DiskFormat.blockSize
        UnsafeMutableRawBufferPointer(rebasing: memory[start..<start + DiskFormat.blockSize]).copyMemory(from: buffer)
    }
}

/// One caller, nobody else: a wait could never end, so it is a bug.
struct FuzzHost: FileSystemHost {
    func acquire(_ lock: FileSystemSpinlock) {}
    func release(_ lock: FileSystemSpinlock) {}
    func sleep(on channel: FileSystemChannel, releasing lock: FileSystemSpinlock) {
        fatalError("a single caller waits forever on \(channel)")
    }
    func wakeup(_ channel: FileSystemChannel) {}
}

struct NoFindings: CheckFindingSink {
    mutating func report(_ finding: CheckFinding) {}
}

/// Memory reused by every run: the disk, the volume's tables, the check's
/// scratch (enough for the most inodes a superblock may claim), a data buffer.
let disk = UnsafeMutableRawBufferPointer.allocate(byteCount: maximumBlocks * DiskFormat.blockSize, alignment: 64)
let volumeMemory = UnsafeMutableRawBufferPointer.allocate(byteCount: FuzzVolume.memoryNeeded(), alignment: 64)
let checkScratch = UnsafeMutableRawBufferPointer.allocate(
    byteCount: FileSystemCheck.scratchByteCount(
        for: Superblock(
            magic: DiskFormat.magic, totalBlocks: UInt32(maximumBlocks), dataBlocks: 0, inodeCount: 65536, logBlocks: 2, logStart: 2,
            inodeStart: 4, bitmapStart: 5)), alignment: 64)
let data = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 * DiskFormat.blockSize, alignment: 64)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let count = min(size, disk.count)
    disk.initializeMemory(as: UInt8.self, repeating: 0)
    if count > 0, let bytes { disk.copyMemory(from: UnsafeRawBufferPointer(start: bytes, count: count)) }
    let device = FuzzDisk(memory: disk, blockCount: UInt32((count + DiskFormat.blockSize - 1) / DiskFormat.blockSize))
    check(device)
    exercise(device)
    return 0
}

func check(_ device: FuzzDisk) {
    guard
        case .valid(let superblock) = FileSystemCheck.readSuperblock(
            of: device, blockBuffer: UnsafeMutableRawBufferPointer(rebasing: data[0..<DiskFormat.blockSize]))
    else {
        return
    }
    var sink = NoFindings()
    if FileSystemCheck.scratchByteCount(for: superblock) > checkScratch.count { fatalError("check scratch larger than its bound") }
    _ = FileSystemCheck.run(on: device, superblock: superblock, scratch: checkScratch, sink: &sink)
}

func exercise(_ device: FuzzDisk) {
    let volume: FuzzVolume
    let root: InodeReference
    do throws(FileSystemError) {
        volume = try FuzzVolume.mount(device: device, host: FuzzHost(), memory: volumeMemory)
        root = try volume.root()
    } catch {
        return
    }
    var budget = Budget()
    walk(volume, root, &budget)
    writeAndRemove(volume, root)
    try? volume.close(root)
}

struct Budget {
    var opens = 0
    var entries = 0
}

/// Opens and reads everything under `directory`, depth first (recursion
/// bounded by the open budget).
func walk(_ volume: FuzzVolume, _ directory: InodeReference, _ budget: inout Budget) {
    var offset = 0
    while budget.entries < entryLimit, budget.opens < openLimit {
        budget.entries += 1
        let entry: DiskDirectoryEntry
        do throws(FileSystemError) {
            guard let next = try volume.directoryEntry(directory, at: offset) else { return }
            entry = next
        } catch {
            return
        }
        offset += DiskFormat.directoryEntrySize
        if entry.inode == 0 { continue }
        let name = entry.name
        let length = entry.nameLength
        if length == 0 || (name[0] == UInt8(ascii: ".") && (length == 1 || (length == 2 && name[1] == UInt8(ascii: ".")))) { continue }
        budget.opens += 1
        name.span.withUnsafeBytes { all in
            let path = UnsafeRawBufferPointer(rebasing: all[0..<length])
            let child: InodeReference
            do throws(FileSystemError) { child = try volume.open(path, from: directory) } catch { return }
            do throws(FileSystemError) {
                let status = try volume.status(child)
                if status.type == .directory {
                    walk(volume, child, &budget)
                } else {
                    try readAll(volume, child, size: status.size)
                }
            } catch {}
            try? volume.close(child)
        }
    }
}

func readAll(_ volume: FuzzVolume, _ file: InodeReference, size: UInt32) throws(FileSystemError) {
    var offset: UInt32 = 0
    while offset < size {
        var sink = MemoryByteSink(data)
        let got = try volume.read(file, at: Int(offset), count: data.count, into: &sink)
        if got == 0 { return }
        if got > data.count { fatalError("read delivered more than asked") }
        offset += UInt32(got)
    }
}

/// Allocation over a corrupt bitmap and inode table: create, write, read,
/// unlink.
func writeAndRemove(_ volume: FuzzVolume, _ root: InodeReference) {
    let name: StaticString = "fuzz-new"
    let path = UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
    let file: InodeReference
    do throws(FileSystemError) { file = try volume.open(path, from: root, create: true, writable: true) } catch { return }
    for i in 0..<data.count { data[i] = UInt8(truncatingIfNeeded: i &* 13) }
    var source = MemoryByteSource(UnsafeRawBufferPointer(rebasing: data[0..<2500]))
    // On a corrupt image the bytes may not come back (a bitmap that calls
    // an inode block free lets the data overwrite inodes): only the calls
    // are exercised.
    if let written = try? volume.write(file, at: 0, count: 2500, from: &source), written > 0 {
        var sink = MemoryByteSink(UnsafeMutableRawBufferPointer(rebasing: data[2500..<4096]))
        _ = try? volume.read(file, at: 0, count: 1596, into: &sink)
    }
    try? volume.close(file)
    try? volume.unlink(path, from: root)
}
