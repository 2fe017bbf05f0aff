import Synchronization

/// Self-checks of the check image for the other CPUs' start and for TLB
/// shootdowns (run by `X86_64.architectureChecks`, on the boot processor).
enum MultiprocessorChecks {
    /// The MADT parser on a table of its own: the enabled processors' APIC
    /// ids in order, a disabled one left out, the interrupt override read;
    /// a bad checksum refused; an entry running past the table's end stops
    /// the walk without reading beyond it.
    static func madtListsEnabledProcessors() -> Bool {
        var table = InlineArray<96, UInt8>(repeating: 0)
        let length = 86
        // Header: "APIC", length; local APIC address 0xFEE0_0000 at 36.
        let signature: InlineArray<4, UInt8> = [0x41, 0x50, 0x49, 0x43]
        for index in 0..<4 { table[index] = signature[index] }
        table[4] = UInt8(length)
        table[38] = 0xE0
        table[39] = 0xFE
        // Processor entries (type 0, 8 bytes): UID, APIC id, flags bit 0.
        let processors: InlineArray<4, (apicID: UInt8, enabled: UInt8)> = [(0, 1), (2, 1), (5, 0), (7, 1)]
        for index in 0..<4 {
            let entry = 44 + 8 * index
            table[entry] = 0
            table[entry + 1] = 8
            table[entry + 2] = UInt8(index)
            table[entry + 3] = processors[index].apicID
            table[entry + 4] = processors[index].enabled
        }
        // An interrupt source override (type 2, 10 bytes): ISA 0 on GSI 2.
        table[76] = 2
        table[77] = 10
        table[80] = 2
        setChecksum(&table, length: length)
        guard let info = parse(&table, length: length), info.processors == 3, info.startableCount == 3,
            info.processorAPICIDs[0] == 0, info.processorAPICIDs[1] == 2, info.processorAPICIDs[2] == 7,
            info.isaRoute(0).gsi == 2, info.localAPIC == PhysicalAddress(0xFEE0_0000)
        else { return false }
        // A wrong checksum: refused.
        table[9] &+= 1
        guard parse(&table, length: length) == nil else { return false }
        // The override's length now runs past the end: the walk stops there.
        table[77] = 20
        setChecksum(&table, length: length)
        guard let cut = parse(&table, length: length), cut.processors == 3, cut.isaRoute(0).gsi == 0 else { return false }
        return true
    }

    private static func setChecksum(_ table: inout InlineArray<96, UInt8>, length: Int) {
        table[9] = 0
        var sum: UInt8 = 0
        for index in 0..<length { sum &+= table[index] }
        table[9] = 0 &- sum
    }

    private static func parse(_ table: inout InlineArray<96, UInt8>, length: Int) -> InterruptControllers? {
        withUnsafeBytes(of: &table) { ACPI.parseMADT($0.baseAddress!, length: UInt64(length)) }
    }

    /// Every started CPU is online and the count matches the MADT's (up to
    /// `CPUs.capacity`).
    static func everyListedCPUStarted() -> Bool {
        let online = ApplicationProcessors.online.load(ordering: .acquiring)
        return online == min(ApplicationProcessors.listed, CPUs.capacity) && online >= 1
    }

    /// A kernel-extra page every CPU has cached is unmapped, and the same
    /// virtual page is mapped again onto another frame: every other CPU
    /// must read the new frame's contents. A CPU whose TLB kept the old
    /// entry (no shootdown) reads the old frame's.
    static func unmapIsShotDownOnEveryCPU() -> Bool {
        let others = ApplicationProcessors.online.load(ordering: .acquiring) - 1
        guard others > 0 else { return true }
        guard let space = X86Paging.virtualSpace,
            let old = try? PhysicalFrames.allocator.pointee.allocate(),
            let new = try? PhysicalFrames.allocator.pointee.allocate()
        else { return false }
        defer {
            try? PhysicalFrames.allocator.pointee.free(old)
            try? PhysicalFrames.allocator.pointee.free(new)
        }
        let oldPattern: UInt64 = 0x0D0D_0D0D_0D0D_0D0D
        let newPattern: UInt64 = 0x4E4E_4E4E_4E4E_4E4E
        X86_64.physicalMemory.store64(old.address, oldPattern)
        X86_64.physicalMemory.store64(new.address, newPattern)
        let address: UInt64
        do throws(VirtualSpaceError) {
            let first = try space.map(physical: old.address, size: pageBytes, permissions: .readWrite)
            address = first.address.raw
            // Each other CPU flushes the page, then reads it: its TLB now
            // holds the translation to the old frame.
            KernelWindowShootdown.probeOthers(first: address, pages: 1, probe: address)
            guard everyOtherCPURead(oldPattern) else { return false }
            _ = consume first
            let second = try space.map(physical: new.address, size: pageBytes, permissions: .readWrite)
            guard second.address.raw == address else { return false }
            // Read again without flushing anything.
            KernelWindowShootdown.probeOthers(first: 0, pages: 0, probe: address)
            return everyOtherCPURead(newPattern)
        } catch {
            return false
        }
    }

    private static func everyOtherCPURead(_ pattern: UInt64) -> Bool {
        let mask = ApplicationProcessors.onlineMask.load(ordering: .acquiring)
        for index in 1..<CPUs.capacity where mask & 1 << UInt64(index) != 0 {
            if KernelWindowShootdown.probed[index] != pattern { return false }
        }
        return true
    }
}
