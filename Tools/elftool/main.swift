// elftool: a host tool for Swiftlet's user programs.
//
//   elftool check ARCH FILE...            every FILE must be a loadable user program
//   elftool expect-bad ARCH FILE...       every FILE (named bad-KIND) must be refused, for its KIND
//   elftool make-bad ARCH INPUT KIND OUT  writes a copy of INPUT broken in one way (KIND below)
//   elftool stack riscv64 BUDGET ELF...   the deepest call chain from _start must fit in BUDGET bytes
//
// The checks are the ones a careful loader makes; `make user` runs both
// check and expect-bad, so the malformed files memtest feeds to exec are
// known to be malformed in exactly the intended way.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum Arch: String {
    case riscv64, x86_64
    var machine: UInt16 { self == .riscv64 ? 0xF3 : 0x3E }
    var otherMachine: UInt16 { self == .riscv64 ? 0x3E : 0xF3 }
    /// One past the highest address a user segment may reach.
    var userLimit: UInt64 { self == .riscv64 ? 0x3F_FFFF_E000 : 0x0000_8000_0000_0000 }
    /// A kernel-only address: the trap frame (xv6 layout), the kernel image (Emerald layout).
    var kernelAddress: UInt64 { self == .riscv64 ? 0x3F_FFFF_E000 : 0xFFFF_FFFF_8010_0000 }
}

/// What is wrong with a file; the raw value is the bad-KIND it belongs to.
enum Problem: String {
    case magic = "bad-magic"
    case machine = "bad-machine"
    case truncated = "bad-truncated"
    case segmentOutsideUser = "bad-seg-kernel"
    case entry = "bad-entry"
    case programHeaders = "bad-phoff"
    case other = "other"
}

struct Failure: Error {
    let problem: Problem
    let message: String
}

let pageSize: UInt64 = 4096
let ptLoad: UInt32 = 1
let pfX: UInt32 = 1, pfW: UInt32 = 2

struct Bytes {
    var data: [UInt8]
    func u16(_ at: Int) -> UInt16 { UInt16(data[at]) | UInt16(data[at + 1]) << 8 }
    func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(data[at + $1]) << (8 * UInt32($1)) } }
    func u64(_ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(data[at + $1]) << (8 * UInt64($1)) } }
    mutating func put16(_ at: Int, _ v: UInt16) { for i in 0..<2 { data[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt16(i))) } }
    mutating func put64(_ at: Int, _ v: UInt64) { for i in 0..<8 { data[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) } }
}

struct Segment {
    let headerOffset: Int
    let type: UInt32, flags: UInt32
    let offset: UInt64, vaddr: UInt64, filesz: UInt64, memsz: UInt64
}

struct Program {
    let entry: UInt64
    let segments: [Segment]
}

func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

/// Parses and checks an executable; throws the first problem found.
func check(_ b: Bytes, _ arch: Arch) throws(Failure) -> Program {
    let size = UInt64(b.data.count)
    guard size >= 64 else { throw Failure(problem: .truncated, message: "shorter than an ELF header") }
    guard b.data[0] == 0x7F, b.data[1] == 0x45, b.data[2] == 0x4C, b.data[3] == 0x46 else {
        throw Failure(problem: .magic, message: "no ELF magic")
    }
    guard b.data[4] == 2, b.data[5] == 1, b.data[6] == 1 else {
        throw Failure(problem: .other, message: "not ELF64 little-endian version 1")
    }
    guard b.u16(16) == 2 else { throw Failure(problem: .other, message: "not an executable (e_type \(b.u16(16)))") }
    guard b.u16(18) == arch.machine else {
        throw Failure(problem: .machine, message: "machine \(hex(UInt64(b.u16(18)))), expected \(hex(UInt64(arch.machine)))")
    }
    let entry = b.u64(24), phoff = b.u64(32)
    let phentsize = UInt64(b.u16(54)), phnum = UInt64(b.u16(56))
    guard phentsize == 56, phnum > 0 else { throw Failure(problem: .programHeaders, message: "bad program header size or count") }
    let (tableEnd, overflow) = phoff.addingReportingOverflow(phentsize * phnum)
    guard !overflow, tableEnd <= size else {
        throw Failure(problem: .programHeaders, message: "program headers at \(hex(phoff)) run past the end (\(size) bytes)")
    }
    var segments: [Segment] = []
    for i in 0..<Int(phnum) {
        let h = Int(phoff) + i * 56
        let s = Segment(
            headerOffset: h, type: b.u32(h), flags: b.u32(h + 4), offset: b.u64(h + 8),
            vaddr: b.u64(h + 16), filesz: b.u64(h + 32), memsz: b.u64(h + 40))
        guard s.type == ptLoad else { continue }
        let (fileEnd, o1) = s.offset.addingReportingOverflow(s.filesz)
        guard !o1, fileEnd <= size else {
            throw Failure(problem: .truncated, message: "segment \(i) data ends at \(hex(fileEnd)), past the end (\(size) bytes)")
        }
        guard s.filesz <= s.memsz else { throw Failure(problem: .other, message: "segment \(i): filesz > memsz") }
        let (memEnd, o2) = s.vaddr.addingReportingOverflow(s.memsz)
        guard !o2, memEnd <= arch.userLimit else {
            throw Failure(problem: .segmentOutsideUser, message: "segment \(i) at \(hex(s.vaddr))-\(hex(memEnd)) leaves user space")
        }
        guard s.vaddr % pageSize == 0, s.offset % pageSize == 0 else {
            throw Failure(problem: .other, message: "segment \(i) not page aligned (vaddr \(hex(s.vaddr)), offset \(hex(s.offset)))")
        }
        guard s.flags & (pfW | pfX) != (pfW | pfX) else { throw Failure(problem: .other, message: "segment \(i) writable and executable") }
        for other in segments where s.vaddr < other.vaddr + other.memsz && other.vaddr < memEnd {
            throw Failure(problem: .other, message: "segment \(i) overlaps another")
        }
        segments.append(s)
    }
    guard !segments.isEmpty else { throw Failure(problem: .other, message: "no PT_LOAD segment") }
    guard segments.contains(where: { $0.flags & pfX != 0 && entry >= $0.vaddr && entry < $0.vaddr + $0.memsz }) else {
        throw Failure(problem: .entry, message: "entry \(hex(entry)) is not in an executable segment")
    }
    return Program(entry: entry, segments: segments)
}

