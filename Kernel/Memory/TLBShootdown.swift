/// Keeps every CPU's TLB true to the kernel's mappings. The page-table code
/// flushes the local TLB where it unmaps or narrows a mapping; when the
/// change is to a kernel mapping other CPUs may have cached (the
/// kernel-extra window), the changer calls `kernelMappingsChanged`, which
/// interrupts every other online CPU (`Platform.interruptCPU`)
/// and waits until each has flushed and acknowledged.
///
/// Who touches what: `lock` ("TLB shootdown") orders the requesters and
/// guards `request`; the requester sets each target's
/// `CPURecord.shootdownPending`, and only the target clears it (`serve`),
/// both with the atomic operations. The requester waits with interrupts
/// off, so a target that spins for a spinlock serves pending requests
/// from its spin loop (`Spinlock.acquire`), and one that waits for this
/// lock serves them too: no CPU waits for an acknowledgement from a CPU
/// that waits for it.
enum TLBShootdown {
    nonisolated(unsafe) static var lock = Spinlock("TLB shootdown")
    static var requestLock: UnsafeMutablePointer<Spinlock> { withUnsafeMutablePointer(to: &lock) { $0 } }
    /// The range the current request flushes (under `lock`).
    nonisolated(unsafe) private static var request: VirtualRange? = nil
    /// Check images: the word each target reads after flushing, into its
    /// record's `probedWord` (under `lock`; nil for a real shootdown).
    nonisolated(unsafe) private static var probe: UnsafePointer<UInt64>? = nil
    /// Requests sent to other CPUs since boot (under `lock`).
    nonisolated(unsafe) private(set) static var requests: UInt64 = 0

    /// The kernel changed (unmapped, narrowed or moved) the mappings of
    /// `range`: flush them here and on every other online CPU, and return
    /// once every one of them has acknowledged.
    static func kernelMappingsChanged(_ range: VirtualRange) {
        Platform.flushLocalTranslations(range)
        requestOthers(flushing: range, reading: nil)
    }

    /// Check images (`CPUChecks`): every other online CPU flushes `range`
    /// (nothing if nil), then reads the word at `address` into its record's
    /// `probedWord`; returns once each has.
    static func probeOtherCPUs(flushing range: VirtualRange?, reading address: UnsafePointer<UInt64>) {
        requestOthers(flushing: range, reading: address)
    }

    private static func requestOthers(flushing range: VirtualRange?, reading address: UnsafePointer<UInt64>?) {
        guard CPUs.running > 1 else { return }
        CPUs.disableInterrupts()
        while !Spinlock.tryAcquire(requestLock) { serve() }
        request = range
        probe = address
        requests &+= 1
        let me = CPUs.this.pointee.id
        for index in 0..<CPUs.capacity where index != me && CPUs.isOnline(index) {
            _ = Platform.atomicSwap(&CPUs.records[index].shootdownPending, 1)
            Platform.interruptCPU(index)
        }
        for index in 0..<CPUs.capacity where index != me {
            while Platform.atomicLoad(&CPUs.records[index].shootdownPending) != 0 {}
        }
        request = nil
        probe = nil
        Spinlock.release(requestLock)
        CPUs.restoreInterrupts()
    }

    /// A target's part: if a request waits for this CPU, flush what it
    /// names and acknowledge. Called from the architecture's shootdown
    /// interrupt and from spin loops; cheap when nothing waits.
    @inline(__always)
    static func serve() {
        let cpu = CPUs.this
        if Platform.atomicLoad(&cpu.pointee.shootdownPending) != 0 { acknowledge(cpu) }
    }

    @inline(never)
    private static func acknowledge(_ cpu: UnsafeMutablePointer<CPURecord>) {
        if let range = request { Platform.flushLocalTranslations(range) }
        if let address = probe { cpu.pointee.probedWord = address.pointee }
        cpu.pointee.shootdownsServed &+= 1
        Platform.atomicClear(&cpu.pointee.shootdownPending)
    }
}
