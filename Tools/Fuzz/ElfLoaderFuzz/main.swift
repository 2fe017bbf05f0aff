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
/// `copyPageLimit` pages: each page begun once, aligned, and in the end
/// holding the file bytes at their offsets and zeros elsewhere. Each page
/// starts as the complement of what it must hold, so a byte the loader
/// leaves unwritten shows as a wrong one.
struct CheckingSink: ElfImageSink {
    typealias Failure = Never
    let plan: LoadPlan
    let file: UnsafeRawBufferPointer
    /// The pages handed out, by address, with what each must end up holding.
    var pages: [UInt64: (memory: UnsafeMutableRawPointer, expected: [UInt8])] = [:]
    var problem: String? = nil

    mutating func beginPage(_ page: VirtualAddress, permissions: PagePermissions) -> UnsafeMutableRawPointer {
        if page.raw & 0xFFF != 0 { problem = problem ?? "began an unaligned page \(page.raw)" }
        if pages[page.raw] != nil { problem = problem ?? "began page \(page.raw) twice" }
        let expected = expectedPage(page.raw)
        let memory = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 4096)
        for i in 0..<4096 { memory.storeBytes(of: ~expected[i], toByteOffset: i, as: UInt8.self) }
        if let earlier = pages[page.raw] { earlier.memory.deallocate() }
        pages[page.raw] = (memory, expected)
        return memory
    }

    /// The file bytes a segment has in `page`, zeros everywhere else.
    private func expectedPage(_ page: UInt64) -> [UInt8] {
        var content = [UInt8](repeating: 0, count: 4096)
        for k in 0..<plan.segmentCount {
            let s = plan.segment(at: k)
            let low = max(page, s.virtualAddress.raw), high = min(page + 4096, s.virtualAddress.raw + s.fileSize)
            guard low < high else { continue }
            for va in low..<high { content[Int(va - page)] = file[Int(s.fileOffset + (va - s.virtualAddress.raw))] }
        }
        return content
    }

    /// The first wrong byte of any page, and gives the pages back.
    mutating func finish() -> String? {
        defer {
            for page in pages.values { page.memory.deallocate() }
            pages = [:]
        }
        if let problem { return problem }
        for (page, content) in pages {
            for i in 0..<4096 where content.memory.load(fromByteOffset: i, as: UInt8.self) != content.expected[i] {
                return "left or wrote the wrong byte at \(page + UInt64(i))"
            }
        }
        return nil
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
        _ = sink.finish()
        return "failed: \(error)"
    }
    let begun = sink.pages.count
    if let problem = sink.finish() { return problem }
    if UInt64(begun) != pages { return "began \(begun) of \(pages) pages" }
    return nil
}