func readFile(_ path: String) -> Bytes {
    guard let f = fopen(path, "rb") else { die("cannot open \(path)") }
    defer { fclose(f) }
    var data: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&chunk, 1, chunk.count, f)
        if n == 0 { break }
        data += chunk[0..<n]
    }
    return Bytes(data: data)
}

func writeFile(_ path: String, _ b: Bytes) {
    guard let f = fopen(path, "wb") else { die("cannot create \(path)") }
    defer { fclose(f) }
    guard fwrite(b.data, 1, b.data.count, f) == b.data.count else { die("cannot write \(path)") }
}

func die(_ message: String) -> Never {
    fputs("elftool: \(message)\n", stderr)
    exit(1)
}

func baseName(_ path: String) -> String { String(path.split(separator: "/").last ?? Substring(path)) }

/// A copy of a valid program, broken in exactly one way.
func makeBad(_ input: Bytes, _ arch: Arch, _ kind: Problem) -> (Bytes, String) {
    let program: Program
    do { program = try check(input, arch) } catch { die("the input is not valid: \(error.message)") }
    guard let text = program.segments.first(where: { $0.flags & pfX != 0 }),
        let data = program.segments.first(where: { $0.flags & pfX == 0 })
    else {
        die("the input needs an executable and a non-executable segment")
    }
    var b = input
    switch kind {
    case .magic:
        b.data[1] = UInt8(ascii: "X")
        return (b, "magic 7f 'X' 'L' 'F'")
    case .machine:
        b.put16(18, arch.otherMachine)
        return (b, "e_machine \(hex(UInt64(arch.otherMachine))), the other architecture")
    case .truncated:
        let cut = Int(text.offset + text.filesz / 2)
        b.data.removeSubrange(cut...)
        return (b, "cut to \(cut) bytes, in the middle of the text segment")
    case .segmentOutsideUser:
        // Move the data segment (not the text, so that the entry stays valid).
        b.put64(data.headerOffset + 16, arch.kernelAddress)
        b.put64(data.headerOffset + 24, arch.kernelAddress)
        return (b, "data segment moved to \(hex(arch.kernelAddress))")
    case .entry:
        b.put64(24, data.vaddr)
        return (b, "entry \(hex(data.vaddr)), the start of the data segment")
    case .programHeaders:
        let phoff = UInt64(b.data.count - 16)
        b.put64(32, phoff)
        return (b, "program headers at \(hex(phoff)), 16 bytes before the end of the file")
    case .other:
        die("no such kind")
    }
}

// MARK: - stack depth (RISC-V)

