// memtest's cases: what a user program must not be able to do to memory,
// and what the kernel must refuse without dying.
import SwiftletUser

let pageSize = 4096

/// Touches the stack as deep as the parent's own calls will go, so that a
/// kernel that grows stacks on demand has done so before frames are counted.
@inline(never)
func touchStack() {
    var frame: InlineArray<1536, UInt8> = .init(repeating: 0)
    withUnsafeMutableBytes(of: &frame) { bytes in
        let base = UInt(bitPattern: bytes.baseAddress)
        for offset in stride(from: 0, to: bytes.count, by: 64) { Probe.store(base + UInt(offset), 1) }
    }
}

// MARK: - faults that must kill the child

/// Recursion with a 1 KiB frame runs the stack into its guard page.
@inline(never)
func recurse(_ depth: Int) -> Int {
    var frame: InlineArray<1024, UInt8> = .init(repeating: UInt8(truncatingIfNeeded: depth))
    return withUnsafeMutableBytes(of: &frame) { bytes in
        let here = UInt(bitPattern: bytes.baseAddress)
        // Volatile stores across the whole frame keep all of it (and touch every part).
        for offset in stride(from: 0, to: bytes.count, by: 64) { Probe.store(here + UInt(offset), 1) }
        guard depth < 10_000_000 else { return 0 }
        // Use the frame after the call, so the call is no tail call and the frame stays.
        return recurse(depth + 1) + Int(Probe.load(here))
    }
}

/// Announces the kernel's report of this child's death for
/// Tools/check-kill-reports.py: the overflow must end in the layout's guard.
func stackOverflow() -> Int32 {
    out("memtest: expect: pid \(Sys.getpid()) (memtest): write fault at 0x* pc 0x* [\(Targets.stackOverflowRegion)")
    out(" || pid \(Sys.getpid()) (memtest): read fault at 0x* pc 0x* [\(Targets.stackOverflowRegion)\n")
    let result = recurse(0)
    return fail("recursion returned \(result) without a fault")
}

/// Recursion to `depth` 1 KiB frames, returning normally.
@inline(never)
func recurseTo(_ depth: Int) -> Int {
    var frame: InlineArray<1024, UInt8> = .init(repeating: 1)
    return withUnsafeMutableBytes(of: &frame) { bytes in
        let here = UInt(bitPattern: bytes.baseAddress)
        for offset in stride(from: 0, to: bytes.count, by: 64) { Probe.store(here + UInt(offset), 1) }
        guard depth > 0 else { return Int(Probe.load(here)) }
        return recurseTo(depth - 1) + Int(Probe.load(here))
    }
}

/// The stack grows on demand: a recursion `stackGrowthBytes` deep returns.
func stackGrowth() -> Int32 {
    let depth = Targets.stackGrowthBytes / 1024
    let sum = recurseTo(depth)
    return sum == depth + 1 ? 0 : fail("the recursion summed to \(sum), expected \(depth + 1)")
}

func readAddress(_ address: UInt) -> Int32 {
    let value = Probe.load(address)
    return fail("read \(hex: address) gave \(value)")
}

func writeAddress(_ address: UInt) -> Int32 {
    Probe.store(address, 0)
    return fail("write to \(hex: address) went through")
}

@_extern(c, "_start") func startSymbol()

/// How far below the caller's stack frame a stack overflow may fault: the
/// stack's own size (one page on RISC-V, more on x86-64 and on Linux) and
/// its guard.
let stackFaultReach: UInt = 16 * 1024 * 1024

var textAddress: UInt { Probe.address(of: startSymbol) }

func writeText() -> Int32 {
    let text = textAddress
    Probe.store(text, Probe.load(text))  // the same byte: harmless if it wrongly succeeds
    return fail("write to text at \(hex: text) went through")
}

/// `code` is heap memory the parent allocated before forking, so that it
/// knows the address the fault must name.
func executeHeap(_ code: UnsafeMutableRawPointer) -> Int32 {
    let ret = Targets.returnInstruction
    for i in 0..<ret.count { code.storeBytes(of: ret.bytes[i], toByteOffset: i, as: UInt8.self) }
    Probe.call(code)
    return fail("code at \(hex: UInt(bitPattern: code)) in the heap ran")
}

