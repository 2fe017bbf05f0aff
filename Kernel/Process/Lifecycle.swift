/// fork, exit, wait and kill: how processes come and go.
enum Lifecycle {
    /// Copies the current process. Returns the child's pid to the parent and
    /// 0 to the child (through its registers), or -1 when the table or memory
    /// is full, in which case nothing of the child is left behind.
    static func fork() -> Int {
        let parent = Processes.current
        guard let child = Processes.allocate() else { return -1 }
        do throws(MapError) {
            // Built in the child's slot, not returned by `clone`: each move
            // of the space copies it whole.
            Processes.slots[child].space = try ProcessSpace(
                memory: Platform.physicalMemory, frames: PhysicalFrames.allocator, userWindow: Platform.userWindow)
            try Processes.slots[parent].space!.shareUserPages(with: &Processes.slots[child].space!)
            UserFrames.forget(slot: child)
        } catch {
            Processes.release(child)
            return -1
        }
        guard let frame = Platform.prepareProcessSpace(&Processes.slots[child].space!, slot: child) else {
            Processes.release(child)
            return -1
        }
        UserFrames.remember(slot: child, frame)
        // The child resumes where the parent trapped, with fork returning 0.
        UserFrames.of(child).pointee = UserFrames.of(parent).pointee
        UserFrames.of(child).pointee.result = 0
        FloatingPointStates.copy(from: parent, to: child)
        for fd in 0..<Process.maxOpenFiles where Processes.slots[parent].files[fd] >= 0 {
            OpenFiles.retain(Int(Processes.slots[parent].files[fd]))
            Processes.slots[child].files[fd] = Processes.slots[parent].files[fd]
        }
        if let cwd = Processes.slots[parent].cwd { Processes.slots[child].cwd = RootVolume.volume.duplicate(cwd) }
        Processes.slots[child].name = Processes.slots[parent].name
        Processes.copyLayout(from: parent, to: child)
        ProcessPageAudit.audit(slot: child)
        let pid = Processes.slots[child].pid
        Spinlock.acquire(Processes.tableLock)
        Processes.adopt(child, by: parent)
        Processes.slots[child].state = .runnable
        Scheduler.wakeIdleCPUs(1)
        Spinlock.release(Processes.tableLock)
        return pid
    }

    /// Ends the current process: closes its files, gives its children to
    /// init, and waits as a zombie for its parent. Never returns.
    static func exit(status: Int) -> Never {
        let slot = Processes.current
        if slot == Processes.initSlot { kernelPanic("init exited") }
        for fd in 0..<Process.maxOpenFiles where Processes.slots[slot].files[fd] >= 0 {
            OpenFiles.release(Int(Processes.slots[slot].files[fd]))
            Processes.slots[slot].files[fd] = -1
        }
        if let cwd = Processes.slots[slot].cwd {
            Processes.slots[slot].cwd = nil
            try? RootVolume.volume.close(cwd)
        }
        FloatingPointStates.forget(slot)
        // From here to the switch under the process table's lock: parents
        // and the zombie state change together, and a parent checks for
        // zombies under the same lock before it sleeps.
        // Only a process with children looks for them, and only until it
        // has seen them all.
        Spinlock.acquire(Processes.tableLock)
        var other = 0
        while Processes.slots[slot].children > 0 && other < Processes.capacity {
            if Processes.slots[other].parent == slot {
                Processes.adopt(other, by: Processes.initSlot)
                if Processes.slots[other].state == .zombie {
                    Scheduler.wakeupHoldingTable(SleepChannel(kind: .childExit, index: Processes.initSlot))
                }
            }
            other += 1
        }
        Processes.slots[slot].exitStatus = status
        if !Processes.slots[slot].killed { Processes.slots[slot].ending = ProcessEnding() }
        Processes.slots[slot].state = .zombie
        Scheduler.wakeupHoldingTable(SleepChannel(kind: .childExit, index: Processes.slots[slot].parent))
        Scheduler.switchHoldingTable()
        kernelPanic("zombie ran")
    }

    /// wait(int *status): waits for a child to exit and reaps it (its memory
    /// returns to the allocator here). Returns the child's pid, or -1 when
    /// the caller has no children, was killed while waiting, or `status` is
    /// a bad pointer; in that last case the child is not reaped, so the next
    /// wait still finds it. `status` may be null (0).
    static func wait(statusAddress: VirtualAddress) -> Int {
        reapChild { child in
            guard statusAddress.raw != 0 else { return true }
            var status = Int32(truncatingIfNeeded: Processes.slots[child].exitStatus).littleEndian
            return withUnsafeBytes(of: &status) { UserMemory.copyOut(to: statusAddress, from: $0) }
        }
    }

