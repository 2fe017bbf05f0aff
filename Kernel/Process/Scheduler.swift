/// Round-robin scheduling on one CPU. The kernel runs with interrupts off
/// except in the idle loop here, so kernel code is never preempted and needs
/// no locks; a process is preempted when the timer interrupts it in user
/// mode. (More CPUs would add a lock around the process table.)
enum Scheduler {
    nonisolated(unsafe) static var currentSlot = -1
    nonisolated(unsafe) static var schedulerContext = KernelContext()
    /// Where the round-robin search resumes.
    nonisolated(unsafe) static var nextSlot = 0
    /// Context switches since boot.
    nonisolated(unsafe) static var switches: UInt64 = 0
    /// Instruction-counter units (`Platform.readInstructionCounter`) spent
    /// with nothing to run, since boot: from the first idle look at the
    /// table to the next process switched to, interrupts handled meanwhile
    /// included. Under QEMU's -icount an idle CPU's clock jumps ahead (and
    /// its ticks fire), so bench subtracts this (system call `idlecount`)
    /// to count only the work of the operation. Written by this CPU's
    /// scheduler loop, with interrupts off.
    nonisolated(unsafe) static var idleCount: UInt64 = 0

    /// The scheduler loop: runs each runnable process in turn, and waits
    /// for an interrupt when there is none.
    static func run() -> Never {
        var idleSince: UInt64? = nil
        while true {
            if let slot = nextRunnable() {
                if let since = idleSince {
                    idleCount &+= Platform.readInstructionCounter() &- since
                    idleSince = nil
                }
                let process = Processes.slots + slot
                process.pointee.state = .running
                currentSlot = slot
                switches += 1
                Platform.willRun(slot: slot, space: process.pointee.space!)
                switch_context(&schedulerContext, &process.pointee.context)
                currentSlot = -1
            } else {
                // Idle: let an interrupt in (a key, a tick), then look again.
                if idleSince == nil { idleSince = Platform.readInstructionCounter() }
                Platform.enableInterrupts()
                Platform.waitForInterrupt()
                _ = Platform.disableInterrupts()
            }
        }
    }

    /// Every slot once, from `nextSlot` round to the one before it. (The
    /// index wraps by comparison, not `%`: every context switch runs this.)
    private static func nextRunnable() -> Int? {
        var slot = nextSlot < Processes.capacity ? nextSlot : 0
        for _ in 0..<Processes.capacity {
            if Processes.slots[slot].state == .runnable {
                nextSlot = slot + 1
                return slot
            }
            slot = slot + 1 == Processes.capacity ? 0 : slot + 1
        }
        return nil
    }

    /// Gives the CPU back to the scheduler; the caller set its own state.
    static func switchToScheduler() {
        let slot = currentSlot
        switch_context(&Processes.slots[slot].context, &schedulerContext)
    }

    /// Lets the next process run (timer preemption).
    static func yield() {
        Processes.slots[currentSlot].state = .runnable
        switchToScheduler()
    }

    /// A preemption point for long work in a system call. The kernel runs
    /// with interrupts off, so the timer cannot preempt it: this takes the
    /// interrupts that are pending (the clock ticks; typed bytes reach the
    /// console ring and wake its reader) and, when the clock ticked, lets
    /// the other runnable processes run, as a tick in user mode would.
    /// Call it only on the process's own kernel stack (never on the shared
    /// scratch stack) and with no shared structure half changed.
    static func preemptionPoint() {
        let before = Clock.ticks
        Platform.enableInterrupts()
        _ = Platform.disableInterrupts()
        if Clock.ticks != before { yield() }
    }

    /// Blocks the current process until `wakeup(channel)`.
    static func sleep(on channel: SleepChannel) {
        let slot = currentSlot
        Processes.slots[slot].channel = channel
        Processes.slots[slot].state = .sleeping
        switchToScheduler()
        Processes.slots[slot].channel = nil
    }

    /// Makes every process sleeping on `channel` runnable.
    static func wakeup(_ channel: SleepChannel) {
        for slot in 0..<Processes.capacity
        where Processes.slots[slot].state == .sleeping && Processes.slots[slot].channel == channel {
            Processes.slots[slot].state = .runnable
        }
    }
}
