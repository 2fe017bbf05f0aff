import Synchronization

@_extern(c, "swiftlet_x86_ap_trampoline_address") func apTrampolineAddress() -> UInt64
@_extern(c, "swiftlet_x86_ap_trampoline_data_address") func apTrampolineDataAddress() -> UInt64
@_extern(c, "swiftlet_x86_ap_trampoline_end_address") func apTrampolineEndAddress() -> UInt64
@_extern(c, "swiftlet_x86_ap_entry_address") func apEntryAddress() -> UInt64
@_extern(c, "swiftlet_x86_boot_page_table_address") func bootPageTableAddress() -> UInt64

/// The data block at the end of the trampoline (apstart.S reads its fields
/// at offsets 0, 8, 16, 24, 32: keep this order).
struct APStartupData {
    /// The boot tables of entry.S, which map the startup page where it is.
    var transitionCR3: UInt64
    /// The kernel's own page table (`KernelPaging.root`).
    var kernelCR3: UInt64
    /// Top of the starting CPU's kernel stack.
    var stackTop: UInt64
    /// `swiftlet_x86_ap_entry`, in the higher half.
    var entry: UInt64
    /// The CPU's index into `CPUs.records`.
    var cpuIndex: UInt64
}

/// The registers that make a CPU behave like the boot processor: the boot
/// processor's values, which each other CPU copies and then compares with
/// its own (`ApplicationProcessors.apStart`).
struct ControlRegisters: Equatable {
    var cr0: UInt64
    var cr4: UInt64
    var efer: UInt64
    var pat: UInt64

    static var current: ControlRegisters {
        ControlRegisters(cr0: readCR0(), cr4: readCR4(), efer: readMSR(MSR.efer), pat: readMSR(MSR.pageAttributes))
    }
}

/// The CPUs other than the boot processor ("application processors"), as
/// ACPI's MADT lists them: started one at a time with INIT-SIPI-SIPI (Intel
/// SDM vol. 3, "MP initialization") through the real-mode trampoline copied
/// to the startup page (`X86_64Layout.apStartupPage`). Each gets its own
/// GDT and TSS, a kernel stack and four interrupt stacks above guard pages
/// in the kernel-extra window (`CPUStacks`), the shared IDT, the
/// system-call MSRs, the protections and the control registers of the boot
/// processor, its record (GS base) and its local APIC timer.
///
/// Written by the boot processor before it starts each CPU (one at a time,
/// so one trampoline data block serves all); the started CPU only reads
/// them, and announces itself through `arrivals`.
enum ApplicationProcessors {
    /// The local APIC id of each CPU index (index 0: the boot processor).
    nonisolated(unsafe) private(set) static var apicIDs = InlineArray<8, UInt8>(repeating: 0)
    /// CPUs running the kernel, the boot processor included.
    static let online = Atomic<Int>(1)
    /// Bit i set once CPU index i runs the kernel (the TLB shootdown's targets).
    static let onlineMask = Atomic<UInt64>(1)
    /// What each CPU copies from the boot processor.
    nonisolated(unsafe) private(set) static var bootRegisters = ControlRegisters(cr0: 0, cr4: 0, efer: 0, pat: 0)
    /// Bumped by each CPU once it runs in Swift with its record, descriptors
    /// and stacks: the boot processor waits for it.
    private static let arrivals = Atomic<Int>(0)
    /// What the MADT listed, for the boot log.
    nonisolated(unsafe) private(set) static var listed = 0

    /// Starts every enabled processor of the MADT but this one (at most
    /// `CPUs.capacity` in all), each in turn, and logs each as it starts.
    /// A processor that does not answer is logged and left out.
    static func startAll(_ controllers: InterruptControllers) {
        listed = controllers.processors
        apicIDs[0] = UInt8(truncatingIfNeeded: LocalAPIC.id)
        bootRegisters = ControlRegisters.current
        logBootProcessor(controllers)
        guard copyTrampoline() else { kernelPanic("the AP startup page is not usable RAM below 1 MiB") }
        var next = 1
        for index in 0..<controllers.startableCount {
            let apicID = controllers.processorAPICIDs[index]
            guard apicID != apicIDs[0], next < CPUs.capacity else { continue }
            apicIDs[next] = apicID
            if start(index: next, apicID: apicID) { next += 1 }
        }
    }

    private static func logBootProcessor(_ controllers: InterruptControllers) {
        Console.write("cpu 0        boot processor, local APIC id ")
        Console.write(decimal: UInt64(apicIDs[0]))
        Console.write("; the MADT lists ")
        Console.write(decimal: UInt64(controllers.processors))
        Console.write(" enabled processors")
        if controllers.processors > CPUs.capacity {
            Console.write(" (the first ")
            Console.write(decimal: UInt64(CPUs.capacity))
            Console.write(" are used)")
        }
        Console.newline()
    }

