/// The check images audit every process's page table after exec and fork
/// against what the process is meant to have (`PageTable.auditProcess`:
/// its image layout, its heap, the layout table's per-process regions), as
/// the boot audit does the kernel's. A mismatch is a kernel bug: one line
/// per mismatch, then a panic. Other images skip it (it walks every page).
enum ProcessPageAudit {
    /// After fork and after exec, from the process's own kernel stack (exec
    /// has left the scratch stack): the audit runs on the scratch stack,
    /// the layouts it reads are kilobytes.
    static func audit(slot: Int) {
        guard BootMode.current == .check else { return }
        _ = ScratchStack.run(processPageAuditEntry, UInt64(slot))
    }

    fileprivate static func run(slot: Int) {
        let process = Processes.slots + slot
        guard let image = Processes.layout(of: slot) else { return }
        let heapBreak = ProcessMemoryMap.heapBreak(of: slot)
        let report = process.pointee.space!.pageTable.auditProcess(
            image: image.pointee, heapBreak: heapBreak, layout: Layouts.process)
        guard !report.isClean else { return }
        for index in 0..<min(report.mismatchCount, LayoutAuditReport.capacity) {
            guard let mismatch = report.mismatch(index) else { continue }
            Console.write("process audit: pid ")
            Console.write(decimal: UInt64(process.pointee.pid))
            Console.write(": ")
            if mismatch.region >= 0 {
                Console.write(Layouts.process[mismatch.region].name)
            } else {
                Console.write(image.pointee.region(containing: mismatch.address)?.name ?? "outside every region")
            }
            Console.write(": ")
            Console.write(mismatch.description)
            Console.write(" at ")
            Console.write(hex: mismatch.address.raw)
            Console.newline()
        }
        kernelPanic("a process's page table does not match its layout")
    }
}

/// `ProcessPageAudit.run` on the scratch stack; the argument is the slot.
@_cdecl("swiftlet_process_page_audit")
func processPageAuditEntry(_ slot: UInt64) -> Int64 {
    ProcessPageAudit.run(slot: Int(slot))
    return 0
}
