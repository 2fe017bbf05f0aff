/// Self-checks of the lock discipline (`Spinlock`, `LockChecks`). Each rule
/// is broken on purpose while the checks probe (`LockChecks.probing`): the
/// violation is noted instead of panicking, and the check holds when exactly
/// one was noted, naming the right lock, and the CPU is left with no lock
/// held and interrupts as they were. That the rule really panics, naming the
/// lock, is shown by the lock-panic image (`make check`).
enum LockSelfChecks {
    nonisolated(unsafe) static var first = Spinlock("self-check lock A")
    nonisolated(unsafe) static var second = Spinlock("self-check lock B")
    static var a: UnsafeMutablePointer<Spinlock> { withUnsafeMutablePointer(to: &first) { $0 } }
    static var b: UnsafeMutablePointer<Spinlock> { withUnsafeMutablePointer(to: &second) { $0 } }

    /// Interrupts are off while any lock is held, through nesting, and come
    /// back on with the outermost release (the checks run with them on).
    static func interruptsOffWhileHeld() -> Bool {
        let before = Platform.interruptsEnabled
        Spinlock.acquire(a)
        let offInside = !Platform.interruptsEnabled && a.pointee.isHeldByThisCPU
        Spinlock.acquire(b)
        Spinlock.release(b)
        let offAfterInner = !Platform.interruptsEnabled && !b.pointee.isHeldByThisCPU
        Spinlock.release(a)
        let cpu = CPUs.this
        return before && offInside && offAfterInner && Platform.interruptsEnabled && !a.pointee.isHeldByThisCPU
            && cpu.pointee.lastHeldLock == nil && cpu.pointee.interruptDisableDepth == 0
    }

    /// The kernel's locks are globals reached by pointer: the pointer must be
    /// the global's own storage (a copy would lock nothing), so a lock taken
    /// through it reads as held through the global itself.
    static func lockPointersReachTheGlobals() -> Bool {
        var all = true
        Spinlock.acquire(Processes.tableLock)
        all = all && Processes.lock.isHeldByThisCPU
        Spinlock.release(Processes.tableLock)
        Spinlock.acquire(Clock.tickLock)
        all = all && Clock.lock.isHeldByThisCPU
        Spinlock.release(Clock.tickLock)
        Spinlock.acquire(KernelHeapArea.heapLock)
        all = all && KernelHeapArea.lock.isHeldByThisCPU
        Spinlock.release(KernelHeapArea.heapLock)
        Spinlock.acquire(PhysicalFrames.allocatorLock)
        all = all && PhysicalFrames.lock.isHeldByThisCPU
        Spinlock.release(PhysicalFrames.allocatorLock)
        Spinlock.acquire(KernelFileSystemHost.spinlock(.bufferCache))
        all = all && KernelFileSystemHost.bufferCacheLock.isHeldByThisCPU
        Spinlock.release(KernelFileSystemHost.spinlock(.bufferCache))
        return all && !Processes.lock.isHeldByThisCPU && !Clock.lock.isHeldByThisCPU
            && !KernelHeapArea.lock.isHeldByThisCPU && !PhysicalFrames.lock.isHeldByThisCPU
            && !KernelFileSystemHost.bufferCacheLock.isHeldByThisCPU
    }

    static func takenTwiceIsRefused() -> Bool {
        probe(expecting: a) {
            Spinlock.acquire(a)
            Spinlock.acquire(a)
            Spinlock.release(a)
        }
    }

    static func releaseNotHeldIsRefused() -> Bool {
        probe(expecting: a) { Spinlock.release(a) }
    }

    static func interruptsOnWithLockIsRefused() -> Bool {
        probe(expecting: a) {
            Spinlock.acquire(a)
            Platform.enableInterrupts()
            _ = Platform.disableInterrupts()
            Spinlock.release(a)
        }
    }

    static func returnToUserWithLockIsRefused() -> Bool {
        probe(expecting: b) {
            Spinlock.acquire(b)
            LockChecks.mayReturnToUser()
            Spinlock.release(b)
        }
    }

    /// Sleeping holding anything but the process table's lock.
    static func sleepWithLockIsRefused() -> Bool {
        probe(expecting: a) {
            Spinlock.acquire(Processes.tableLock)
            Spinlock.acquire(a)
            LockChecks.maySwitch(holding: Processes.tableLock)
            Spinlock.release(a)
            Spinlock.release(Processes.tableLock)
        }
    }

    private static func probe(expecting lock: UnsafeMutablePointer<Spinlock>, _ body: () -> Void) -> Bool {
        LockChecks.probedViolations = 0
        LockChecks.probedLock = nil
        LockChecks.probing = true
        body()
        LockChecks.probing = false
        let cpu = CPUs.this
        return LockChecks.probedViolations == 1 && LockChecks.probedLock == lock && cpu.pointee.lastHeldLock == nil
            && cpu.pointee.interruptDisableDepth == 0 && !lock.pointee.isHeldByThisCPU
    }

    #if SWIFTLET_LOCK_PANIC_CHECK
    /// The lock-panic image: takes a real lock twice; the panic must name it.
    static func takeTwiceForReal() -> Never {
        Console.line("check: taking the tick counter's spinlock twice (a panic must follow)")
        Spinlock.acquire(Clock.tickLock)
        Spinlock.acquire(Clock.tickLock)
        kernelPanic("a spinlock was taken twice and nothing stopped it")
    }
    #endif
}
