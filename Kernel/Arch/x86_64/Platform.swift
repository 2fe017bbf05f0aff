import Synchronization

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
    static func atomicLoad(_ word: UnsafeMutablePointer<UInt32>) -> UInt32 { atomicLoad32(word) }

    static func disableInterrupts() -> Bool {
        disableInterruptsInstruction() & rflagsInterruptsEnabled != 0
    }

    /// `hlt` leaves the interrupt flag as it is: with interrupts on it sleeps
    /// until the next one (a timer tick at the latest).
    static func waitForInterrupt() { haltInstruction() }

    static func idleUntilInterrupt() {
        LockChecks.interruptsMayComeOn()
        idleInstructions()
    }

    /// The application processors were started at boot and wait in
    /// `otherCPUStarted`: releases them and wakes each with an interrupt.
    static func startOtherCPUs() -> Int {
        let others = ApplicationProcessors.online.load(ordering: .acquiring) - 1
        ApplicationProcessors.released.store(true, ordering: .releasing)
        for index in 0..<others { LocalAPIC.sendInterrupt(vector: Vector.crossCPU, to: ApplicationProcessors.apicIDs[index + 1]) }
        return others
    }

    /// The local APIC timer (calibrated by the boot processor).
    static func startTimerOnThisCPU() { TimerSetup.start() }

    /// A fixed interrupt on `Vector.crossCPU` to the CPU's local APIC.
    static func interruptCPU(_ index: Int) {
        LocalAPIC.sendInterrupt(vector: Vector.crossCPU, to: ApplicationProcessors.apicIDs[index])
    }

    static func flushLocalTranslations(_ range: VirtualRange) {
        var page = range.start.raw & ~(pageBytes - 1)
        while page < range.end.raw {
            invalidatePage(page)
            page += pageBytes
        }
    }

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

    /// The virtual-space mapper's window (kernel-extra), whose mappings the
    /// kernel makes and drops after boot (device registers, stacks, high
    /// RAM); dropping the region unmaps it and shoots it down (`didUnmap`).
    static func withSharedKernelPage(mapping frame: PhysicalAddress, _ body: (VirtualAddress) -> Bool) -> Bool {
        guard let space = X86Paging.virtualSpace else { return false }
        do throws(VirtualSpaceError) {
            let region: KernelMappedRegion = try space.map(physical: frame, size: pageBytes, permissions: .readWrite)
            return body(region.address)
        } catch {
            return false
        }
    }

    static func architectureChecks(_ run: inout SelfCheck) {
        run.check("SMEP, SMAP and UMIP are on", CPUProtectionChecks.allOn)
        run.check("a kernel read of a user page faults (SMAP)", CPUProtectionChecks.kernelReadOfUserPageFaults)
        run.check("a kernel call into a user page faults (SMEP)", CPUProtectionChecks.kernelCallOfUserPageFaults)
        run.check("no interrupt gate but int3's is open to ring 3", CPUProtectionChecks.interruptGatesClosedToUser)
        run.check("no descriptor leads ring 3 out of 64-bit user mode", CPUProtectionChecks.descriptorsClosedToUser)
        run.check("CSTAR is the killing entry, SYSENTER_CS is 0", CPUProtectionChecks.systemCallEntriesSet)
        run.check("the MADT parser lists the enabled processors' APIC ids", MultiprocessorChecks.madtListsEnabledProcessors)
        run.check("every processor the MADT lists has started", MultiprocessorChecks.everyListedCPUStarted)
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

    /// `Vector.crossCPU`: this CPU's part of a shootdown, if one waits for
    /// it (nothing more when the interrupt only ended an idle wait).
    static func serveCrossCPUInterrupt() {
        CPUs.crossCPUInterruptTaken()
        LocalAPIC.endOfInterrupt()
    }

    /// Where a started application processor goes once it is set up
    /// (`ApplicationProcessors.apStart`): it sleeps until the boot processor
    /// releases it (`startOtherCPUs`, once the process table is ready), then
    /// joins the scheduler. The flag is checked with interrupts off and
    /// `sti; hlt` sleeps at once, so the wake-up cannot be lost.
    static func otherCPUStarted(index: Int) -> Never {
        while !ApplicationProcessors.released.load(ordering: .acquiring) {
            idleUntilInterrupt()
        }
        CPUs.joinScheduler(index: index)
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
