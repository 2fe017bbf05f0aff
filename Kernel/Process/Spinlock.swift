/// A lock held for short stretches that never sleep. While a CPU holds any
/// spinlock its interrupts are off (`CPUs.disableInterrupts`, nested), so an
/// interrupt handler on the same CPU cannot wait for a lock its own CPU
/// holds; the last release turns them back on if they were on.
///
/// The checks stay on in every image, each a panic that names the lock:
/// taking a lock this CPU already holds, releasing one it does not hold,
/// sleeping or returning to user mode while holding one (`LockChecks`), and
/// turning interrupts on while one is held. docs/locks.md lists every lock
/// and the order they are taken in.
struct Spinlock {
    /// What the lock guards, for the panic messages.
    let name: StaticString
    /// 1 while held. Taken with an atomic swap, given back with a release
    /// store (`Platform.atomicSwap`, `Platform.atomicClear`).
    private(set) var word: UInt32 = 0
    /// The record of the CPU that holds it, or nil. Written only by that
    /// CPU, after its swap took the word and before it gives the word back,
    /// so it equals a CPU's own record exactly while that CPU holds it.
    private(set) var holder: UnsafeMutablePointer<CPURecord>? = nil
    /// While held: the lock its CPU took before this one and still holds
    /// (nil for none). With `CPURecord.lastHeldLock` these links make the
    /// CPU's list of held locks, newest first, kept in the locks themselves:
    /// taking and giving back in reverse order touch only its head. Only
    /// the holder reads or writes it; meaningless while the lock is free.
    private(set) var heldBefore: UnsafeMutablePointer<Spinlock>? = nil

    init(_ name: StaticString) { self.name = name }

    /// Takes the lock at `lock`, spinning while another CPU holds it. (The
    /// uncontended path calls nothing but tail calls, so it needs no frame
    /// and no saved registers.)
    static func acquire(_ lock: UnsafeMutablePointer<Spinlock>) {
        let cpu = CPUs.disableInterrupts()
        if lock.pointee.holder == cpu { return refuseSecondTake(lock, cpu) }
        if Platform.atomicSwap(wordPointer(lock), 1) != 0 { return acquireContended(lock, cpu) }
        noteHeld(lock, by: cpu)
    }

    /// Takes the lock at `lock` if it is free; false (and nothing held)
    /// when another CPU holds it.
    static func tryAcquire(_ lock: UnsafeMutablePointer<Spinlock>) -> Bool {
        let cpu = CPUs.disableInterrupts()
        if lock.pointee.holder == cpu {
            refuseSecondTake(lock, cpu)
            return false
        }
        guard Platform.atomicSwap(wordPointer(lock), 1) == 0 else {
            CPUs.restoreInterrupts(cpu)
            return false
        }
        noteHeld(lock, by: cpu)
        return true
    }

    /// `acquire` of a lock another CPU holds: spins until it is free.
    /// While spinning (interrupts off) this CPU still answers TLB
    /// shootdowns: the holder may be waiting for it.
    @inline(never)
    private static func acquireContended(_ lock: UnsafeMutablePointer<Spinlock>, _ cpu: UnsafeMutablePointer<CPURecord>) {
        while Platform.atomicSwap(wordPointer(lock), 1) != 0 { TLBShootdown.serve() }
        noteHeld(lock, by: cpu)
    }

    /// This CPU holds `lock` already: a violation, and the interrupt
    /// disabling is undone (only a probing self-check gets past it).
    @inline(never)
    private static func refuseSecondTake(_ lock: UnsafeMutablePointer<Spinlock>, _ cpu: UnsafeMutablePointer<CPURecord>) {
        LockChecks.violated("spinlock taken twice by one CPU", lock)
        CPUs.restoreInterrupts(cpu)
    }

    @inline(__always)
    private static func noteHeld(_ lock: UnsafeMutablePointer<Spinlock>, by cpu: UnsafeMutablePointer<CPURecord>) {
        lock.pointee.holder = cpu
        lock.pointee.heldBefore = cpu.pointee.lastHeldLock
        cpu.pointee.lastHeldLock = lock
    }

