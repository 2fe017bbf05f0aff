/// The file system the kernel runs on: the disk's, mounted at boot.
typealias KernelVolume = FileSystemVolume<KernelDisk, KernelFileSystemHost>

/// The mounted root file system. Set once at boot by `mount` and never
/// changed; the volume value is a set of pointers into memory taken here,
/// and the core guards what they point to (`FileSystemHost`).
enum RootVolume {
    nonisolated(unsafe) private static var mounted: KernelVolume? = nil

    static var isMounted: Bool { mounted != nil }

    /// The volume; only called once `isMounted` (every process runs on it).
    static var volume: KernelVolume { mounted.unsafelyUnwrapped }

    /// Mounts the disk's file system (replaying its log). A missing disk or
    /// an image the core refuses is reported on the console and leaves the
    /// kernel running without a file system: false.
    static func mount() -> Bool {
        Console.write("file system  ")
        guard Disk.isReady else {
            Console.line("none: no disk")
            return false
        }
        let bytes = UInt64(KernelVolume.memoryNeeded())
        let pages = (bytes + pageBytes - 1) / pageBytes
        guard let first = try? PhysicalFrames.allocator.pointee.allocateContiguous(count: pages),
            let memory = Platform.physicalMemory.pointer(to: first.address, count: pages * pageBytes)
        else {
            Console.line("none: no memory for its tables")
            return false
        }
        do throws(FileSystemError) {
            let volume = try KernelVolume.mount(
                device: KernelDisk(), host: KernelFileSystemHost(),
                memory: UnsafeMutableRawBufferPointer(start: memory, count: Int(pages * pageBytes)))
            mounted = volume
            Console.write(decimal: UInt64(volume.superblock.totalBlocks))
            Console.write(" blocks of 1 KiB, ")
            Console.write(decimal: UInt64(volume.superblock.inodeCount))
            Console.write(" inodes, log of ")
            Console.write(decimal: UInt64(volume.superblock.logBlocks))
            Console.line(" blocks")
            return true
        } catch {
            Console.write("refused: ")
            Console.line(error.message)
            try? PhysicalFrames.allocator.pointee.freeContiguous(first, count: pages)
            return false
        }
    }
}
