/// What the kernel keeps for one CPU. Only the CPU itself reads or writes
/// its own record (with interrupts off, or from code no interrupt handler
/// re-enters), so the record needs no lock. The exceptions: `online` and
/// `crossCPUInterrupts`, which other CPUs read, and `shootdownPending`,
/// which a TLB shootdown's requester sets, each touched only with the
/// atomic operations; and `idle`, under the process table's lock.
///
/// The first three fields are read by assembly at fixed offsets (through
/// the GS base on x86-64, through tp on RISC-V): `CPUs.verifyLayout` stops
/// the boot if Swift lays them out differently.
struct CPURecord {
    /// Offset 0: the record's own address, so `%gs:0` gives it on x86-64.
    var selfAddress: UInt64 = 0
    /// Offset 8: the architecture's entry scratch word (x86-64: the user
    /// stack pointer between `syscall` and the frame being built).
    var entryScratch: UInt64 = 0
    /// Offset 16: the top of this CPU's stack for exceptions in kernel mode
    /// (RISC-V's trap.S moves there; 0 where the architecture has none).
    var faultStackTop: UInt64 = 0
    /// This CPU's index into `CPUs.records` (RISC-V: its hart id; x86-64:
    /// 0 for the boot processor).
    var id: Int = 0
    /// The process slot this CPU runs, or -1 while it runs its scheduler.
    var currentSlot: Int = -1
    /// Where `switchToScheduler` goes back to: the scheduler loop's context.
    var schedulerContext = KernelContext()
    /// How many `CPUs.disableInterrupts` calls have not been undone yet
    /// (every held spinlock counts one).
    var interruptDisableDepth: Int = 0
    /// Whether interrupts were on before the outermost of those calls: the
    /// last `CPUs.restoreInterrupts` turns them on again only then.
    var interruptsWereEnabled = false
    /// The spinlock this CPU took last of those it holds, nil when it holds
    /// none: the head of its list of held locks, which goes on through each
    /// lock's `Spinlock.heldBefore` (for the checks and their panic
    /// messages). Beside the interrupt nesting above, so a lock's taking
    /// and giving back touch one place of the record.
    var lastHeldLock: UnsafeMutablePointer<Spinlock>? = nil
    /// The process slot whose floating-point registers this CPU's unit
    /// holds, or -1 (`FloatingPointStates`).
    var floatingPointOwner: Int = -1
    /// 1 once this CPU runs its scheduler loop (`CPUs.joinScheduler`);
    /// written by this CPU, read by others through `Platform.atomicLoad`.
    var online: UInt32 = 0
    /// 1 while a TLB shootdown waits for this CPU: set by the requester
    /// (holding `TLBShootdown.lock`), cleared by this CPU once it flushed.
    var shootdownPending: UInt32 = 0
    /// Shootdowns this CPU has served (flushed and acknowledged) since boot.
    var shootdownsServed: UInt64 = 0
    /// Check images: what this CPU read at the request's probe address when
    /// it served a probing shootdown (`TLBShootdown.probeOtherCPUs`).
    var probedWord: UInt64 = 0
    /// True while this CPU's scheduler loop found nothing to run and waits
    /// (or is about to wait) for an interrupt. Under `Processes.lock`: set
    /// by this CPU before it gives the lock up to wait, cleared by it when
    /// it looks at the table again, and by a CPU that makes a process
    /// runnable and interrupts it (`Scheduler.wakeIdleCPUs`).
    var idle = false
    /// Inter-processor interrupts this CPU has taken since boot (a
    /// shootdown's, or a wake-up's): counted by this CPU's handler, read by
    /// others (`Platform.atomicLoad`) in the CPU self-checks.
    var crossCPUInterrupts: UInt32 = 0
    /// The address of the page fault this CPU is handling, read by the
    /// trap entry before anything else could fault (x86-64: CR2).
    var faultAddress: UInt64 = 0
}

/// The per-CPU records: one per CPU the kernel may run on, reached in O(1)
/// from the CPU itself (`Platform.thisCPU`: RISC-V's tp holds the record's
/// address in kernel mode; on x86-64 the GS base does, swapped in with
/// `swapgs` on every entry from user mode). The boot CPU starts its own at
/// boot; every other CPU starts its own in `joinScheduler`.
enum CPUs {
    static let capacity = 8
    nonisolated(unsafe) private static var storage: InlineArray<8, CPURecord> = .init(repeating: CPURecord())
    /// Whether the boot CPU has its record (`start`); before that nothing
    /// may ask for `this` (the console takes no lock then).
    nonisolated(unsafe) private(set) static var started = false

