/// Round-robin scheduling. The kernel runs with interrupts off except in
/// the idle loop here, so kernel code is never preempted; a process is
/// preempted when the timer interrupts it in user mode. Which process a CPU
/// runs, and the context its scheduler loop waits in, are in the CPU's
/// record (`CPUs.this`).
enum Scheduler {
    /// The slot this CPU runs (-1 in its scheduler loop); the same as
    /// `Processes.current`.
    static var currentSlot: Int { CPUs.this.pointee.currentSlot }
    /// Where the round-robin search resumes.
    nonisolated(unsafe) static var nextSlot = 0
    /// Context switches since boot.
    nonisolated(unsafe) static var switches: UInt64 = 0

    /// The scheduler loop: runs each runnable process in turn, and waits
    /// for an interrupt when there is none.
    static func run() -> Never {
        while true {
            if let slot = nextRunnable() {
                let process = Processes.slots + slot
                process.pointee.state = .running
                let cpu = CPUs.this
                cpu.pointee.currentSlot = slot
                switches += 1
                Platform.willRun(slot: slot, space: process.pointee.space!)
                switch_context(&cpu.pointee.schedulerContext, &process.pointee.context)
                cpu.pointee.currentSlot = -1
            } else {
                // Idle: let an interrupt in (a key, a tick), then look again.
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
        let cpu = CPUs.this
        switch_context(&Processes.slots[cpu.pointee.currentSlot].context, &cpu.pointee.schedulerContext)
    }

    /// Lets the next process run (timer preemption).
    static func yield() {
        Processes.slots[Processes.current].state = .runnable
        switchToScheduler()
    }

    /// Blocks the current process until `wakeup(channel)`.
    static func sleep(on channel: SleepChannel) {
        let slot = Processes.current
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