/// Reads `llvm-objdump -d` of a RISC-V program: each function's frame
/// (its `addi sp, sp, -N`) and the functions it calls. The deepest chain
/// from _start is an upper bound on its stack use: recursion and indirect
/// calls are left out (say so in the caller), tail calls count as calls.
func stackDepth(_ path: String, objdump: String) -> (bytes: Int, chain: [String]) {
    guard let pipe = popen("'\(objdump)' -d --no-show-raw-insn '\(path)'", "r") else { die("cannot run objdump") }
    var frames: [String: Int] = [:]
    var calls: [String: Set<String>] = [:]
    var current: String? = nil
    var line = [CChar](repeating: 0, count: 4096)
    while fgets(&line, Int32(line.count), pipe) != nil {
        let text = String(cString: line)
        if let open = text.firstIndex(of: "<"), text.hasSuffix(">:\n"), text.first?.isHexDigit == true {
            let name = String(text[text.index(after: open)..<text.index(text.endIndex, offsetBy: -3)])
            if !name.hasPrefix(".L") {
                current = name
                frames[name] = 0
                calls[name] = []
            }
            continue
        }
        guard let function = current else { continue }
        if let r = text.firstRange(of: "addi\tsp, sp, -") {
            let number = text[r.upperBound...].prefix { $0.isHexDigit || $0 == "x" }
            let value = number.hasPrefix("0x") ? Int(number.dropFirst(2), radix: 16) : Int(number)
            frames[function, default: 0] += value ?? 0
        } else if text.contains("sub\tsp, sp,") {
            frames[function, default: 0] += 1 << 20  // a frame too big for one instruction: flag it
        }
        for mnemonic in ["\tjal\t", "\tj\t", "\tcall\t", "\ttail\t"] where text.contains(mnemonic) {
            guard let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close else { continue }
            var target = String(text[text.index(after: open)..<close])
            if let plus = target.lastIndex(of: "+") { target = String(target[..<plus]) }
            if target != function && !target.hasPrefix(".L") { calls[function, default: []].insert(target) }
        }
    }
    pclose(pipe)
    var memo: [String: (Int, [String])] = [:]
    func deepest(_ f: String, _ path: Set<String>) -> (Int, [String]) {
        if let known = memo[f] { return known }
        var best = (0, [String]())
        for callee in calls[f] ?? [] where frames[callee] != nil && !path.contains(callee) {
            let d = deepest(callee, path.union([f]))
            if d.0 > best.0 { best = d }
        }
        let result = ((frames[f] ?? 0) + best.0, ["\(f) (\(frames[f] ?? 0))"] + best.1)
        memo[f] = result
        return result
    }
    return deepest("_start", [])
}

var args = Array(CommandLine.arguments.dropFirst())
if args.first == "stack" {
    guard args.count >= 4, args[1] == "riscv64", let budget = Int(args[2]) else {
        die("usage: elftool stack riscv64 BUDGET ELF...")
    }
    let objdump = String(cString: getenv("OBJDUMP") ?? strdup("llvm-objdump"))
    var over = 0
    for path in args.dropFirst(3) {
        let (bytes, chain) = stackDepth(path, objdump: objdump)
        let verdict = bytes <= budget ? "ok" : "OVER BUDGET"
        print("elftool: \(baseName(path)): deepest stack \(bytes) of \(budget) bytes: \(verdict)")
        if bytes > budget {
            print("    " + chain.joined(separator: " -> "))
            over += 1
        }
    }
    exit(over == 0 ? 0 : 1)
}
guard args.count >= 2, let arch = Arch(rawValue: args[1]) else {
    die("usage: elftool check|expect-bad ARCH FILE... | make-bad ARCH INPUT KIND OUTPUT")
}
switch args[0] {
case "check":
    var bad = 0
    for path in args.dropFirst(2) {
        let b = readFile(path)
        do {
            let p = try check(b, arch)
            let loads = p.segments.map { "\(hex($0.vaddr))+\(hex($0.memsz))" }.joined(separator: " ")
            print("elftool: \(baseName(path)): ok, \(b.data.count) bytes, entry \(hex(p.entry)), PT_LOAD \(loads)")
        } catch {
            print("elftool: \(baseName(path)): INVALID: \(error.message)")
            bad += 1
        }
    }
    exit(bad == 0 ? 0 : 1)
case "expect-bad":
    var wrong = 0
    for path in args.dropFirst(2) {
        let name = baseName(path)
        do {
            _ = try check(readFile(path), arch)
            print("elftool: \(name): ACCEPTED, but it should be refused")
            wrong += 1
        } catch {
            if error.problem.rawValue == name {
                print("elftool: \(name): refused as intended: \(error.message)")
            } else {
                print("elftool: \(name): refused for another reason: \(error.message)")
                wrong += 1
            }
        }
    }
    exit(wrong == 0 ? 0 : 1)
case "make-bad":
    guard args.count == 5, let kind = Problem(rawValue: args[3]), kind != .other else {
        die("usage: elftool make-bad ARCH INPUT bad-KIND OUTPUT")
    }
    let (b, what) = makeBad(readFile(args[2]), arch, kind)
    writeFile(args[4], b)
    print("elftool: \(baseName(args[4])): \(what)")
default:
    die("unknown command \(args[0])")
}
