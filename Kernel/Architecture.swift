/// What the portable kernel needs from a processor and its machine. Each
/// architecture conforms once, in `Kernel/Arch/<arch>/Platform.swift`, and
/// that file also says `typealias Platform = ...`. The Makefile compiles one
/// architecture's directory into an image, so portable code says `Platform`
/// and never asks which architecture it runs on.
protocol Architecture {
    /// One phrase for the boot banner, such as "riscv64, QEMU virt".
    static var machineName: StaticString { get }

    /// Writes one byte to the console, waiting until the device takes it.
    static func consolePut(_ byte: UInt8)
    /// Self-check aid: while on, console output is routed straight back to
    /// console input (through the same interrupt path as typed keys) instead
    /// of the screen.
    static func setConsoleLoopback(_ on: Bool)

    /// Lets interrupts in on this CPU (panics if it holds a spinlock:
    /// implementations call `LockChecks.interruptsMayComeOn` first).
    static func enableInterrupts()
    /// Whether interrupts are on on this CPU.
    static var interruptsEnabled: Bool { get }
    /// Keeps interrupts out on this CPU; returns whether they were enabled.
    static func disableInterrupts() -> Bool
    /// Sleeps until an interrupt has been taken (or returns early: it may
    /// wake spuriously).
    static func waitForInterrupt()

    /// Makes `record` this CPU's `thisCPU` (RISC-V: tp; x86-64: the GS
    /// base), with whatever the architecture's entry code needs in it.
    static func installCPU(_ record: UnsafeMutablePointer<CPURecord>)
    /// The record of the CPU running this code, in O(1) (`CPUs`).
    static var thisCPU: UnsafeMutablePointer<CPURecord> { get }
    /// Swaps `value` into `word` atomically; returns the old value. Later
    /// memory accesses are not moved before it (acquire).
    static func atomicSwap(_ word: UnsafeMutablePointer<UInt32>, _ value: UInt32) -> UInt32
    /// Stores 0 into `word`; earlier memory accesses are visible first (release).
    static func atomicClear(_ word: UnsafeMutablePointer<UInt32>)
    /// Reads `word` from memory (never a value kept in a register); later
    /// memory accesses are not moved before it (acquire).
    static func atomicLoad(_ word: UnsafeMutablePointer<UInt32>) -> UInt32

    /// The idle CPU's wait: sleeps until an interrupt is pending and lets
    /// it be taken, with no window in which one is taken before the sleep
    /// and then waited for; returns with interrupts off (panics if this
    /// CPU holds a spinlock, like `enableInterrupts`).
    static func idleUntilInterrupt()

    /// Boot CPU, once: starts every other CPU the machine has (up to
    /// `CPUs.capacity`), each of which runs its architecture setup and then
    /// `CPUs.joinScheduler(index:)`. Returns how many it started; the
    /// caller (`CPUs.startOthers`) waits until they have joined.
    static func startOtherCPUs() -> Int
    /// Starts this CPU's periodic timer interrupt (`tickRate` per second);
    /// called by each CPU but the boot CPU, whose timer the boot code starts.
    static func startTimerOnThisCPU()
    /// Sends CPU `index` an inter-processor interrupt: it leaves its idle
    /// wait (`idleUntilInterrupt`), or traps to the kernel from user mode,
    /// and its handler calls `CPUs.crossCPUInterruptTaken` (which serves a
    /// TLB shootdown that waits for it). Nothing happens before that CPU
    /// enables interrupts.
    static func interruptCPU(_ index: Int)
    /// Drops this CPU's cached translations of `range` (it may drop more).
    static func flushLocalTranslations(_ range: VirtualRange)

    /// A free-running counter that never goes back, and its ticks per second.
    static func readCounter() -> UInt64
    static var counterFrequency: UInt64 { get }
    /// Instructions executed since reset, or the closest counter the CPU
    /// offers (for `BootFigures`; under QEMU's `-icount` it is exact).
    static func readInstructionCounter() -> UInt64
    /// Timer interrupts per second.
    static var tickRate: UInt64 { get }

    /// The physical memory the kernel image occupies, and the RAM after it
    /// that the frame allocator may own.
    static var kernelImage: PhysicalRange { get }
    static var freeMemory: PhysicalRange { get }
    /// How the kernel reaches a frame, wherever the frame allocator got it
    /// (before paging: identity). Page tables and address spaces keep one.
    associatedtype Memory: PhysicalMemory
    static var physicalMemory: Memory { get }
    /// Every frame the allocator may ever own, for the size of its bitmap:
    /// `freeMemory`, and RAM the architecture adds later, once it can reach
    /// it (`PhysicalFrames.addHighRAM`). Defaults to `freeMemory`.
    static var allocatorSpan: PhysicalRange { get }
    /// The kernel's address space as the layout table states it, for this
    /// image (the linker decides where text and data end).
    static var kernelLayout: LayoutTable { get }
    /// Which virtual addresses the paging scheme can express.
    static var addressRule: AddressRule { get }

    /// Executes one breakpoint instruction. With `TrapProbe` armed, the trap
    /// handler records the trap and steps over the instruction.
    static func breakpoint()
    /// Where that breakpoint instruction is, and the trap cause it raises.
    static var breakpointAddress: UInt64 { get }
    static var breakpointCause: UInt64 { get }

    /// Memory for `ScratchStack` with an unmapped guard page below it,
    /// mapped in every address space; nil until the boot has placed it.
    static var scratchStack: UnsafeMutableRawBufferPointer? { get }