    /// waitinfo(struct exitinfo *info): wait, and how the child ended (its
    /// exit, a kill, or the fault that killed it: kind, address, pc), as
    /// one `ExitInfoRecord`. A bad pointer fails the call and reaps nothing.
    static func waitInfo(infoAddress: VirtualAddress) -> Int {
        reapChild { child in
            var record = ExitInfoRecord.make(slot: child)
            return withUnsafeBytes(of: &record) { UserMemory.copyOut(to: infoAddress, from: $0) }
        }
    }

    /// Waits for a zombie child of the caller and offers it to `deliver`,
    /// which copies what the caller learns about it into the caller's memory.
    /// The child is reaped only when `deliver` succeeded: a call that fails
    /// consumes nothing. Returns the child's pid or -1.
    ///
    /// The children are looked for under the process table's lock, which the
    /// caller sleeps through (`sleep(on:releasing:)`) and which exit holds
    /// to make a zombie and wake its parent. A zombie being reaped becomes
    /// an embryo with no parent, which nobody else touches, and is freed
    /// after the lock is given back.
    private static func reapChild(_ deliver: (_ child: Int) -> Bool) -> Int {
        let slot = Processes.current
        let table = Processes.tableLock
        Spinlock.acquire(table)
        while true {
            // The slots are looked at only until every child has been seen.
            var unseen = Processes.slots[slot].children
            var child = 0
            while unseen > 0 && child < Processes.capacity {
                defer { child += 1 }
                guard Processes.slots[child].parent == slot else { continue }
                unseen -= 1
                if Processes.slots[child].state == .zombie {
                    guard deliver(child) else {
                        Spinlock.release(table)
                        return -1
                    }
                    let pid = Processes.slots[child].pid
                    Processes.slots[child].state = .embryo
                    Processes.adopt(child, by: -1)
                    Spinlock.release(table)
                    Processes.release(child)
                    return pid
                }
            }
            guard Processes.slots[slot].children > 0, !Processes.slots[slot].killed else {
                Spinlock.release(table)
                return -1
            }
            Scheduler.sleep(on: SleepChannel(kind: .childExit, index: slot), releasing: table)
        }
    }

    /// Marks a process killed; it exits the next time it leaves the kernel
    /// or wakes up. Returns false when there is no such process, and for
    /// init: the system cannot go on without it (its exit is a panic), and
    /// no program may bring the kernel down.
    /// Under the process table's lock: a process running on another CPU
    /// finds `killed` at its next trap, which the interrupt sent to that
    /// CPU brings at once (in user mode; in the kernel, at its next exit).
    @inline(never)
    static func kill(pid: Int) -> Bool {
        Spinlock.acquire(Processes.tableLock)
        defer { Spinlock.release(Processes.tableLock) }
        guard let slot = Processes.slot(ofPID: pid), Processes.slots[slot].state != .zombie,
            Processes.slots[slot].state != .embryo,
            slot != Processes.initSlot
        else { return false }
        if !Processes.slots[slot].killed { Processes.slots[slot].ending = ProcessEnding(cause: .killed) }
        Processes.slots[slot].killed = true
        switch Processes.slots[slot].state {
        case .sleeping:
            Processes.slots[slot].state = .runnable
            Scheduler.wakeIdleCPUs(1)
        case .running:
            // Its CPU takes the interrupt and the process exits on the way
            // back to user mode, without waiting for that CPU's tick.
            if let cpu = Scheduler.cpuRunning(slot), cpu != CPUs.this.pointee.id { Platform.interruptCPU(cpu) }
        default:
            break
        }
        return true
    }

    /// halt(status): powers the machine off. Only init may, and only in the
    /// images whose init ends the run with it (check and bench); any other
    /// caller gets -1, so no program can stop the machine.
    static func halt(status: UInt64) -> Int {
        guard BootMode.current.initMayPowerOff, Processes.current == Processes.initSlot else { return -1 }
        Disk.logStatistics()
        Platform.powerOff(status: UInt16(truncatingIfNeeded: status))
    }
}
