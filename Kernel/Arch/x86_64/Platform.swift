/// This image's architecture: the only file that names it for the portable
/// kernel. Compiled only into x86-64 images (the Makefile picks the source
/// directory).
typealias Platform = X86_64

/// x86-64 on a PC (QEMU q35 or pc), long mode, the kernel in the top 2 GiB
/// (the Emerald layout, `X86_64Layout`).
enum X86_64: Architecture {
    static var serial: SerialPort { SerialPort.com1 }

    static var machineName: StaticString { "x86-64, QEMU PC (multiboot), long mode" }

    static func consolePut(_ byte: UInt8) { serial.put(byte) }
    static func setConsoleLoopback(_ on: Bool) { serial.setLoopback(on) }

    static func enableInterrupts() {
        LockChecks.interruptsMayComeOn()
        enableInterruptsInstruction()
    }

    static var interruptsEnabled: Bool { readFlags() & rflagsInterruptsEnabled != 0 }

    /// The GS base holds the record's address in kernel mode; the entry code
    /// swaps it with the user's (KERNEL_GS_BASE) on every way in from and
    /// out to user mode (frame.h). No user GS base yet: 0.
    static func installCPU(_ record: UnsafeMutablePointer<CPURecord>) {
        writeMSR(MSR.gsBase, UInt64(UInt(bitPattern: record)))
        writeMSR(MSR.kernelGSBase, 0)
    }

    static var thisCPU: UnsafeMutablePointer<CPURecord> {
        UnsafeMutablePointer(bitPattern: UInt(thisCPUAddress())).unsafelyUnwrapped
    }

    static func atomicSwap(_ word: UnsafeMutablePointer<UInt32>, _ value: UInt32) -> UInt32 { atomicSwap32(word, value) }
    static func atomicClear(_ word: UnsafeMutablePointer<UInt32>) { atomicClear32(word) }

    static func disableInterrupts() -> Bool {
        disableInterruptsInstruction() & rflagsInterruptsEnabled != 0
    }

    /// `hlt` leaves the interrupt flag as it is: with interrupts on it sleeps
    /// until the next one (a timer tick at the latest).
    static func waitForInterrupt() { haltInstruction() }

    /// The time-stamp counter, measured against the PIT at boot.
    static func readCounter() -> UInt64 { readTimeStampCounter() }
    static var counterFrequency: UInt64 { TimerSetup.counterFrequency }
    /// No instruction counter without a PMU; under QEMU's `-icount` the
    /// time-stamp counter follows the virtual clock, which counts instructions.
    static func readInstructionCounter() -> UInt64 { readTimeStampCounter() }
    static var tickRate: UInt64 { TimerSetup.ticksPerSecond }

    static var kernelImage: PhysicalRange {
        PhysicalRange(start: physical(kernelImageStart()), end: physical(kernelImageEnd()))!
    }

    static var freeMemory: PhysicalRange { BootMemory.free }
    static var allocatorSpan: PhysicalRange { BootMemory.allocatorSpan }

    /// The direct map: the first 128 MiB of physical memory at
    /// 0xFFFF_FFFF_8000_0000.
    static var directMap: DirectMappedMemory {
        DirectMappedMemory(
            window: PhysicalRange(start: PhysicalAddress(0), size: X86_64Layout.directMapSize)!,
            offset: X86_64Layout.directMapBase)
    }

    /// The direct map, and the RAM above it in the kernel-extra window once
    /// `HighMemory` has mapped it.
    static var physicalMemory: KernelPhysicalMemory { KernelPhysicalMemory() }

    /// Where the linker put the parts of the image (virtual addresses).
    static var imageParts: KernelImage {
        KernelImage(
            start: VirtualAddress(kernelImageStart()), textEnd: VirtualAddress(kernelTextEnd()),
            rodataEnd: VirtualAddress(kernelRodataEnd()), end: VirtualAddress(kernelImageEnd()))
    }

    static var kernelLayout: LayoutTable { X86_64Layout.table(imageParts) }
    static var addressRule: AddressRule { .canonical48 }

    static func breakpoint() { breakpointInstruction() }
    static var breakpointAddress: UInt64 { breakpointInstructionAddress() }
    static var breakpointCause: UInt64 { Vector.breakpoint }

    /// Slot 5 of the interrupt stacks (mapped in the shared kernel region,
    /// so every address space has it), once the layout's stacks are in use.
    static var scratchStack: UnsafeMutableRawBufferPointer? { InterruptStacks.scratch }

    static func architectureChecks(_ run: inout SelfCheck) {
        run.check("SMEP, SMAP and UMIP are on", CPUProtectionChecks.allOn)
        run.check("a kernel read of a user page faults (SMAP)", CPUProtectionChecks.kernelReadOfUserPageFaults)
        run.check("a kernel call into a user page faults (SMEP)", CPUProtectionChecks.kernelCallOfUserPageFaults)
        run.check("no interrupt gate but int3's is open to ring 3", CPUProtectionChecks.interruptGatesClosedToUser)
        run.check("no descriptor leads ring 3 out of 64-bit user mode", CPUProtectionChecks.descriptorsClosedToUser)
        run.check("CSTAR is the killing entry, SYSENTER_CS is 0", CPUProtectionChecks.systemCallEntriesSet)
        run.check("the MADT parser lists the enabled processors' APIC ids", MultiprocessorChecks.madtListsEnabledProcessors)
        run.check("every processor the MADT lists has started", MultiprocessorChecks.everyListedCPUStarted)
        run.check("a kernel-extra unmap is shot down on every CPU", MultiprocessorChecks.unmapIsShotDownOnEveryCPU)
    }

    /// QEMU's isa-debug-exit device (port 0xf4, added for check runs) ends
    /// QEMU with status (status << 1) | 1; without it, this halts.
    static func powerOff(status: UInt16) -> Never {
        outl(0xF4, UInt32(status))
        halt()
    }

    /// The local APIC timer's tick on this CPU: every CPU re-arms its own
    /// (and is preempted by it in user mode); only the boot processor's
    /// counts time, so `Clock` advances once per tick whatever the CPU count.
    static func serveTimer() {
        if CPUs.this.pointee.id == 0 { Clock.tick() }
        LocalAPIC.rearmTimer()
        LocalAPIC.endOfInterrupt()
    }

    /// Where a started application processor goes once it is set up
    /// (`ApplicationProcessors.apStart`): it waits for interrupts (its
    /// timer, TLB shootdowns) with interrupts on, until the portable
    /// scheduler takes other CPUs.
    static func otherCPUStarted() -> Never {
        while true {
            enableInterrupts()
            waitForInterrupt()
        }
    }

    static func halt() -> Never {
        _ = disableInterruptsInstruction()
        while true { haltInstruction() }
    }

    /// A kernel virtual address in the image or the direct map, as physical.
    static func physical(_ virtual: UInt64) -> PhysicalAddress {
        PhysicalAddress(virtual - X86_64Layout.directMapBase)
    }
}