func sbrkShrink() -> Int32 {
    guard let old = Sys.sbrk(3 * pageSize) else { return fail("sbrk(3 pages) failed") }
    let base = UInt(bitPattern: old)
    for page in 0..<3 { Probe.store(base + UInt(page * pageSize), 7) }
    Probe.store(base + UInt(3 * pageSize - 1), 7)
    guard Sys.sbrk(-3 * pageSize) != nil else { return fail("sbrk(-3 pages) failed") }
    // This page lies wholly above the restored break.
    let freed = base + UInt(2 * pageSize)
    Probe.store(freed, 7)
    return fail("write to freed heap at \(hex: freed) went through")
}

// MARK: - system calls that must fail with -1

func expectFailure(_ what: StaticString, _ result: Int) -> Int32 {
    result == -1 ? 0 : fail("\(what) returned \(result), expected -1")
}

func writeFromKernel() -> Int32 {
    expectFailure("write", Sys.write(1, UnsafeRawPointer(bitPattern: Targets.kernel), 10))
}

func readIntoKernel() -> Int32 {
    let fd = Sys.open("memtest", .readOnly)
    guard fd >= 0 else { return fail("cannot open memtest to read from") }
    return expectFailure("read", Sys.read(fd, UnsafeMutableRawPointer(bitPattern: Targets.kernel), 10))
}

func writeFromUnmapped() -> Int32 {
    let address = Sys.currentBreak() + 1024 * 1024
    return expectFailure("write", Sys.write(1, UnsafeRawPointer(bitPattern: address), 10))
}

func writeAcrossStackGuard() -> Int32 {
    let address = Targets.guardSpanningBuffer(stackAddress: Probe.stackAddress())
    return expectFailure("write", Sys.write(1, UnsafeRawPointer(bitPattern: address), 64))
}

/// The length cases write from a buffer the caller does own (its stack),
/// so that only the kernel's check of the length can refuse them; a
/// kernel that took the length as a signed or 32-bit count would write.
func writeOwnStack(length: Int) -> Int {
    Sys.raw(SyscallNumber.write, 1, Int(bitPattern: Probe.stackAddress()), length)
}

func lengthOverflow() -> Int32 {
    expectFailure("write(1, stack, 0xFFFFFFFFFFFFFF00)", writeOwnStack(length: Int(bitPattern: 0xFFFF_FFFF_FFFF_FF00)))
}

func lengthMinusOne() -> Int32 {
    expectFailure("write(1, stack, -1)", writeOwnStack(length: -1))
}

func execKernelPath() -> Int32 {
    var argv: InlineArray<2, UnsafeMutablePointer<CChar>?> = [CString.literal("x"), nil]
    let r = withUnsafeMutableBytes(of: &argv) { raw in
        Sys.exec(CString(UnsafePointer(bitPattern: Targets.kernel)!), raw.baseAddress!.assumingMemoryBound(to: UnsafeMutablePointer<CChar>?.self))
    }
    return expectFailure("exec", Int(r))
}

func pipeKernel() -> Int32 {
    expectFailure("pipe", Sys.raw(SyscallNumber.pipe, Int(bitPattern: Targets.kernel)))
}

func sbrkTooMuch() -> Int32 {
    let before = Sys.currentBreak()
    if let old = Sys.sbrk(1 << 30) {
        return fail("sbrk(1 GiB) succeeded at \(hex: UInt(bitPattern: old))")
    }
    let after = Sys.currentBreak()
    return after == before ? 0 : fail("the break moved from \(hex: before) to \(hex: after)")
}

// MARK: - fork

var isolationGlobal: UInt8 = 0

