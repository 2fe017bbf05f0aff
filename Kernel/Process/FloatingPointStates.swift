/// Every process's floating-point registers (f0-f31 and fcsr on RISC-V, the
/// FXSAVE area on x86-64), in one area per process slot. The kernel itself
/// never computes with floating point, so the unit keeps a process's
/// registers across its stay in the kernel and across switches to
/// processes that do not return to user mode before it runs again: the
/// registers move only when another process is about to return to user mode
/// (`resume`). Then the owner's registers are saved (on RISC-V only if it
/// changed them: sstatus.FS is Dirty) and the next process's loaded.
///
/// Who may touch it: each CPU's unit holds at most one process's registers,
/// named by its record's `floatingPointOwner`, which only that CPU reads or
/// writes (in kernel mode, interrupts off). With one CPU the registers stay
/// in the unit lazily as described. With several, a process may next run on
/// another CPU, so its registers are saved when it leaves a CPU
/// (`leftCPU`, from the scheduler loop): an owner is then always the
/// process the CPU runs, never one another CPU may resume. A slot's area is
/// touched only by the CPU that runs the slot's process (or by its parent's
/// fork, before the child can run).
enum FloatingPointStates {
    /// The areas, `Platform.floatingPointStateBytes` per slot, in frames of
    /// their own taken once with the process table (`initialize`).
    nonisolated(unsafe) private static var areas: UnsafeMutableRawPointer? = nil

    /// The slot whose registers this CPU's unit holds; -1 when none does.
    static var owner: Int {
        get { CPUs.this.pointee.floatingPointOwner }
        set { CPUs.this.pointee.floatingPointOwner = newValue }
    }

    static func area(_ slot: Int) -> UnsafeMutableRawPointer {
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

    /// The process in `slot` switched back to this CPU's scheduler loop.
    /// With several CPUs running it may resume on another: its registers go
    /// to its area now, while this CPU's unit still holds them.
    static func leftCPU(_ slot: Int) {
        guard CPUs.running > 1, owner == slot else { return }
        Platform.saveFloatingPoint(area(slot))
        owner = -1
    }

    /// The process in `slot` is gone: its registers need not be saved.
    static func forget(_ slot: Int) {
        if owner == slot { owner = -1 }
    }

    /// Boot, with the process table: takes the frames for the areas.
    static func initialize() {
        let bytes = UInt64(Processes.capacity * Platform.floatingPointStateBytes)
        let count = (bytes + pageBytes - 1) / pageBytes
        guard let first = try? PhysicalFrames.allocator.pointee.allocateContiguous(count: count),
            let pointer = Platform.physicalMemory.pointer(to: first.address, count: count * pageBytes)
        else { kernelPanic("no frames for the floating-point save areas") }
        areas = pointer
    }
}
