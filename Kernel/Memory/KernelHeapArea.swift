/// The kernel heap: explicit, fallible allocations for kernel objects whose
/// number depends on what programs do (pipe buffers). It lives where the
/// architecture says (`Platform.kernelHeapRegion`): the layout's 16 MiB heap
/// region on x86-64, a run of direct-mapped frames on RISC-V.
///
/// Locking: `lock` ("kernel heap") guards `heap` after `initialize`;
/// allocate, free and the statistics take it.
enum KernelHeapArea {
    nonisolated(unsafe) static var heap: KernelHeap? = nil
    nonisolated(unsafe) static var lock = Spinlock("kernel heap")
    static var heapLock: UnsafeMutablePointer<Spinlock> { withUnsafeMutablePointer(to: &lock) { $0 } }

    static func initialize(region: UnsafeMutableRawPointer, bytes: Int) {
        do throws(HeapError) {
            heap = try KernelHeap(region: region, size: bytes)
        } catch {
            kernelPanic("cannot set up the kernel heap")
        }
    }

    static func allocate(bytes: Int) -> UnsafeMutableRawPointer? {
        Spinlock.acquire(heapLock)
        defer { Spinlock.release(heapLock) }
        guard heap != nil else { return nil }
        return try? heap!.allocate(size: bytes)
    }

    static func free(_ pointer: UnsafeMutableRawPointer) {
        Spinlock.acquire(heapLock)
        defer { Spinlock.release(heapLock) }
        guard heap != nil else { return }
        do throws(HeapError) {
            try heap!.free(pointer)
        } catch {
            kernelPanic("kernel heap: bad free")
        }
    }
}

enum KernelHeapStatistics {
    /// Bytes handed out, headers included; what `kheap()` reports.
    static var bytesInUse: Int {
        Spinlock.acquire(KernelHeapArea.heapLock)
        defer { Spinlock.release(KernelHeapArea.heapLock) }
        switch KernelHeapArea.heap {
        case .some(let heap): return heap.statistics.bytesInUse
        case .none: return 0
        }
    }
}
