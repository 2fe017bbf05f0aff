extension Processes {
    /// The process table's spinlock: every slot's `state` and `channel`,
    /// and the scheduler's `nextSlot` (see `Scheduler`). Taken after any
    /// other spinlock a sleeper hands to `Scheduler.sleep(on:releasing:)`
    /// (docs/locks.md). The rest of a slot (pid, parent, files, space) is
    /// still guarded by the single CPU, interrupts off, for now.
    nonisolated(unsafe) static var lock = Spinlock("process table")

    /// `lock`, by address (a global's storage does not move).
    static var tableLock: UnsafeMutablePointer<Spinlock> { withUnsafeMutablePointer(to: &lock) { $0 } }
}
