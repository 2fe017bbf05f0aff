// libFuzzer target for the ELF loader, the memory core's parser of untrusted
// input. Built by Tools/fuzz.mk with `swiftc -sanitize=fuzzer` from this file
// and the Sources/MemoryCore sources (one module, no package), so the fuzzer
// instruments the very code the kernel runs.
//
// Each input is tried as an executable for both layouts (RISC-V xv6 rules,
// x86-64 Emerald rules). The loader may refuse it; if it accepts it, the
// plan must keep its promises, copying it must put every byte of every page
// exactly where the file says (zeros past filesz), and the process layout
// built around it must not overlap the image. A broken promise is a crash,
// which libFuzzer reports and saves as a reproducer.

/// Pages copied per accepted input at most; larger plans are checked but not copied.
let copyPageLimit: UInt64 = 256

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let file = UnsafeRawBufferPointer(start: data, count: size)
    exercise(file, .riscv64)
    exercise(file, .x86_64)
    return 0
}

func exercise(_ file: UnsafeRawBufferPointer, _ machine: ElfMachine) {
    let rules: UserRegionRules
    do {
        rules = machine == .riscv64 ? UserImageLayout.xv6Rules() : try UserImageLayout.emeraldRules()
    } catch {
        fatalError("the default Emerald rules were refused: \(error)")
    }
    let plan: LoadPlan
    do {
        plan = try ElfLoader.plan(file: file, machine: machine, rules: rules)
    } catch {
        return  // refused: what a loader should do with most inputs
    }
    if let violation = plan.brokenPromise(fileSize: UInt64(file.count), rules: rules) {
        fatalError("\(machine): accepted a plan that \(violation)")
    }
    if let violation = copyViolation(plan, file) {
        fatalError("\(machine): copying \(violation)")
    }
    do {
        let layout = machine == .riscv64 ? try UserImageLayout.xv6(plan: plan) : try UserImageLayout.emerald(plan: plan)
        if layout.heapStart < plan.imageEnd { fatalError("\(machine): the heap starts inside the image") }
        if layout.stack.overlaps(plan.imageRange) || layout.stackGuard.overlaps(plan.imageRange) {
            fatalError("\(machine): the stack or its guard overlaps the image")
        }
        if let metadata = layout.metadataPage {
            var page = [UInt8](repeating: 0, count: 4096)
            let written = page.withUnsafeMutableBytes {
                ProcessMetadata(pid: 1, plan: plan, layout: layout).write(into: $0)
            }
            if !written || metadata.overlaps(plan.imageRange) { fatalError("\(machine): bad metadata page") }
        }
    } catch {
        // A plan the layout cannot place (an image reaching the stack): refused, fine.
    }
}

/// Checks every byte the loader writes against the file, for plans of up to
/// `copyPageLimit` pages: file bytes at their offsets, zeros elsewhere, each
/// page begun once and written completely.
struct CheckingSink: ElfImageSink {
    typealias Failure = Never
    let plan: LoadPlan
    let file: UnsafeRawBufferPointer
    /// Bytes written or zeroed per page start.
    var covered: [UInt64: Int] = [:]
    var current: UInt64? = nil
    var problem: String? = nil

    mutating func beginPage(_ page: VirtualAddress, permissions: PagePermissions) {
        if page.raw & 0xFFF != 0 { problem = problem ?? "began an unaligned page \(page.raw)" }
        if covered[page.raw] != nil { problem = problem ?? "began page \(page.raw) twice" }
        covered[page.raw] = 0
        current = page.raw
    }

    mutating func write(to address: VirtualAddress, bytes: UnsafeRawBufferPointer) {
        guard inCurrentPage(address.raw, UInt64(bytes.count)) else { return }
        guard let segment = plan.segment(containing: address) else {
            problem = problem ?? "wrote outside every segment at \(address.raw)"
            return
        }
        let offset = segment.fileOffset + (address.raw - segment.virtualAddress.raw)
        guard address.raw + UInt64(bytes.count) <= segment.virtualAddress.raw + segment.fileSize else {
            problem = problem ?? "wrote file bytes past filesz at \(address.raw)"
            return
        }
        for i in 0..<bytes.count where bytes[i] != file[Int(offset) + i] {
            problem = problem ?? "wrote the wrong byte at \(address.raw + UInt64(i))"
            return
        }
        covered[current!, default: 0] += bytes.count
    }

    mutating func zero(at address: VirtualAddress, count: UInt64) {
        guard inCurrentPage(address.raw, count) else { return }
        if let segment = plan.segment(containing: address), address.raw < segment.virtualAddress.raw + segment.fileSize {
            problem = problem ?? "zeroed file bytes at \(address.raw)"
            return
        }
        covered[current!, default: 0] += Int(count)
    }

    private mutating func inCurrentPage(_ address: UInt64, _ count: UInt64) -> Bool {
        guard let page = current, address >= page, address - page + count <= 4096 else {
            problem = problem ?? "stored \(count) bytes at \(address) outside the page begun"
            return false
        }
        return true
    }
}

func copyViolation(_ plan: LoadPlan, _ file: UnsafeRawBufferPointer) -> String? {
    var pages: UInt64 = 0
    for i in 0..<plan.segmentCount { pages += plan.segment(at: i).pages!.size / 4096 }
    guard pages <= copyPageLimit else { return nil }
    var sink = CheckingSink(plan: plan, file: file)
    do {
        try plan.copySegments(from: file, into: &sink)
    } catch {
        return "failed: \(error)"
    }
    if let problem = sink.problem { return problem }
    if UInt64(sink.covered.count) != pages { return "began \(sink.covered.count) of \(pages) pages" }
    for (page, bytes) in sink.covered where bytes != 4096 { return "filled \(bytes) bytes of page \(page)" }
    return nil
}
