import Synchronization

/// Keeps the other CPUs' TLBs true to the kernel's shared page tables. A
/// CPU that removes or narrows a kernel mapping other CPUs may have cached
/// (the kernel-extra window, `KernelWindowPages.unmap`) has flushed it
/// from its own TLB (the page table does, `TranslationCache`), then sends
/// `Vector.tlbShootdown` to every other CPU and waits until each has
/// flushed the same pages and acknowledged.
///
/// One request at a time: `busy` is held by the initiator (an atomic word,
/// not a `Spinlock`, so that a CPU waiting to initiate keeps answering the
/// request in flight: two initiators never wait for each other). The
/// request's fields are written by the initiator while it holds `busy` and
/// read by the CPUs `pending` names; each clears its own bit.
///
/// Rule for callers: interrupts may be off, but the initiator must hold no
/// spinlock that another CPU may spin on with interrupts off (that CPU could
/// not acknowledge). The window's unmaps happen at boot and in the
/// self-checks, where no other CPU takes kernel locks.
enum KernelWindowShootdown {
    private static let busy = Atomic<UInt32>(0)
    /// CPUs (bit = record index) that have not yet acknowledged the request.
    private static let pending = Atomic<UInt64>(0)
    nonisolated(unsafe) private static var firstPage: UInt64 = 0
    nonisolated(unsafe) private static var pageCount: UInt64 = 0
    /// For the self-check: when not 0, each CPU reads this kernel address
    /// after flushing and stores what it read in `probed[its index]`.
    nonisolated(unsafe) private static var probeAddress: UInt64 = 0
    nonisolated(unsafe) static var probed = InlineArray<8, UInt64>(repeating: 0)
    /// Requests sent to other CPUs since boot (for the boot log and checks).
    static let requests = Atomic<UInt64>(0)

    /// Flushes `pages` 4 KiB pages from `first` on every other CPU that runs
    /// the kernel (this one's TLB the page table flushed as it changed,
    /// `TranslationCache`), and returns once all have done so. A large page
    /// is flushed by any address in it.
    static func invalidateOthers(first: UInt64, pages: UInt64) {
        broadcast(first: first, pages: pages, probe: 0)
    }

    /// Asks every other CPU to flush (nothing if `pages` is 0) and then read
    /// `probe`; waits for all. For the shootdown self-check.
    static func probeOthers(first: UInt64, pages: UInt64, probe: UInt64) {
        broadcast(first: first, pages: pages, probe: probe)
    }

    private static func broadcast(first: UInt64, pages: UInt64, probe: UInt64) {
        let me: UInt64 = 1 << UInt64(CPUs.this.pointee.id)
        guard ApplicationProcessors.onlineMask.load(ordering: .acquiring) & ~me != 0 else { return }
        while !busy.compareExchange(expected: 0, desired: 1, ordering: .acquiring).exchanged { serveIfAsked() }
        let targets = ApplicationProcessors.onlineMask.load(ordering: .acquiring) & ~me
        firstPage = first
        pageCount = pages
        probeAddress = probe
        pending.store(targets, ordering: .releasing)
        LocalAPIC.sendToOthers(vector: Vector.tlbShootdown)
        while pending.load(ordering: .acquiring) != 0 {}
        requests.add(1, ordering: .relaxed)
        busy.store(0, ordering: .releasing)
    }

    /// The interrupt handler (`Vector.tlbShootdown`).
    static func serve() {
        serveIfAsked()
        LocalAPIC.endOfInterrupt()
    }

    /// Does this CPU's part of the request in flight, if it has one.
    private static func serveIfAsked() {
        let index = CPUs.this.pointee.id
        let me: UInt64 = 1 << UInt64(index)
        guard pending.load(ordering: .acquiring) & me != 0 else { return }
        invalidateHere(first: firstPage, pages: pageCount)
        if probeAddress != 0, let word = UnsafePointer<UInt64>(bitPattern: UInt(probeAddress)) {
            probed[index] = word.pointee
        }
        pending.bitwiseAnd(~me, ordering: .sequentiallyConsistent)
    }

    /// More pages than this are flushed with a CR3 reload instead (which
    /// drops every non-global entry: the kernel's are not global).
    private static let largestSinglePageFlush: UInt64 = 32

    private static func invalidateHere(first: UInt64, pages: UInt64) {
        if pages > largestSinglePageFlush {
            writeCR3(readCR3())
            return
        }
        for page in 0..<pages { invalidatePage(first &+ page * pageBytes) }
    }
}
