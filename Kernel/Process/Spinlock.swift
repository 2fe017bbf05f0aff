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
    /// The CPU that holds it, or -1.
    private(set) var holderCPU: Int = -1

    init(_ name: StaticString) { self.name = name }

    /// Takes the lock at `lock`, spinning while another CPU holds it.
    static func acquire(_ lock: UnsafeMutablePointer<Spinlock>) {
        let cpu = CPUs.disableInterrupts()
        if refuses(lock, cpu) { return }
        let word = withUnsafeMutablePointer(to: &lock.pointee.word) { $0 }
        // While spinning (interrupts off) this CPU still answers TLB
        // shootdowns: the holder may be waiting for it.
        while Platform.atomicSwap(word, 1) != 0 { TLBShootdown.serve() }
        noteHeld(lock, by: cpu)
    }

    /// Takes the lock at `lock` if it is free; false (and nothing held)
    /// when another CPU holds it.
    static func tryAcquire(_ lock: UnsafeMutablePointer<Spinlock>) -> Bool {
        let cpu = CPUs.disableInterrupts()
        if refuses(lock, cpu) { return false }
        guard Platform.atomicSwap(withUnsafeMutablePointer(to: &lock.pointee.word) { $0 }, 1) == 0 else {
            CPUs.restoreInterrupts(cpu)
            return false
        }
        noteHeld(lock, by: cpu)
        return true
    }

    /// The checks before taking: this CPU must not hold `lock` already, and
    /// must have room to record it. A refusal has undone the interrupt
    /// disabling (only a probing self-check gets past the violation).
    @inline(__always)
    private static func refuses(_ lock: UnsafeMutablePointer<Spinlock>, _ cpu: UnsafeMutablePointer<CPURecord>) -> Bool {
        guard lock.pointee.isHeld(by: cpu) || cpu.pointee.heldLockCount == cpu.pointee.heldLocks.count else { return false }
        refuse(lock, cpu)
        return true
    }

    @inline(never)
    private static func refuse(_ lock: UnsafeMutablePointer<Spinlock>, _ cpu: UnsafeMutablePointer<CPURecord>) {
        LockChecks.violated(
            lock.pointee.isHeld(by: cpu) ? "spinlock taken twice by one CPU" : "too many spinlocks held at once", lock)
        CPUs.restoreInterrupts(cpu)
    }

    @inline(__always)
    private static func noteHeld(_ lock: UnsafeMutablePointer<Spinlock>, by cpu: UnsafeMutablePointer<CPURecord>) {
        lock.pointee.holderCPU = cpu.pointee.id
        cpu.pointee.heldLocks[cpu.pointee.heldLockCount] = lock
        cpu.pointee.heldLockCount += 1
    }

    /// Gives back the lock at `lock`, which this CPU must hold. Locks are
    /// usually given back in the reverse order of taking: the last entry of
    /// this CPU's list is tried first.
    static func release(_ lock: UnsafeMutablePointer<Spinlock>) {
        let cpu = CPUs.this
        let last = cpu.pointee.heldLockCount - 1
        if last >= 0 && cpu.pointee.heldLocks[last] == lock && lock.pointee.isHeld(by: cpu) {
            cpu.pointee.heldLocks[last] = nil
            cpu.pointee.heldLockCount = last
        } else if !forgetOutOfOrder(lock, cpu) {
            return
        }
        lock.pointee.holderCPU = -1
        Platform.atomicClear(withUnsafeMutablePointer(to: &lock.pointee.word) { $0 })
        CPUs.restoreInterrupts(cpu)
    }

    /// `release` of a lock that is not the last one taken: finds it in this
    /// CPU's list and closes the gap; false (a violation) when this CPU
    /// does not hold it.
    @inline(never)
    private static func forgetOutOfOrder(_ lock: UnsafeMutablePointer<Spinlock>, _ cpu: UnsafeMutablePointer<CPURecord>) -> Bool {
        var index = cpu.pointee.heldLockCount - 1
        while index >= 0 && cpu.pointee.heldLocks[index] != lock { index -= 1 }
        guard lock.pointee.isHeld(by: cpu), index >= 0 else {
            LockChecks.violated("spinlock released by a CPU that does not hold it", lock)
            return false
        }
        while index + 1 < cpu.pointee.heldLockCount {
            cpu.pointee.heldLocks[index] = cpu.pointee.heldLocks[index + 1]
            index += 1
        }
        cpu.pointee.heldLockCount -= 1
        cpu.pointee.heldLocks[cpu.pointee.heldLockCount] = nil
        return true
    }

    /// True when the CPU running this code holds the lock.
    var isHeldByThisCPU: Bool { isHeld(by: CPUs.this) }

    /// True when the CPU of record `cpu` holds the lock.
    @inline(__always)
    func isHeld(by cpu: UnsafeMutablePointer<CPURecord>) -> Bool { word != 0 && holderCPU == cpu.pointee.id }
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
        let cpu = CPUs.this
        for index in 0..<cpu.pointee.heldLockCount {
            if let held = cpu.pointee.heldLocks[index], held != allowed {
                violated("sleeping while holding spinlock", held)
                return
            }
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

    @inline(__always)
    private static var firstHeld: UnsafeMutablePointer<Spinlock>? {
        let cpu = CPUs.this
        return cpu.pointee.heldLockCount > 0 ? cpu.pointee.heldLocks[0] : nil
    }
}
