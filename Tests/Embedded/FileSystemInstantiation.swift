// Compiled only with the file-system core by `make core` (never linked into
// a kernel): Embedded Swift compiles a generic body only when something
// specializes it, so this file specializes every public call of the volume
// with a concrete device and host, and the -no-allocations build then checks
// all of them, the way the kernel will use them.

struct InstantiationDevice: BlockDevice {
    let memory: UnsafeMutableRawBufferPointer
    var blockCount: UInt32 { UInt32(memory.count / DiskFormat.blockSize) }
    func read(_ block: BlockNumber, into buffer: UnsafeMutableRawBufferPointer) throws(BlockDeviceError) {
        guard block.raw < blockCount else { throw .outOfRange }
        let start = Int(block.raw) * DiskFormat.blockSize
        buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: memory[start..<(start + DiskFormat.blockSize)]))
    }
    func write(_ block: BlockNumber, from buffer: UnsafeRawBufferPointer) throws(BlockDeviceError) {
        guard block.raw < blockCount else { throw .outOfRange }
        let start = Int(block.raw) * DiskFormat.blockSize
        UnsafeMutableRawBufferPointer(rebasing: memory[start..<(start + DiskFormat.blockSize)]).copyMemory(from: buffer)
    }
}

struct InstantiationHost: FileSystemHost {
    func acquire(_ lock: FileSystemSpinlock) {}
    func release(_ lock: FileSystemSpinlock) {}
    func sleep(on channel: FileSystemChannel, releasing lock: FileSystemSpinlock) {}
    func wakeup(_ channel: FileSystemChannel) {}
}

public func fileSystemInstantiationCheck(
    disk: UnsafeMutableRawBufferPointer, memory: UnsafeMutableRawBufferPointer, path: UnsafeRawBufferPointer,
    data: UnsafeMutableRawBufferPointer
) -> Int {
    typealias Volume = FileSystemVolume<InstantiationDevice, InstantiationHost>
    do throws(FileSystemError) {
        let volume = try Volume.mount(device: InstantiationDevice(memory: disk), host: InstantiationHost(), memory: memory)
        let root = try volume.root()
        let file = try volume.open(path, from: root, create: true, truncate: true, writable: true)
        var source = MemoryByteSource(UnsafeRawBufferPointer(data))
        var total = try volume.write(file, at: 0, count: data.count, from: &source)
        var sink = MemoryByteSink(data)
        total += try volume.read(file, at: 0, count: data.count, into: &sink)
        try volume.truncate(file)
        total += Int(try volume.status(file).size)
        try volume.link(path, to: path, from: root)
        try volume.unlink(path, from: root)
        try volume.makeDirectory(path, from: root)
        try volume.makeDevice(path, from: root, major: 1, minor: 0)
        let directory = try volume.changeDirectory(path, from: root)
        if let entry = try volume.directoryEntry(directory, at: 0) { total += Int(entry.inode) }
        try volume.close(volume.duplicate(directory))
        try volume.close(directory)
        try volume.close(file)
        try volume.close(root)
        return total
    } catch {
        return -1
    }
}
