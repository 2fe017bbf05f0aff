import RiscV64Instructions

/// This image's architecture: the only file that names it for the portable
/// kernel. Compiled only into RISC-V images (the Makefile picks the source
/// directory).
typealias Platform = RiscV64

/// RISC-V 64 on QEMU `virt`: the supervisor-mode kernel's view of the
/// machine.
enum RiscV64: Architecture {
    static var uart: UART16550 { UART16550(base: UInt(RiscV64Layout.uart0)) }
    /// The hart that boots the kernel, and the only one that takes device
    /// interrupts (docs/per-cpu.md).
    static let bootHart = 0
    /// Harts entry.S gives a stack (and percpu.S a fault stack).
    static let maxHarts = 8

    static var machineName: StaticString { "riscv64, QEMU virt, supervisor mode" }

    static func consolePut(_ byte: UInt8) { uart.put(byte) }
    static func setConsoleLoopback(_ on: Bool) { uart.setLoopback(on) }

    static func enableInterrupts() {
        LockChecks.interruptsMayComeOn()
        setSstatus(Sstatus.interruptsEnabled)
    }

    static var interruptsEnabled: Bool { readSstatus() & Sstatus.interruptsEnabled != 0 }

    /// csrrci clears SIE (`Sstatus.interruptsEnabled`, bit 1) and reads
    /// the old value in one instruction.
    static func disableInterrupts() -> Bool {
        swiftlet_inline_disable_interrupts() & Sstatus.interruptsEnabled != 0
    }

    static func waitForInterrupt() { waitForInterruptInstruction() }

    /// wfi with sstatus.SIE clear still wakes for a pending enabled
    /// interrupt, and nothing is taken before it: then SIE lets it in.
    static func idleUntilInterrupt() {
        LockChecks.interruptsMayComeOn()
        waitForInterruptInstruction()
        setSstatus(Sstatus.interruptsEnabled)
        clearSstatus(Sstatus.interruptsEnabled)
    }

    /// Releases the harts waiting in entry.S (each counted itself in on
    /// arrival, long before hart 0 gets here) and wakes each with a machine
    /// software interrupt; each goes on in `secondaryStart`.
    static func startOtherCPUs() -> Int {
        let others = min(Int(atomicLoad32(hartsArrivedWord())), maxHarts - 1)
        _ = atomicSwap32(hartsReleasedWord(), 1)
        for hart in 1..<(others + 1) { sendMachineSoftwareInterrupt(UInt64(hart)) }
        return others
    }

    static func startTimerOnThisCPU() { SupervisorTimer.start() }

    /// Through machine mode, which raises a supervisor software interrupt
    /// on the hart (machine.S); the CPU index is the hart id.
    static func interruptCPU(_ index: Int) { sendMachineSoftwareInterrupt(UInt64(index)) }

    /// sfence.vma for each page of `range` (the whole TLB for a long range).
    static func flushLocalTranslations(_ range: VirtualRange) {
        guard range.end.raw - range.start.raw <= 64 * pageBytes else { return flushTranslations() }
        var page = range.start.raw & ~(pageBytes - 1)
        while page < range.end.raw {
            flushTranslation(page)
            page += pageBytes
        }
    }

    /// tp holds the record's address in kernel mode (percpu.S); the record
    /// also names the top of this hart's fault stack for trap.S.
    static func installCPU(_ record: UnsafeMutablePointer<CPURecord>) {
        record.pointee.faultStackTop = GuardedStacks.faultStackTop(hart: record.pointee.id)
        writeThreadPointer(UInt64(UInt(bitPattern: record)))
    }

    static var thisCPU: UnsafeMutablePointer<CPURecord> {
        UnsafeMutablePointer(bitPattern: UInt(readThreadPointer())).unsafelyUnwrapped
    }

    static func atomicSwap(_ word: UnsafeMutablePointer<UInt32>, _ value: UInt32) -> UInt32 { atomicSwap32(word, value) }
    static func atomicClear(_ word: UnsafeMutablePointer<UInt32>) { atomicClear32(word) }
    static func atomicLoad(_ word: UnsafeMutablePointer<UInt32>) -> UInt32 { atomicLoad32(word) }

    static func readCounter() -> UInt64 { readTime() }
    static var counterFrequency: UInt64 { VirtMachine.timebaseFrequency }
    static func readInstructionCounter() -> UInt64 { readInstret() }
    static var tickRate: UInt64 { SupervisorTimer.ticksPerSecond }

    static var kernelImage: PhysicalRange {
        PhysicalRange(start: PhysicalAddress(kernelImageStart()), end: PhysicalAddress(kernelImageEnd()))!
    }

    static var freeMemory: PhysicalRange {
        PhysicalRange(start: PhysicalAddress(kernelImageEnd()), end: PhysicalAddress(RiscV64Layout.physicalTop))!
    }