    /// The startup page must be RAM the boot loader's memory map calls
    /// usable, below 1 MiB and page aligned; the trampoline goes there
    /// through the direct map.
    private static func copyTrampoline() -> Bool {
        let page = X86_64Layout.apStartupPage
        guard page % pageBytes == 0, page + pageBytes <= 0x10_0000, BootMemory.isUsableRAM(PhysicalAddress(page), bytes: pageBytes),
            let target = X86_64.directMap.pointer(to: PhysicalAddress(page), count: pageBytes),
            let source = UnsafeRawPointer(bitPattern: UInt(apTrampolineAddress()))
        else { return false }
        let bytes = Int(apTrampolineEndAddress() - apTrampolineAddress())
        guard bytes <= Int(pageBytes) else { return false }
        target.copyMemory(from: source, byteCount: bytes)
        return true
    }

    /// The trampoline's data block in the startup page.
    private static var startupData: UnsafeMutablePointer<APStartupData> {
        let offset = apTrampolineDataAddress() - apTrampolineAddress()
        let raw = X86_64.directMap.pointer(to: PhysicalAddress(X86_64Layout.apStartupPage + offset), count: 40)!
        return raw.bindMemory(to: APStartupData.self, capacity: 1)
    }

    /// INIT, 10 ms, SIPI, 200 µs, a second SIPI if the CPU has not come yet,
    /// then up to a second for it to arrive.
    private static func start(index: Int, apicID: UInt8) -> Bool {
        guard let stacks = CPUStacks.allocate(cpu: index) else {
            Console.write("cpu ")
            Console.write(decimal: UInt64(index))
            Console.line("        no memory for its stacks: not started")
            return false
        }
        startupData.pointee = APStartupData(
            transitionCR3: X86_64.physical(bootPageTableAddress()).raw, kernelCR3: KernelPaging.root.raw,
            stackTop: stacks, entry: apEntryAddress(), cpuIndex: UInt64(index))
        let before = arrivals.load(ordering: .acquiring)
        let page = UInt8(X86_64Layout.apStartupPage / pageBytes)
        LocalAPIC.sendINIT(to: apicID)
        spin(microseconds: 10_000)
        LocalAPIC.sendStartup(to: apicID, page: page)
        spin(microseconds: 200)
        if arrivals.load(ordering: .acquiring) == before {
            LocalAPIC.sendStartup(to: apicID, page: page)
        }
        let deadline = readTimeStampCounter() + TimerSetup.counterFrequency
        while arrivals.load(ordering: .acquiring) == before {
            if readTimeStampCounter() > deadline {
                Console.write("cpu ")
                Console.write(decimal: UInt64(index))
                Console.write("        local APIC id ")
                Console.write(decimal: UInt64(apicID))
                Console.line(" did not answer INIT-SIPI-SIPI: left out")
                return false
            }
        }
        return true
    }

    /// Busy-waits on the time-stamp counter (measured at boot).
    private static func spin(microseconds: UInt64) {
        let end = readTimeStampCounter() + TimerSetup.counterFrequency * microseconds / 1_000_000
        while readTimeStampCounter() < end {}
    }

    /// The started CPU, on its own kernel stack in the higher half with the
    /// kernel's page table (apstart.S), interrupts off.
    static func apStart(index: Int) -> Never {
        Descriptors.install(cpu: index)
        // As on the boot processor: the record after the descriptor load.
        CPUs.start(index: index)
        CPUStacks.install(cpu: index)
        InterruptTable.load()
        // CR0 first: INIT leaves caching off (CD, NW), the boot processor's has it on.
        writeCR0(bootRegisters.cr0)
        CPUProtections.enable()
        SystemCallEntry.install()
        writeMSR(MSR.pageAttributes, bootRegisters.pat)
        if ControlRegisters.current != bootRegisters {
            kernelPanic("an application processor's CR0, CR4, EFER or PAT differs from the boot processor's")
        }
        LocalAPIC.enableOnThisCPU()
        if UInt8(truncatingIfNeeded: LocalAPIC.id) != apicIDs[index] { kernelPanic("an application processor woke with another APIC id") }
        TimerSetup.start()
        log(index: index)
        online.add(1, ordering: .relaxed)
        onlineMask.bitwiseOr(1 << UInt64(index), ordering: .releasing)
        arrivals.add(1, ordering: .releasing)
        X86_64.otherCPUStarted()
    }

    /// "cpu N        local APIC id A, own GDT/TSS, kernel stack top ..., IST1-4 ...".
    private static func log(index: Int) {
        Console.write("cpu ")
        Console.write(decimal: UInt64(index))
        Console.write("        started: local APIC id ")
        Console.write(decimal: UInt64(apicIDs[index]))
        Console.write(", own GDT and TSS, kernel stack top ")
        Console.write(hex: CPUStacks.top(cpu: index, slot: 0))
        Console.write(", IST1-4 ")
        Console.write(hex: Descriptors.interruptStack(1))
        Console.write(" ... ")
        Console.write(hex: Descriptors.interruptStack(InterruptStacks.istEntries))
        Console.line(", control registers as the boot CPU's, APIC timer on")
    }
}

/// apstart.S calls this on the new CPU's kernel stack.
@_cdecl("swiftlet_x86_ap_start")
func x86APStart(_ index: UInt64) {
    ApplicationProcessors.apStart(index: Int(index))
}
