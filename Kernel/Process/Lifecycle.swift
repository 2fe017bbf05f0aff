/// fork, exit, wait and kill: how processes come and go.
enum Lifecycle {
    /// Copies the current process. Returns the child's pid to the parent and
    /// 0 to the child (through its registers), or -1 when the table or memory
    /// is full, in which case nothing of the child is left behind.
    static func fork() -> Int {
        let parent = Processes.current
        guard let child = Processes.allocate() else { return -1 }
        do throws(MapError) {
            Processes.slots[child].space = try Processes.slots[parent].space!.clone()
            UserFrames.forget(slot: child)
        } catch {
            Processes.release(child)
            return -1
        }
        guard Platform.prepareProcessSpace(&Processes.slots[child].space!, slot: child) else {
            Processes.release(child)
            return -1
        }
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
        Processes.slots[child].layout = Processes.slots[parent].layout
        Processes.slots[child].parent = parent
        Processes.slots[child].state = .runnable
        return Processes.slots[child].pid
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
        for other in 0..<Processes.capacity where Processes.slots[other].parent == slot {
            Processes.slots[other].parent = Processes.initSlot
            if Processes.slots[other].state == .zombie {
                Scheduler.wakeup(SleepChannel(kind: .childExit, index: Processes.initSlot))
            }
        }
        Processes.slots[slot].exitStatus = status
        FloatingPointStates.forget(slot)
        Processes.slots[slot].state = .zombie
        Scheduler.wakeup(SleepChannel(kind: .childExit, index: Processes.slots[slot].parent))
        Scheduler.switchToScheduler()
        kernelPanic("zombie ran")
    }

    /// Waits for a child to exit and reaps it: its memory returns to the
    /// allocator here. Returns the child's pid and status, or nil when the
    /// caller has no children (or was killed while waiting).
    static func wait() -> (pid: Int, status: Int)? {
        let slot = Processes.current
        while true {
            var haveChildren = false
            for child in 0..<Processes.capacity
            where Processes.slots[child].parent == slot
                && Processes.slots[child].state != .unused
            {
                haveChildren = true
                if Processes.slots[child].state == .zombie {
                    let result = (Processes.slots[child].pid, Processes.slots[child].exitStatus)
                    Processes.release(child)
                    return result
                }
            }
            guard haveChildren, !Processes.slots[slot].killed else { return nil }
            Scheduler.sleep(on: SleepChannel(kind: .childExit, index: slot))
        }
    }

    /// Marks a process killed; it exits the next time it leaves the kernel
    /// or wakes up. Returns false when there is no such process, and for
    /// init: the system cannot go on without it (its exit is a panic), and
    /// no program may bring the kernel down.
    static func kill(pid: Int) -> Bool {
        guard let slot = Processes.slot(ofPID: pid), Processes.slots[slot].state != .zombie,
            slot != Processes.initSlot
        else { return false }
        Processes.slots[slot].killed = true
        if Processes.slots[slot].state == .sleeping { Processes.slots[slot].state = .runnable }
        return true
    }
}
