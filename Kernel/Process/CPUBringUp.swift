/// Starting the CPUs other than the boot CPU, the same on every
/// architecture: the boot CPU calls `startOthers` once the process table,
/// the frames and the file system are ready; the architecture starts each
/// other CPU (`Platform.startOtherCPUs`), which runs its own setup and then
/// `joinScheduler`. docs/per-cpu.md has the sequence for each architecture.
extension CPUs {
    /// How many CPUs run the scheduler, the boot CPU included. Written once
    /// by the boot CPU in `startOthers`, before the first process exists;
    /// read-only after. The `cpucount` system call reports it.
    nonisolated(unsafe) private(set) static var running = 1

    /// Boot CPU: marks itself online, starts the others and waits (at most
    /// `startTimeoutSeconds`) until each has joined the scheduler.
    static func startOthers() {
        let boot = this
        _ = Platform.atomicSwap(&boot.pointee.online, 1)
        announce(boot.pointee.id)
        let expected = 1 + Platform.startOtherCPUs()
        let deadline = Platform.readCounter() &+ startTimeoutSeconds * Platform.counterFrequency
        while onlineCount < expected && Platform.readCounter() < deadline {}
        running = onlineCount
        if running != expected { kernelPanic("a CPU did not join the scheduler in time") }
        Console.write("cpus         ")
        Console.write(decimal: UInt64(running))
        Console.line(" running the scheduler")
    }

    /// Every CPU but the boot CPU ends its architecture setup here, with
    /// interrupts off and the kernel's page table and trap vector loaded:
    /// installs its record, starts its timer, says so, and runs processes.
    static func joinScheduler(index: Int) -> Never {
        start(index: index)
        Platform.startTimerOnThisCPU()
        announce(index)
        _ = Platform.atomicSwap(&this.pointee.online, 1)
        Scheduler.run()
    }

    /// Every architecture's inter-processor interrupt handler calls this
    /// (`Platform.interruptCPU`): counts it and serves a TLB shootdown that
    /// waits for this CPU. A wake-up needs nothing more: the interrupt
    /// ended the idle wait, and the scheduler loop looks again.
    @inline(never)
    static func crossCPUInterruptTaken() {
        let cpu = this
        cpu.pointee.crossCPUInterrupts &+= 1
        TLBShootdown.serve()
    }

    /// How long the boot CPU waits for the others.
    static let startTimeoutSeconds: UInt64 = 30

    /// CPUs that run the scheduler now.
    static var onlineCount: Int {
        var count = 0
        for index in 0..<capacity where isOnline(index) { count += 1 }
        return count
    }

    static func isOnline(_ index: Int) -> Bool {
        Platform.atomicLoad(&records[index].online) != 0
    }

    /// The boot log's line for each CPU, the same on every architecture.
    private static func announce(_ index: Int) {
        // One piece: CPUs starting together must not split each other's line.
        Console.whole {
            Console.write("cpu ")
            Console.write(decimal: UInt64(index))
            Console.line(" started")
        }
    }
}
