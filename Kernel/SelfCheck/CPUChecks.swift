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
