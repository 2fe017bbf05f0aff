/// The stacks of the CPUs other than the boot processor. The Emerald
/// layout's "interrupt stacks" region holds the boot processor's seven
/// (InterruptStacks.swift) and stays exactly as the layout says; every
/// other CPU gets five of its own from the kernel-extra window, each above
/// an unmapped guard page, through the virtual-space mapper:
///   slot 0  its kernel stack (its start-up code and scheduler loop)
///   slots 1-4  IST1-IST4 (double fault, NMI, machine check, page fault)
/// of the same size as the layout's slots, on frames from the frame
/// allocator. They are kept for the kernel's lifetime (CPUs never stop).
///
/// Written by the boot processor before it starts each CPU; read-only after.
enum CPUStacks {
    static let perCPU = 1 + InterruptStacks.istEntries
    static var stackBytes: UInt64 { X86_64Layout.interruptStackSize }

    /// The lowest mapped address of each stack, `perCPU` per CPU index
    /// (0 where none: the boot processor, or a CPU not started).
    nonisolated(unsafe) private static var bottoms = InlineArray<40, UInt64>(repeating: 0)

    /// The top of `slot`'s stack of CPU `cpu`.
    static func top(cpu: Int, slot: Int) -> UInt64 {
        let bottom = bottoms[cpu * perCPU + slot]
        return bottom == 0 ? 0 : bottom + stackBytes
    }

    /// Maps CPU `cpu`'s five stacks; returns its kernel stack's top, or nil
    /// (everything given back) when frames or the window run out.
    static func allocate(cpu: Int) -> UInt64? {
        guard cpu > 0, cpu < CPUs.capacity, let space = X86Paging.virtualSpace else { return nil }
        let frames = PhysicalFrames.allocator
        let pages = stackBytes / pageBytes
        var regions = InlineArray<5, UInt64>(repeating: 0)
        var made = 0
        while made < perCPU {
            guard let first = try? frames.pointee.allocateContiguous(count: pages) else { break }
            do throws(VirtualSpaceError) {
                let region = try space.mapAboveGuardPage(physical: first.address, size: stackBytes, permissions: .readWrite)
                regions[made] = region.keepForever().start.raw
                made += 1
            } catch {
                try? frames.pointee.freeContiguous(first, count: pages)
                break
            }
        }
        guard made == perCPU else {
            // Not reached with the RAM the Makefile gives QEMU; a CPU without
            // stacks is simply not started (the kept mappings stay unused).
            return nil
        }
        for slot in 0..<perCPU { bottoms[cpu * perCPU + slot] = regions[slot] }
        return top(cpu: cpu, slot: 0)
    }

    /// Points this CPU's TSS at its IST stacks, and RSP0 at the process
    /// kernel stack (the same address in every process).
    static func install(cpu: Int) {
        for index in 1...InterruptStacks.istEntries { Descriptors.setInterruptStack(index, top: top(cpu: cpu, slot: index)) }
        Descriptors.setPrivilegeStack(top: ProcessKernelStack.top)
    }

    /// Which CPU's stack has its guard page at `address`, for the fault
    /// report of a kernel stack overflow.
    static func guardOwner(_ address: UInt64) -> (cpu: Int, slot: Int)? {
        for cpu in 1..<CPUs.capacity {
            for slot in 0..<perCPU {
                let bottom = bottoms[cpu * perCPU + slot]
                if bottom != 0 && address < bottom && address >= bottom - pageBytes { return (cpu, slot) }
            }
        }
        return nil
    }
}
