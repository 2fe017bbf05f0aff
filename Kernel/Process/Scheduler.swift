/// Round-robin scheduling, one loop per CPU over the shared process table.
/// The kernel runs with interrupts off except in the idle wait here, so
/// kernel code is never preempted; a process is preempted when its CPU's
/// timer interrupts it in user mode. Which process a CPU runs, and the
/// context its scheduler loop waits in, are in the CPU's record
/// (`CPUs.this`).
///
/// Locking: process states, sleep channels and `nextSlot` are guarded by
/// `Processes.lock` (the process table's spinlock). A switch between a
/// process and its CPU's scheduler loop happens with that lock held: the
/// side that switches away took it, the side that resumes gives it back
/// (a new process gives it back in `Scheduler.firstRunBegins`). So a
/// process is `.running` on exactly one CPU, and its context is saved
/// before any other CPU can see it `.runnable` and resume it.
enum Scheduler {
    /// The slot this CPU runs (-1 in its scheduler loop); the same as
    /// `Processes.current`.
    static var currentSlot: Int { CPUs.this.pointee.currentSlot }
    /// Where the round-robin search resumes (under `Processes.lock`).
    nonisolated(unsafe) static var nextSlot = 0
    /// Context switches since boot (under `Processes.lock`).
    nonisolated(unsafe) static var switches: UInt64 = 0
    /// Instruction-counter units (`Platform.readInstructionCounter`) spent
    /// with nothing to run, since boot (summed over the CPUs, under
    /// `Processes.lock`): from the first idle look at the
    /// table to the next process switched to, interrupts handled meanwhile
    /// included. Under QEMU's -icount an idle CPU's clock jumps ahead (and
    /// its ticks fire), so bench subtracts this (system call `idlecount`)
    /// to count only the work of the operation.
    nonisolated(unsafe) static var idleCount: UInt64 = 0

    /// The scheduler loop: runs each runnable process in turn, and waits
    /// for an interrupt when there is none.
    static func run() -> Never {
        let table = Processes.tableLock
        var idleSince: UInt64? = nil
        while true {
            Spinlock.acquire(table)
            CPUs.this.pointee.idle = false
            if let slot = nextRunnable() {
                if let since = idleSince {
                    idleCount &+= Platform.readInstructionCounter() &- since
                    idleSince = nil
                }
                let process = Processes.slots + slot
                process.pointee.state = .running
                let cpu = CPUs.this
                cpu.pointee.currentSlot = slot
                switches += 1
                Platform.willRun(slot: slot, space: process.pointee.space!)
                switch_context(&cpu.pointee.schedulerContext, &process.pointee.context)
                // Back with the table locked: the process is saved, and once
                // the lock is given back another CPU may resume or reap it.
                Platform.leftProcess(slot: slot)
                FloatingPointStates.leftCPU(slot)
                CPUs.this.pointee.currentSlot = -1
                Spinlock.release(table)
            } else {
                // Idle: said under the lock, so a CPU that makes a process
                // runnable from now on interrupts this one (`wakeIdleCPUs`);
                // then wait for an interrupt (that one, a key, a tick, a
                // shootdown), take it and look again. An interrupt sent
                // before the wait begins stays pending and ends it at once.
                CPUs.this.pointee.idle = true
                Spinlock.release(table)
                if idleSince == nil { idleSince = Platform.readInstructionCounter() }
                Platform.idleUntilInterrupt()
            }
        }
    }

    /// Every slot in use once (`Processes.slotsInUseBound`), from
    /// `nextSlot` round to the one before it. (The index wraps by
    /// comparison, not `%`: every context switch runs this.)
    private static func nextRunnable() -> Int? {
        let bound = Processes.slotsInUseBound
        var slot = nextSlot < bound ? nextSlot : 0
        for _ in 0..<bound {
            if Processes.slots[slot].state == .runnable {
                nextSlot = slot + 1
                return slot
            }
            slot = slot + 1 == bound ? 0 : slot + 1
        }
        return nil
    }

    /// Gives the CPU back to the scheduler; the caller set its own state
    /// (exit: a zombie, never resumed).
    static func switchToScheduler() {
        Spinlock.acquire(Processes.tableLock)
        switchHoldingTable()
        Spinlock.release(Processes.tableLock)
    }