    /// Paging is off: physical addresses are used as they are.
    static var physicalMemory: DirectMappedMemory {
        DirectMappedMemory(
            window: PhysicalRange(start: PhysicalAddress(RiscV64Layout.kernelBase), end: PhysicalAddress(RiscV64Layout.physicalTop))!,
            offset: 0)
    }

    /// Where the linker put the parts of the image. Paging is off and will
    /// map the kernel at its physical addresses, so virtual = physical.
    static var imageParts: KernelImage {
        KernelImage(
            start: VirtualAddress(kernelImageStart()), textEnd: VirtualAddress(kernelTextEnd()),
            rodataEnd: VirtualAddress(kernelRodataEnd()), end: VirtualAddress(kernelImageEnd()),
            trampoline: PhysicalAddress(trampolineStart()), guardedStacks: VirtualAddress(guardedStacksStart()))
    }

    static var kernelLayout: LayoutTable { RiscV64Layout.kernelSpace(imageParts) }
    static var scratchStack: UnsafeMutableRawBufferPointer? { GuardedStacks.scratch }
    static var addressRule: AddressRule { .below(RiscV64Layout.maxVA) }

    static func breakpoint() { breakpointInstruction() }
    static var breakpointAddress: UInt64 { breakpointInstructionAddress() }
    static var breakpointCause: UInt64 { ExceptionCode.breakpoint }

    /// The kernel's table does not change after boot here (the kernel
    /// stacks are mapped at boot); the check maps the unmapped guard page
    /// below the last process slot's kernel stack for the time of `body`
    /// (no process runs yet), and leaves it unmapped again.
    static func withSharedKernelPage(mapping frame: PhysicalAddress, _ body: (VirtualAddress) -> Bool) -> Bool {
        let page = VirtualAddress(RiscV64Layout.kernelStack(Processes.capacity - 1) - RiscV64Layout.pageSize)
        guard KernelPaging.table != nil, KernelPaging.translate(page) == nil,
            let range = VirtualRange(start: page, end: VirtualAddress(page.raw + pageBytes))
        else { return false }
        do throws(MapError) {
            try KernelPaging.table!.map(page, to: frame, size: .size4K, permissions: .readWrite)
        } catch {
            return false
        }
        let answer = body(page)
        _ = try? KernelPaging.table!.unmap(page)
        TLBShootdown.kernelMappingsChanged(range)
        return answer
    }

    static func architectureChecks(_ run: inout SelfCheck) {
        run.check("sstatus.SUM and MXR are clear", ProtectionChecks.userMemoryClosedToKernel)
        run.check("a kernel read of a user page faults (SUM off)", ProtectionChecks.kernelReadOfUserPageFaults)
        run.check("every guard page below a kernel, boot, scratch or fault stack faults and is named", GuardedStacks.everyGuardFaults)
    }

    static func powerOff(status: UInt16) -> Never { VirtMachine.powerOff(status: status) }

    static func halt() -> Never {
        clearSstatus(Sstatus.interruptsEnabled)
        while true { waitForInterruptInstruction() }
    }

    /// Supervisor software interrupt: another hart asked for it through
    /// machine mode (machine.S), for a TLB shootdown or to end this hart's
    /// idle wait (`interruptCPU`).
    static func serveSoftwareInterrupt() {
        clearSip(1 << InterruptCode.supervisorSoftware)
        CPUs.crossCPUInterruptTaken()
    }

    /// External interrupt: claim each pending source from the PLIC, serve
    /// it, complete it.
    static func serveDeviceInterrupts() {
        while let source = PLIC.claim(supervisorOf: bootHart) {
            if source == RiscV64Layout.uart0IRQ {
                while let byte = uart.receivedByte() { ConsoleInput.received(byte) }
                ConsoleInput.interruptHandled()
            } else if source == RiscV64Layout.virtio0IRQ {
                Disk.interrupt()
            }
            PLIC.complete(source, supervisorOf: bootHart)
        }
    }
}

@inline(__always) func readThreadPointer() -> UInt64 { swiftlet_inline_read_tp() }
@_extern(c, "swiftlet_riscv_write_tp") func writeThreadPointer(_ value: UInt64)
@inline(__always) func atomicSwap32(_ word: UnsafeMutablePointer<UInt32>, _ value: UInt32) -> UInt32 {
    swiftlet_inline_atomic_swap32(word, value)
}
@inline(__always) func atomicClear32(_ word: UnsafeMutablePointer<UInt32>) { swiftlet_inline_atomic_clear32(word) }
@_extern(c, "swiftlet_fault_stacks_address") func faultStacksStart() -> UInt64
@inline(__always) func atomicLoad32(_ word: UnsafeMutablePointer<UInt32>) -> UInt32 { swiftlet_inline_atomic_load32(word) }
@_extern(c, "swiftlet_harts_arrived_address") func hartsArrivedWord() -> UnsafeMutablePointer<UInt32>
@_extern(c, "swiftlet_harts_released_address") func hartsReleasedWord() -> UnsafeMutablePointer<UInt32>