func forkIsolation() -> Int32 {
    guard let heap = Heap.allocate(bytes: 16) else { return fail("malloc failed") }
    let heapAddress = UInt(bitPattern: heap)
    let globalAddress = withUnsafeMutablePointer(to: &isolationGlobal) { UInt(bitPattern: $0) }
    Probe.store(globalAddress, 1)
    Probe.store(heapAddress, 1)
    let pid = Sys.fork()
    if pid == 0 {
        Probe.store(globalAddress, 2)
        Probe.store(heapAddress, 2)
        Sys.exit(Probe.load(globalAddress) == 2 && Probe.load(heapAddress) == 2 ? 0 : 3)
    }
    guard pid > 0 else { return fail("fork failed") }
    guard let (_, status) = Sys.wait() else { return fail("wait failed") }
    guard status == 0 else { return fail("the child could not write its own copy (status \(status))") }
    let global = Probe.load(globalAddress)
    let onHeap = Probe.load(heapAddress)
    guard global == 1 else { return fail("the parent's global became \(global)") }
    guard onHeap == 1 else { return fail("the parent's heap byte became \(onHeap)") }
    return 0
}

/// Forks until the process table is full; the children block reading a
/// pipe, and closing its write end releases them all.
func forkUntilFull() -> Int32 {
    let limit = 1000
    guard let gate = Sys.pipe() else { return fail("pipe failed") }
    var children = 0
    while children < limit {
        let pid = Sys.fork()
        if pid < 0 { break }
        if pid == 0 {
            _ = Sys.close(gate.write)
            var byte: UInt8 = 0
            _ = Sys.read(gate.read, &byte, 1)
            Sys.exit(0)
        }
        children += 1
    }
    _ = Sys.close(gate.write)
    _ = Sys.close(gate.read)
    var reaped = 0
    var unhappy = 0
    while let (_, status) = Sys.wait() {
        reaped += 1
        if status != 0 { unhappy += 1 }
    }
    if children == limit { return fail("fork never returned -1 (\(children) children)") }
    if children == 0 { return fail("no fork succeeded") }
    if reaped != children { return fail("forked \(children) children, reaped \(reaped)") }
    if unhappy != 0 { return fail("\(unhappy) of \(children) children did not exit 0") }
    return 0
}

// MARK: - exec

/// elfbase's exit status (User/Programs/elfbase).
let elfbaseStatus: Int32 = 42

func execValid(_ path: StaticString) -> Int32 {
    let r = Sys.exec(path)
    return fail("exec returned \(r)")
}

func execBad(_ path: StaticString) -> Int32 {
    // The malformed files are only in the check images: elsewhere a missing
    // file would make exec fail for the wrong reason.
    let fd = Sys.open(path, .readOnly)
    guard fd >= 0 else { return skippedStatus }
    _ = Sys.close(fd)
    let r = Sys.exec(path)
    return r == -1 ? 0 : fail("exec returned \(r)")
}

/// exec of a directory fails, and leaves the directory unlocked and open to
/// others: exec locks what it opens before it knows it is not a file.
func execDirectory() -> Int32 {
    let r = Sys.exec("/")
    guard r == -1 else { return fail("exec of / returned \(r)") }
    let fd = Sys.open("/", .readOnly)
    guard fd >= 0 else { return fail("/ cannot be opened after the failed exec") }
    _ = Sys.close(fd)
    return 0
}

// MARK: - scheduling

/// A child that spins without ever entering the kernel must still lose the
/// CPU: the parent wakes from sleep only if the timer preempts the child.
func preemption() -> Int32 {
    let pid = Sys.fork()
    if pid == 0 {
        var spin: UInt8 = 0
        let address = withUnsafeMutablePointer(to: &spin) { UInt(bitPattern: $0) }
        while true { Probe.store(address, Probe.load(address) &+ 1) }
    }
    guard pid > 0 else { return fail("fork failed") }
    let start = Sys.uptime()
    _ = Sys.sleep(3)
    let slept = Sys.uptime() - start
    guard Sys.kill(pid) == 0 else { return fail("kill(\(pid)) failed") }
    guard let (_, status) = Sys.wait() else { return fail("wait failed") }
    guard slept >= 3 else { return fail("sleep(3) returned after \(slept) ticks") }
    return status == -1 ? 0 : fail("the spinning child exited with \(status), expected -1 (killed)")
}