    /// The first record; record i is at `records + i` (a global's storage
    /// does not move).
    static var records: UnsafeMutablePointer<CPURecord> {
        withUnsafeMutablePointer(to: &storage) { UnsafeMutableRawPointer($0).assumingMemoryBound(to: CPURecord.self) }
    }

    /// The record of the CPU running this code.
    static var this: UnsafeMutablePointer<CPURecord> { Platform.thisCPU }

    /// Fills in record `index` and makes it this CPU's (`Platform.installCPU`);
    /// called once on each CPU, first thing, before any trap can come.
    static func start(index: Int) {
        guard index >= 0, index < capacity else { kernelPanic("CPU index out of range") }
        let record = records + index
        record.initialize(to: CPURecord())
        record.pointee.id = index
        record.pointee.selfAddress = UInt64(UInt(bitPattern: record))
        Platform.installCPU(record)
        verifyLayout()
        if CPUs.this != record { kernelPanic("this CPU does not find its own record") }
        started = true
    }

    /// The fixed offsets assembly relies on (see `CPURecord`), and the one
    /// gdb's `swiftlet proc` reads (Tools/gdb/swiftlet.py).
    private static func verifyLayout() {
        let base = records
        let slotOffset = withUnsafeMutablePointer(to: &base.pointee.currentSlot) { UInt(bitPattern: $0) } &- UInt(bitPattern: base)
        if slotOffset != 32 { kernelPanic("CPURecord.currentSlot is not where gdb looks for it") }
        let selfOffset = withUnsafeMutablePointer(to: &base.pointee.selfAddress) { UInt(bitPattern: $0) } &- UInt(bitPattern: base)
        let scratchOffset = withUnsafeMutablePointer(to: &base.pointee.entryScratch) { UInt(bitPattern: $0) } &- UInt(bitPattern: base)
        let faultOffset = withUnsafeMutablePointer(to: &base.pointee.faultStackTop) { UInt(bitPattern: $0) } &- UInt(bitPattern: base)
        if selfOffset != 0 || scratchOffset != 8 || faultOffset != 16 { kernelPanic("CPURecord's layout does not match the entry code") }
    }
}

extension CPUs {
    /// Turns interrupts off on this CPU, counting nested calls; the matching
    /// `restoreInterrupts` calls undo them, and only the outermost one turns
    /// interrupts back on, and only if they were on before. Returns this
    /// CPU's record (interrupts off: the code stays on this CPU until the
    /// matching restore), so a caller needs no second lookup.
    @discardableResult
    @inline(__always)
    static func disableInterrupts() -> UnsafeMutablePointer<CPURecord> {
        let wasEnabled = Platform.disableInterrupts()
        let cpu = this
        let depth = cpu.pointee.interruptDisableDepth
        if depth == 0 { cpu.pointee.interruptsWereEnabled = wasEnabled }
        // Cannot overflow: every level is a call still on this CPU's stack.
        cpu.pointee.interruptDisableDepth = depth &+ 1
        return cpu
    }

    static func restoreInterrupts() { restoreInterrupts(this) }

    /// `restoreInterrupts` with this CPU's record in hand.
    /// (Inline into `Spinlock.release`: every call it makes is a tail
    /// call, so the release needs no frame.)
    @inline(__always)
    static func restoreInterrupts(_ cpu: UnsafeMutablePointer<CPURecord>) {
        let depth = cpu.pointee.interruptDisableDepth
        if Platform.interruptsEnabled || depth < 1 { return restoreRefused(depth) }
        cpu.pointee.interruptDisableDepth = depth &- 1
        if depth == 1 && cpu.pointee.interruptsWereEnabled { Platform.enableInterrupts() }
    }

    /// The panic of a `restoreInterrupts` that finds interrupts on, or no
    /// disabling left to undo. (Returns nothing rather than `Never`, so
    /// that its callers reach it with a tail call and keep no frame.)
    @inline(never)
    private static func restoreRefused(_ depth: Int) {
        if Platform.interruptsEnabled { kernelPanic("interrupts came on inside a disabled stretch") }
        if depth < 1 { kernelPanic("interrupts restored more often than disabled") }
    }
}
