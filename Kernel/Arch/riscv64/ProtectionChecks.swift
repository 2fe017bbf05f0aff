@_extern(c, "swiftlet_probe_read") func probeReadInstruction(_ address: UInt64) -> UInt64
@_extern(c, "swiftlet_probe_read_instruction_address") func probeReadInstructionAddress() -> UInt64
@_extern(c, "swiftlet_probe_read_resume_address") func probeReadResumeAddress() -> UInt64

/// A load page fault the protection check causes on purpose at the read
/// probe of csr.S: the kernel trap handler records it and resumes after
/// the probe. Any other kernel fault stays fatal. Its state belongs to the
/// boot hart while the check image's self-checks run (no process yet).
enum FaultProbe {
    nonisolated(unsafe) private static var armed = false
    nonisolated(unsafe) private static var caught: (cause: UInt64, address: UInt64)? = nil

    static func catchFault(_ frame: UnsafeMutablePointer<TrapFrame>, cause: UInt64) -> Bool {
        guard armed, frame.pointee.sepc == probeReadInstructionAddress() else { return false }
        armed = false
        caught = (cause, readStval())
        frame.pointee.sepc = probeReadResumeAddress()
        return true
    }

    static func expectFault(_ body: () -> Void) -> (cause: UInt64, address: UInt64)? {
        caught = nil
        armed = true
        body()
        armed = false
        let taken = caught
        caught = nil
        return taken
    }
}

/// The RISC-V counterpart of SMAP: sstatus.SUM (and MXR) stay clear, so a
/// supervisor access to a user page faults. The kernel needs no window
/// where SUM is set: its user copies go through the direct map.
enum ProtectionChecks {
    static func userMemoryClosedToKernel() -> Bool {
        readSstatus() & (Sstatus.supervisorUserMemory | Sstatus.makeExecutableReadable) == 0
    }

    /// A user page mapped for a moment in the kernel table (on the guard
    /// page below the last kernel stack, whose tables exist already) faults
    /// when the kernel reads it: a load page fault at its address. The page
    /// and its frame are gone afterwards.
    static func kernelReadOfUserPageFaults() -> Bool {
        guard let stacks = Layouts.kernel.region(named: "kernel stacks") else { return false }
        let page = stacks.range.start
        guard stacks.isGuard(page), KernelPaging.translate(page) == nil else { return false }
        let before = PhysicalFrames.freeFrames
        var held = false
        do throws(FrameError) {
            let frame = try PhysicalFrames.allocator.pointee.allocate()
            do throws(MapError) {
                try KernelPaging.table!.map(page, to: frame.address, permissions: .readWrite.union(.user))
                flushTranslations()
                let fault = FaultProbe.expectFault { _ = probeReadInstruction(page.raw) }
                held = fault?.cause == ExceptionCode.loadPageFault && fault?.address == page.raw
                _ = try KernelPaging.table!.unmap(page)
                flushTranslations()
            } catch {
                held = false
            }
            try PhysicalFrames.allocator.pointee.free(frame)
        } catch {
            return false
        }
        return held && PhysicalFrames.freeFrames == before && KernelPaging.translate(page) == nil
    }
}
