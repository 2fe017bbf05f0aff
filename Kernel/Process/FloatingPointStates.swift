/// Every process's floating-point registers (f0-f31 and fcsr on RISC-V, the
/// FXSAVE area on x86-64), in one area per process slot. The kernel itself
/// never computes with floating point, so the unit keeps a process's
/// registers across its stay in the kernel and across switches to
/// processes that do not return to user mode before it runs again: the
/// registers move only when another process is about to return to user mode
/// (`resume`). Then the owner's registers are saved (on RISC-V only if it
/// changed them: sstatus.FS is Dirty) and the next process's loaded.
///
/// Who may touch it: the CPU that runs the owning process, with interrupts
/// off (kernel mode). Today one CPU. With SMP, `owner` becomes per CPU, and
/// a process that moves to another CPU must be saved by its old one first.
enum FloatingPointStates {
    /// The slot whose registers the unit holds; -1 when none does.
    nonisolated(unsafe) static var owner = -1
    /// The areas, `Platform.floatingPointStateBytes` per slot, in frames of
    /// their own taken once at the first process.
    nonisolated(unsafe) private static var areas: UnsafeMutableRawPointer? = nil

    static func area(_ slot: Int) -> UnsafeMutableRawPointer {
        if areas == nil { takeFrames() }
        return areas.unsafelyUnwrapped + slot * Platform.floatingPointStateBytes
    }

    /// Before the process in `slot` returns to user mode: the unit gets its registers.
    static func resume(_ slot: Int) {
        guard owner != slot else { return }
        if owner >= 0 { Platform.saveFloatingPoint(area(owner)) }
        Platform.loadFloatingPoint(area(slot))
        owner = slot
    }

    /// A new program (a new process, or exec) starts from the initial state.
    static func reset(_ slot: Int) {
        Platform.initialFloatingPointState(area(slot))
        if owner == slot { owner = -1 }
    }

    /// fork: the child starts with the parent's registers as they are now.
    static func copy(from parent: Int, to child: Int) {
        if owner == parent { Platform.saveFloatingPoint(area(parent)) }
        area(child).copyMemory(from: area(parent), byteCount: Platform.floatingPointStateBytes)
        if owner == child { owner = -1 }
    }

    /// The process in `slot` is gone: its registers need not be saved.
    static func forget(_ slot: Int) {
        if owner == slot { owner = -1 }
    }

    private static func takeFrames() {
        let bytes = UInt64(Processes.capacity * Platform.floatingPointStateBytes)
        let count = (bytes + pageBytes - 1) / pageBytes
        guard let first = try? PhysicalFrames.allocator.pointee.allocateContiguous(count: count),
            let pointer = Platform.physicalMemory.pointer(to: first.address, count: count * pageBytes)
        else { kernelPanic("no frames for the floating-point save areas") }
        areas = pointer
    }
}
