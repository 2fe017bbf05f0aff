/// The in-kernel self-checks of a check image (`make check`), run before
/// paging and processes start. Each check prints one line, "check: <what>
/// ... ok" or "... FAILED", and the run ends with "self-check: N passed, M
/// failed". A failure powers the machine off with status 1; otherwise the
/// boot goes on to the in-guest test programs.
struct SelfCheck {
    private(set) var passed: UInt64 = 0
    private(set) var failed: UInt64 = 0

    /// Runs one check; `body` returns whether it held.
    mutating func check(_ name: StaticString, _ body: () -> Bool) {
        Console.write("check: ")
        Console.write(name)
        Console.write(" ... ")
        if body() {
            passed += 1
            Console.line("ok")
        } else {
            failed += 1
            Console.line("FAILED")
        }
    }

    static func runAll() {
        var run = SelfCheck()
        run.check("number text: decimal and grouped hex", BootChecks.numberText)
        run.check("kernel image lies below free memory", BootChecks.imageBelowFreeMemory)
        run.check("layout table validates and matches the image", LayoutChecks.kernelLayoutMatchesImage)
        run.check("frame allocator owns all free RAM but its bitmap", BootChecks.freeFrameCount)
        run.check("allocate, use and free one frame", BootChecks.allocateAndFreeFrame)
        run.check("double free of a frame is refused", BootChecks.doubleFreeRefused)
        run.check("allocate 16 contiguous frames aligned to 64 KiB", BootChecks.contiguousFrames)
        if PhysicalFrames.highRAM != nil {
            run.check("frames above the direct map come first, reached through their window", HighRAMChecks.framesThroughWindow)
            run.check("an address space built in frames above the direct map", HighRAMChecks.addressSpaceInHighRAM)
        }
        run.check("breakpoint traps to the kernel handler and returns", BootChecks.breakpointTrap)
        run.check("timer ticks advance at the programmed rate", BootChecks.timerTicks)
        run.check("console input arrives by interrupt (loopback)", BootChecks.consoleInputInterrupt)
        run.check("a spinlock keeps interrupts off until its outermost release", LockSelfChecks.interruptsOffWhileHeld)
        run.check("the kernel's spinlocks are taken in their globals", LockSelfChecks.lockPointersReachTheGlobals)
        run.check("a spinlock taken twice by one CPU is refused", LockSelfChecks.takenTwiceIsRefused)
        run.check("releasing a spinlock this CPU does not hold is refused", LockSelfChecks.releaseNotHeldIsRefused)
        run.check("enabling interrupts with a spinlock held is refused", LockSelfChecks.interruptsOnWithLockIsRefused)
        run.check("returning to user mode with a spinlock held is refused", LockSelfChecks.returnToUserWithLockIsRefused)
        run.check("sleeping with a spinlock held is refused", LockSelfChecks.sleepWithLockIsRefused)

        run.finish("self-check: ")
    }

    /// The architecture's own checks (processor protections, descriptor
    /// tables, what user mode can reach), run once the kernel page table is
    /// live and before the first process.
    static func runArchitectureChecks() {
        var run = SelfCheck()
        Platform.architectureChecks(&run)
        run.finish("architecture self-check: ")
    }

    /// Once the other CPUs have joined the scheduler (`CPUs.startOthers`),
    /// before the first process: they idle, waiting for interrupts.
    static func runCPUChecks() {
        var run = SelfCheck()
        run.check("every started CPU runs its scheduler loop", CPUChecks.everyStartedCPUIsOnline)
        run.check("a TLB shootdown is acknowledged by every other CPU", CPUChecks.shootdownReachesEveryCPU)
        run.check(
            "after a shared kernel page is remapped, every other CPU reads the new frame there",
            CPUChecks.remappedPageReadsNewFrameEverywhere)
        run.check("a process made runnable interrupts the idle CPUs", CPUChecks.wakeupInterruptsIdleCPUs)
        run.finish("cpu self-check: ")
    }

    /// The closing line; a failure powers the machine off with status 1.
    private func finish(_ title: StaticString) {
        Console.write(title)
        Console.write(decimal: passed)
        Console.write(" passed, ")
        Console.write(decimal: failed)
        Console.line(" failed")
        if failed != 0 { Platform.powerOff(status: 1) }
    }
}
