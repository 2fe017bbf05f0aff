/// Self-checks of the multiprocessor machinery, run on the boot CPU right
/// after the other CPUs have joined the scheduler (no process exists yet,
/// so they wait for interrupts in their idle loops).
enum CPUChecks {
    /// `CPUs.running` counts exactly the records marked online, the boot
    /// CPU's among them.
    static func everyStartedCPUIsOnline() -> Bool {
        Console.write("(")
        Console.write(decimal: UInt64(CPUs.running))
        Console.write(" CPUs) ")
        return CPUs.onlineCount == CPUs.running && CPUs.isOnline(CPUs.this.pointee.id)
    }

    /// A shootdown returns only once every other online CPU has flushed
    /// (its count of served requests went up by exactly one), and the
    /// requester itself serves none.
    static func shootdownReachesEveryCPU() -> Bool {
        var before = InlineArray<8, UInt64>(repeating: 0)
        for index in 0..<CPUs.capacity { before[index] = CPUs.records[index].shootdownsServed }
        let image = Platform.kernelImage.start.raw
        guard let range = VirtualRange(start: VirtualAddress(image), end: VirtualAddress(image + pageBytes)) else { return false }
        TLBShootdown.kernelMappingsChanged(range)
        let me = CPUs.this.pointee.id
        var served = 0
        for index in 0..<CPUs.capacity {
            let expected: UInt64 = index != me && CPUs.isOnline(index) ? 1 : 0
            if CPUs.records[index].shootdownsServed != before[index] + expected { return false }
            served += Int(expected)
        }
        return served == CPUs.running - 1
    }
}

extension CPUChecks {
    /// A shared kernel page is remapped onto another frame: once the unmap
    /// has been shot down, every other CPU reads the new frame's contents
    /// through the same address. Each first reads the old frame there, so
    /// its TLB holds the old translation; a CPU the shootdown missed would
    /// read the old frame's pattern again.
    static func remappedPageReadsNewFrameEverywhere() -> Bool {
        guard CPUs.running > 1 else { return true }
        return FrameAllocator.withTwoFrames(from: PhysicalFrames.allocator) { old, new in
            let memory = Platform.physicalMemory
            let oldPattern: UInt64 = 0x0D0D_0D0D_0D0D_0D0D
            let newPattern: UInt64 = 0x4E4E_4E4E_4E4E_4E4E
            memory.store64(old.address, oldPattern)
            memory.store64(new.address, newPattern)
            var first: UInt64 = 0
            let oldSeen = Platform.withSharedKernelPage(mapping: old.address) { page in
                first = page.raw
                guard let range = VirtualRange(start: page, end: VirtualAddress(page.raw + pageBytes)),
                    let word = UnsafePointer<UInt64>(bitPattern: UInt(page.raw))
                else { return false }
                TLBShootdown.probeOtherCPUs(flushing: range, reading: word)
                return everyOtherCPURead(oldPattern)
            }
            // Mapped again at the same address (the first fit of the window
            // is the range just given back), read with nothing flushed.
            let newSeen = Platform.withSharedKernelPage(mapping: new.address) { page in
                guard page.raw == first, let word = UnsafePointer<UInt64>(bitPattern: UInt(page.raw)) else {
                    return false
                }
                TLBShootdown.probeOtherCPUs(flushing: nil, reading: word)
                return everyOtherCPURead(newPattern)
            }
            return oldSeen && newSeen
        }
    }

    private static func everyOtherCPURead(_ pattern: UInt64) -> Bool {
        let me = CPUs.this.pointee.id
        for index in 0..<CPUs.capacity where index != me && CPUs.isOnline(index) {
            if CPUs.records[index].probedWord != pattern { return false }
        }
        return true
    }

    /// A process made runnable interrupts every idle CPU it needs: with
    /// nothing to run, each other CPU says it is idle; waking as many as
    /// there are interrupts each (`Scheduler.wakeIdleCPUs`, as fork and
    /// wakeup do), and each takes the interrupt and looks at the process
    /// table again (it says it is idle again). A CPU that waited for its
    /// next tick instead would still count the interrupt, later: the
    /// benchmark (make bench-smp) shows the difference, this the delivery.
    static func wakeupInterruptsIdleCPUs() -> Bool {
        let others = CPUs.running - 1
        guard others > 0 else { return true }
        let table = Processes.tableLock
        let me = CPUs.this.pointee.id
        let deadline = Platform.readCounter() &+ 5 * Platform.counterFrequency
        // Every other CPU reaches its idle wait (they have just joined).
        while idleCount(excluding: me) != others {
            if Platform.readCounter() > deadline { return false }
        }
        var before = InlineArray<8, UInt32>(repeating: 0)
        for index in 0..<CPUs.capacity { before[index] = Platform.atomicLoad(&CPUs.records[index].crossCPUInterrupts) }
        Spinlock.acquire(table)
        let interrupted = Scheduler.wakeIdleCPUs(others)
        var stillIdle = 0
        for index in 0..<CPUs.capacity where CPUs.records[index].idle { stillIdle += 1 }
        Spinlock.release(table)
        guard interrupted == others, stillIdle == 0 else { return false }
        for index in 0..<CPUs.capacity where index != me && CPUs.isOnline(index) {
            while Platform.atomicLoad(&CPUs.records[index].crossCPUInterrupts) == before[index] {
                if Platform.readCounter() > deadline { return false }
            }
        }
        while idleCount(excluding: me) != others {
            if Platform.readCounter() > deadline { return false }
        }
        return true
    }

    /// Other CPUs that say they are idle (read under the table's lock).
    private static func idleCount(excluding me: Int) -> Int {
        Spinlock.acquire(Processes.tableLock)
        var count = 0
        for index in 0..<CPUs.capacity where index != me && CPUs.records[index].idle { count += 1 }
        Spinlock.release(Processes.tableLock)
        return count
    }
}