    @inline(__always)
    private static func wordPointer(_ lock: UnsafeMutablePointer<Spinlock>) -> UnsafeMutablePointer<UInt32> {
        withUnsafeMutablePointer(to: &lock.pointee.word) { $0 }
    }

    /// Gives back the lock at `lock`, which this CPU must hold. Locks are
    /// usually given back in the reverse order of taking: then `lock` is
    /// the head of this CPU's list, and nothing is searched.
    static func release(_ lock: UnsafeMutablePointer<Spinlock>) {
        let cpu = CPUs.this
        guard cpu.pointee.lastHeldLock == lock else { return releaseOutOfOrder(lock, cpu) }
        cpu.pointee.lastHeldLock = lock.pointee.heldBefore
        giveBack(lock, cpu)
    }

    /// `release` of a lock that is not the last one taken: finds it in this
    /// CPU's list and unlinks it; a violation when this CPU does not hold it.
    @inline(never)
    private static func releaseOutOfOrder(_ lock: UnsafeMutablePointer<Spinlock>, _ cpu: UnsafeMutablePointer<CPURecord>) {
        var above: UnsafeMutablePointer<Spinlock>? = nil
        var link = cpu.pointee.lastHeldLock
        while let held = link, held != lock {
            above = held
            link = held.pointee.heldBefore
        }
        guard link != nil, lock.pointee.holder == cpu, let above else {
            LockChecks.violated("spinlock released by a CPU that does not hold it", lock)
            return
        }
        above.pointee.heldBefore = lock.pointee.heldBefore
        giveBack(lock, cpu)
    }

    @inline(__always)
    private static func giveBack(_ lock: UnsafeMutablePointer<Spinlock>, _ cpu: UnsafeMutablePointer<CPURecord>) {
        lock.pointee.holder = nil
        Platform.atomicClear(wordPointer(lock))
        CPUs.restoreInterrupts(cpu)
    }

    /// True when the CPU running this code holds the lock.
    var isHeldByThisCPU: Bool { isHeld(by: CPUs.this) }

    /// True when the CPU of record `cpu` holds the lock.
    @inline(__always)
    func isHeld(by cpu: UnsafeMutablePointer<CPURecord>) -> Bool { holder == cpu }
}

/// The checks of the lock discipline that are not inside `Spinlock` itself,
/// and the one place every violation goes.
enum LockChecks {
    /// Before interrupts come on: no spinlock may be held. (Inline: the
    /// test is two loads; only a violation calls out.)
    @inline(__always)
    static func interruptsMayComeOn() {
        if let held = firstHeld { violated("interrupts enabled while holding spinlock", held) }
    }

    /// Before a return to user mode: no spinlock may be held.
    @inline(__always)
    static func mayReturnToUser() {
        if let held = firstHeld { violated("returning to user mode while holding spinlock", held) }
    }

    /// Before a process gives the CPU up (sleep, yield, exit): it holds
    /// `allowed` (the process table's lock, which the switch needs) and
    /// nothing else.
    static func maySwitch(holding allowed: UnsafeMutablePointer<Spinlock>) {
        var link = CPUs.this.pointee.lastHeldLock
        while let held = link {
            if held != allowed {
                violated("sleeping while holding spinlock", held)
                return
            }
            link = held.pointee.heldBefore
        }
        if !allowed.pointee.isHeldByThisCPU { violated("switching to the scheduler without holding", allowed) }
    }

    /// A broken rule: a panic naming `lock`, or, while a self-check probes
    /// the checks (`probing`), a note of it (the caller then goes on without
    /// doing what was refused).
    @inline(never)
    static func violated(_ message: StaticString, _ lock: UnsafeMutablePointer<Spinlock>) {
        guard probing else { kernelPanic(message, naming: lock.pointee.name) }
        probedViolations += 1
        probedLock = lock
    }

    /// For the self-checks (LockSelfChecks) only: boot CPU, no process yet.
    nonisolated(unsafe) static var probing = false
    nonisolated(unsafe) static var probedViolations = 0
    nonisolated(unsafe) static var probedLock: UnsafeMutablePointer<Spinlock>? = nil

    /// The lock this CPU took last of those it holds, nil when none.
    @inline(__always)
    private static var firstHeld: UnsafeMutablePointer<Spinlock>? { CPUs.this.pointee.lastHeldLock }
}