    /// Check images (`CPUChecks`): maps the frame at `frame` read-write at a
    /// kernel address every CPU shares, the way the kernel changes such a
    /// mapping after boot, calls `body` with the address, then unmaps it and
    /// shoots it down on every CPU (`TLBShootdown.kernelMappingsChanged`)
    /// before returning `body`'s answer; false if it cannot map.
    static func withSharedKernelPage(mapping frame: PhysicalAddress, _ body: (VirtualAddress) -> Bool) -> Bool

    /// Runs the architecture's self-checks of a check image (`run.check`
    /// for each), with the kernel page table live and no process yet.
    static func architectureChecks(_ run: inout SelfCheck)

    /// Ends the machine: under QEMU, QEMU exits with `status` (0 = success).
    static func powerOff(status: UInt16) -> Never
    /// Stops this CPU for good, interrupts off.
    static func halt() -> Never
}

extension Architecture {
    static var allocatorSpan: PhysicalRange { freeMemory }
}

/// What the portable process code needs from an architecture: how a
/// process's address space is finished, where its saved user registers
/// live, and how a new process first enters the kernel.
protocol ProcessArchitecture {
    associatedtype Paging: PagingScheme
    associatedtype UserFrame: UserRegisterFile

    /// The largest page the kernel's direct map may use.
    static var largestKernelPage: PageSize { get }
    /// ELF machine of user programs.
    static var elfMachine: ElfMachine { get }
    /// The part of every address space that belongs to the user.
    static var userWindow: UserWindow { get }
    /// The layout table of a process's address space, for naming fault addresses.
    static var processLayout: LayoutTable { get }
    /// What a loaded program's segments may occupy.
    static var userRules: UserRegionRules { get }
    /// Where stack, guard and heap of a loaded program go.
    static func userImageLayout(for plan: LoadPlan) throws(UserLayoutError) -> UserImageLayout

    /// Switches to the kernel page table whose root is at `root`.
    static func enablePaging(root: PhysicalAddress)
    /// True when the boot code has already built the kernel page table from
    /// the layout table (with frames from `PhysicalFrames`), put it in
    /// `KernelPaging.table` and runs on it; `startPaging` then only audits it.
    /// False when `startPaging` is to build it and call `enablePaging`.
    static func adoptKernelPageTable() -> Bool
    /// Sets up the kernel heap (`KernelHeapArea`) in the architecture's place for it.
    static func startKernelHeap()

    /// Maps the per-process kernel pages (trap frame and trampoline, or the
    /// kernel stack and shared kernel tables) into a new address space.
    /// Returns where the space keeps the process's saved user registers
    /// (for `UserFrames`, which then needs no walk), or nil when memory ran out.
    static func prepareProcessSpace(_ space: inout ProcessSpace, slot: Int) -> UnsafeMutablePointer<UserFrame>?
    /// Writes what exec knows about the image into pages of the new space
    /// that the layout defines (the metadata page); true when done.
    static func finishImage(_ space: inout ProcessSpace, plan: LoadPlan, layout: UserImageLayout, pid: Int) -> Bool
    /// Sets a new process's kernel context so that its first switch lands in
    /// `processFirstRun` on its own kernel stack.
    static func prepareKernelEntry(slot: Int, context: inout KernelContext)
    /// Finds the saved user registers of the process in `slot` in its
    /// address space (a page-table walk; `UserFrames` keeps the answer).
    static func locateUserFrame(_ slot: Int) -> UnsafeMutablePointer<UserFrame>
    /// Bytes of one process's saved floating-point state (a multiple of 16).
    static var floatingPointStateBytes: Int { get }
    /// Writes the state a program starts with into `area`.
    static func initialFloatingPointState(_ area: UnsafeMutableRawPointer)
    /// Saves the unit's registers into `area` if they may differ from what
    /// `area` holds (RISC-V: only when sstatus.FS says Dirty).
    static func saveFloatingPoint(_ area: UnsafeMutableRawPointer)
    /// Loads the unit's registers from `area`.
    static func loadFloatingPoint(_ area: UnsafeMutableRawPointer)
    /// Called by the scheduler just before it switches to `slot`.
    static func willRun(slot: Int, space: borrowing ProcessSpace)
    /// Called by the scheduler right after the process in `slot` switched
    /// back to it, holding the process table's lock: from here on another
    /// CPU may reap the process and free its address space, so this CPU
    /// must stop using it (x86-64: its page table is still in CR3).
    static func leftProcess(slot: Int)
    /// Called by exec when nothing can fail any more, just before `space`
    /// replaces the address space of the process in `slot` (and the old one
    /// is freed). Exec runs on the scratch stack, never on the process's own
    /// kernel stack, so an architecture whose kernel stack lives in the
    /// address space can move it over here.
    static func willReplaceSpace(slot: Int, with space: borrowing ProcessSpace)
    /// Leaves the kernel into the current process's user mode.
    static func returnToUser() -> Never
}

/// Saved user registers, as system calls and exec see them.
protocol UserRegisterFile {
    var syscallNumber: UInt64 { get }
    func argument(_ index: Int) -> UInt64
    /// The system call's return value register.
    var result: UInt64 { get set }
    var programCounter: UInt64 { get set }
    var stackPointer: UInt64 { get set }
    /// Steps past the system-call instruction so the call is not repeated.
    mutating func advancePastSystemCall()
    /// Starts a fresh program: all registers zero but these.
    mutating func start(entry: VirtualAddress, stack: VirtualAddress, argc: UInt64, argv: VirtualAddress)
}