    /// The switch itself, with `Processes.lock` held and no other spinlock
    /// (`LockChecks.maySwitch`). The interrupt state to restore belongs to
    /// this process's kernel thread, not to the CPU: it is kept across.
    /// (Exit calls it as a zombie, and never comes back.)
    static func switchHoldingTable() {
        LockChecks.maySwitch(holding: Processes.tableLock)
        let cpu = CPUs.this
        let interruptsWereEnabled = cpu.pointee.interruptsWereEnabled
        switch_context(&Processes.slots[cpu.pointee.currentSlot].context, &cpu.pointee.schedulerContext)
        CPUs.this.pointee.interruptsWereEnabled = interruptsWereEnabled
    }

    /// A new process's first switch lands in the architecture's first-run
    /// function, which calls this first: the scheduler switched holding
    /// the process table's lock.
    static func firstRunBegins() {
        Spinlock.release(Processes.tableLock)
    }

    /// Lets the next process run (timer preemption).
    static func yield() {
        Spinlock.acquire(Processes.tableLock)
        Processes.slots[Processes.current].state = .runnable
        switchHoldingTable()
        Spinlock.release(Processes.tableLock)
    }

    /// A preemption point for long work in a system call. The kernel runs
    /// with interrupts off, so the timer cannot preempt it: this takes the
    /// interrupts that are pending (the clock ticks; typed bytes reach the
    /// console ring and wake its reader) and, when the clock ticked, lets
    /// the other runnable processes run, as a tick in user mode would.
    /// Call it only on the process's own kernel stack (never on the shared
    /// scratch stack), holding no spinlock (turning interrupts on checks
    /// that) and with no shared structure half changed.
    static func preemptionPoint() {
        let before = Clock.ticks
        Platform.enableInterrupts()
        _ = Platform.disableInterrupts()
        if Clock.ticks != before { yield() }
    }

    /// Blocks the current process until `wakeup(channel)`. The caller holds
    /// `lock` and has checked its condition under it; the process table's
    /// lock is taken before `lock` is given up, and `wakeup` takes it too,
    /// so a wakeup between the check and the sleep cannot be lost. `lock` is
    /// held again on return.
    static func sleep(on channel: SleepChannel, releasing lock: UnsafeMutablePointer<Spinlock>) {
        let table = Processes.tableLock
        if lock != table {
            Spinlock.acquire(table)
            Spinlock.release(lock)
        }
        let slot = Processes.current
        Processes.slots[slot].channel = channel
        Processes.slots[slot].state = .sleeping
        switchHoldingTable()
        Processes.slots[slot].channel = nil
        if lock != table {
            Spinlock.release(table)
            Spinlock.acquire(lock)
        }
    }

    /// Makes every process sleeping on `channel` runnable.
    static func wakeup(_ channel: SleepChannel) {
        Spinlock.acquire(Processes.tableLock)
        wakeupHoldingTable(channel)
        Spinlock.release(Processes.tableLock)
    }

    /// `wakeup` for a caller that holds `Processes.lock` (exit, kill).
    static func wakeupHoldingTable(_ channel: SleepChannel) {
        var woken = 0
        for slot in 0..<Processes.slotsInUseBound
        where Processes.slots[slot].state == .sleeping && Processes.slots[slot].channel == channel {
            Processes.slots[slot].state = .runnable
            woken += 1
        }
        wakeIdleCPUs(woken)
    }

    /// The CPU that runs the process in `slot`, if one does (the caller
    /// holds `Processes.lock`, under which each CPU sets its `currentSlot`).
    @inline(never)
    static func cpuRunning(_ slot: Int) -> Int? {
        for index in 0..<CPUs.capacity where CPUs.isOnline(index) && CPUs.records[index].currentSlot == slot {
            return index
        }
        return nil
    }

    /// `count` processes just became runnable (the caller holds
    /// `Processes.lock`): interrupts up to that many idle CPUs, so they
    /// look at the table now instead of at their next tick. An interrupt
    /// handler running in this CPU's own idle wait (a disk or console
    /// interrupt) counts this CPU as one of them: it looks again next.
    /// Returns how many CPUs it interrupted.
    /// (Never inlined: it sits on the system calls' and the traps' paths,
    /// and a one-page kernel stack has no room for its frame in theirs.)
    @discardableResult @inline(never)
    static func wakeIdleCPUs(_ count: Int) -> Int {
        let me = CPUs.this
        var wanted = me.pointee.idle ? count - 1 : count
        var interrupted = 0
        var index = 0
        while wanted > 0 && index < CPUs.capacity {
            let cpu = CPUs.records + index
            if cpu != me && cpu.pointee.idle {
                cpu.pointee.idle = false
                Platform.interruptCPU(index)
                interrupted += 1
                wanted -= 1
            }
            index += 1
        }
        return interrupted
    }
}
