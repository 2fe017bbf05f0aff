extension Processes {
    /// The process table's spinlock: every slot's `state`, `channel` and
    /// `parent`, the exit status and ending exit and kill set, `nextPID`,
    /// and the scheduler's `nextSlot` (see `Scheduler`). Taken after any
    /// other spinlock a sleeper hands to `Scheduler.sleep(on:releasing:)`
    /// (docs/locks.md). The rest of a slot belongs to the CPU that runs
    /// its process (or to its maker while it is an embryo).
    nonisolated(unsafe) static var lock = Spinlock("process table")

    /// `lock`, by address (a global's storage does not move).
    static var tableLock: UnsafeMutablePointer<Spinlock> { withUnsafeMutablePointer(to: &lock) { $0 } }
}
