import FileSystem
import FileSystemTools

/// A disk in host memory that can lose power: after `writesBeforeCut`
/// successful writes every later write fails and changes nothing (the
/// block either reached the disk or did not: a write is atomic per block).
final class RAMDisk: @unchecked Sendable {
    var blocks: [UInt8]
    let blockCount: UInt32
    var writes = 0
    var reads = 0
    var writesBeforeCut: Int? = nil
    /// Called inside every request: the threaded tests yield the CPU here,
    /// the way a driver sleeps the caller.
    var duringRequest: (() -> Void)? = nil

    init(blocks: UInt32) {
        blockCount = blocks
        self.blocks = [UInt8](repeating: 0, count: Int(blocks) * DiskFormat.blockSize)
    }

    init(image: [UInt8]) {
        blockCount = UInt32(image.count / DiskFormat.blockSize)
        blocks = image
    }

    var poweredOff: Bool { writesBeforeCut.map { writes >= $0 } ?? false }

    func block(_ number: Int) -> ArraySlice<UInt8> {
        blocks[(number * DiskFormat.blockSize)..<((number + 1) * DiskFormat.blockSize)]
    }

    var device: RAMDiskDevice { RAMDiskDevice(disk: self) }
}

/// The `BlockDevice` face of a `RAMDisk`.
struct RAMDiskDevice: BlockDevice {
    let disk: RAMDisk
    var blockCount: UInt32 { disk.blockCount }

    func read(_ block: BlockNumber, into buffer: UnsafeMutableRawBufferPointer) throws(BlockDeviceError) {
        guard block.raw < disk.blockCount else { throw .outOfRange }
        disk.duringRequest?()
        disk.reads += 1
        let start = Int(block.raw) * DiskFormat.blockSize
        disk.blocks.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[start..<(start + DiskFormat.blockSize)])) }
    }

    func write(_ block: BlockNumber, from buffer: UnsafeRawBufferPointer) throws(BlockDeviceError) {
        guard block.raw < disk.blockCount else { throw .outOfRange }
        disk.duringRequest?()
        if disk.poweredOff { throw .ioError }
        disk.writes += 1
        let start = Int(block.raw) * DiskFormat.blockSize
        disk.blocks.withUnsafeMutableBytes {
            UnsafeMutableRawBufferPointer(rebasing: $0[start..<(start + DiskFormat.blockSize)]).copyMemory(from: buffer)
        }
    }
}

/// What fsck (the file-system check library) says about the disk: one line
/// per problem, none for a clean image.
func fsckFindings(_ disk: RAMDisk) -> [String] {
    ImageCheck.run(RAMDisk(image: disk.blocks).device).lines
}
