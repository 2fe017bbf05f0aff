/// The CPU's cache of translations (the TLB), as far as the page tables
/// need it: after `PageTable.unmap` or `PageTable.protect` changes a leaf
/// that was present, the page's old translation is dropped from the TLB of
/// the CPU doing it, right there, so no later code depends on a CR3 or satp
/// write to happen first. (Other CPUs are the kernel's business: a process's
/// tables change only on the CPU that runs it, and the kernel-extra window's
/// changes are shot down on every CPU.)
///
/// `flushPage` is set once at boot by an architecture that relies on it
/// (x86-64: `invlpg`) and never changed after; nil on the host and on
/// RISC-V, whose return to user mode flushes with `sfence.vma` anyway. Host
/// tests set it to a recorder.
public enum TranslationCache {
    nonisolated(unsafe) public static var flushPage: (@convention(c) (UInt64) -> Void)? = nil

    @inline(__always)
    static func pageChanged(_ va: VirtualAddress) {
        if let flush = flushPage { flush(va.raw) }
    }
}
