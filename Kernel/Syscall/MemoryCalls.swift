/// sbrk and memmap: the calls that look at or change a process's memory.
enum MemoryCalls {
    /// Moves the heap break by `delta` bytes and returns the old break, or
    /// -1 when the heap cannot grow (out of memory, into another region) or
    /// shrink below its start. A failed call changes nothing.
    static func sbrk(_ delta: Int64) -> Int {
        let slot = Processes.current
        let old = Processes.slots[slot].space!.heapBreak
        do throws(MapError) {
            if delta > 0 {
                guard let target = old.adding(UInt64(delta)) else { return -1 }
                // The new pages are lazy; growth beyond the free frames is refused at once.
                try Processes.slots[slot].space!.growHeap(to: target)
            } else if delta < 0 {
                guard let target = old.subtracting(delta.magnitude) else { return -1 }
                try Processes.slots[slot].space!.shrinkHeap(to: target)
            }
        } catch {
            return -1
        }
        return Int(Int64(bitPattern: old.raw))
    }

    /// Size of one `struct memregion` record, and where its fields are.
    static let recordSize = 80
    static let nameOffset = 24
    static let nameCapacity = 48

    /// Writes up to `max` records describing the caller's regions, lowest
    /// first: its image's regions (the heap up to the break), then the
    /// layout's per-process pages (trap frame and trampoline on RISC-V).
    static func memoryMap(_ destination: VirtualAddress, max: UInt64) -> Int {
        // The request stays on this process's kernel stack and is handed over
        // by address: the scratch stack may be busy (exec sleeping on it), so
        // a shared static could be overwritten while this process waits.
        var request = MemoryMapRequest(destination: destination, max: max)
        return withUnsafeMutablePointer(to: &request) {
            Int(ScratchStack.run(memoryMapEntry, UInt64(UInt(bitPattern: $0))))
        }
    }

    /// A memmap call's arguments, handed to `writeMemoryMap` on the scratch stack.
    struct MemoryMapRequest {
        var destination: VirtualAddress
        var max: UInt64
    }

    /// Runs on the scratch stack: it walks the process's live page table and
    /// names what it finds after the image layout's regions.
    static func writeMemoryMap(_ destination: VirtualAddress, max: UInt64) -> Int {
        var written = 0
        var failed = false
        ProcessMemoryMap.forEachLiveRun(of: Processes.current) { run in
            guard UInt64(written) < max, !failed else { return }
            var record: InlineArray<80, UInt8> = .init(repeating: 0)
            FileCalls.store(&record, at: 0, run.start.raw, bytes: 8)
            FileCalls.store(&record, at: 8, run.end.raw, bytes: 8)
            FileCalls.store(&record, at: 16, UInt64(run.permissions.rawValue & 0xF), bytes: 4)
            // flags: bit 0 guard, bits 8-11 the kind, bits 12-15 the owner (LayoutText's columns).
            let (kind, owner) = ProcessMemoryMap.columns(run.start, run.end, isGuard: run.isGuard)
            FileCalls.store(&record, at: 20, UInt64((run.isGuard ? 1 : 0) | kind.rawValue << 8 | owner.rawValue << 12), bytes: 4)
            for i in 0..<min(run.name.utf8CodeUnitCount, nameCapacity - 1) { record[nameOffset + i] = run.name.utf8Start[i] }
            // state (LayoutLineState, 0: none) and the users of a shared run's frames.
            FileCalls.store(&record, at: 72, UInt64(run.state?.rawValue ?? 0), bytes: 4)
            FileCalls.store(&record, at: 76, min(run.users, UInt64(UInt32.max)), bytes: 4)
            guard let address = destination.adding(UInt64(written * recordSize)) else { failed = true; return }
            let copied = withUnsafeBytes(of: &record) { UserMemory.copyOut(to: address, from: $0) }
            if copied { written += 1 } else { failed = true }
        }
        return failed ? -1 : written
    }
}

@_cdecl("swiftlet_memory_map")
func memoryMapEntry(_ requestAddress: UInt64) -> Int64 {
    let request = UnsafePointer<MemoryCalls.MemoryMapRequest>(bitPattern: UInt(requestAddress)).unsafelyUnwrapped.pointee
    return Int64(MemoryCalls.writeMemoryMap(request.destination, max: request.max))
}
