import MemoryCore
import PropertyBased
import Testing

/// Throws a hundred thousand damaged executables at the loader: none may
/// crash or hang it, and every plan it accepts must keep its promises.
@Suite struct ElfLoaderFuzzTests {
    @Test(arguments: [
        (ElfMachine.riscv64, riscvBase, UInt64(0x9E37_79B9_7F4A_7C15)),
        (ElfMachine.x86_64, x86Base, UInt64(0xD1B5_4A32_D192_ED03)),
    ])
    func mutatedFilesNeverBreakThePlanInvariants(machine: ElfMachine, base: UInt64, seed: UInt64) throws {
        let rules = machine == .riscv64 ? UserImageLayout.xv6Rules() : try UserImageLayout.emeraldRules()
        let valid = ElfBuilder.compact(machine, base: base).build()
        #expect(throws: Never.self) { try plan(valid, machine, rules) }
        var rng = XorShift(seed: seed)
        var accepted = 0
        var errors = Set<String>()
        for _ in 0..<50_000 {
            var bytes = valid
            for _ in 0..<(1 + rng.below(3)) { mutate(&bytes, &rng, machine: machine) }
            do {
                let plan = try plan(bytes, machine, rules)
                accepted += 1
                if let violation = plan.brokenPromise(fileSize: UInt64(bytes.count), rules: rules) {
                    Issue.record("accepted a plan that \(violation): \(bytes)")
                    return
                }
                if let violation = copyViolation(plan, bytes) {
                    Issue.record("copy \(violation): \(bytes)")
                    return
                }
            } catch {
                errors.insert("\(error)")
            }
        }
        // The mutations must reach the accepting path and every check but
        // tooManySegments (the file has only three program headers).
        #expect(accepted > 1_000)
        #expect(errors.count >= 17, "errors seen: \(errors.sorted())")
    }

    /// Random segment tables compared with a small model of the rules about
    /// empty, overlapping and surplus segments and the entry point.
    /// The promise check the fuzzers rely on does catch a plan that does not
    /// fit its file or its rules.
    @Test func brokenPromisesAreNamed() throws {
        let rules = UserImageLayout.xv6Rules()
        let valid = ElfBuilder.compact(.riscv64, base: riscvBase).build()
        let accepted = try plan(valid, .riscv64, rules)
        #expect(accepted.brokenPromise(fileSize: UInt64(valid.count), rules: rules) == nil)
        #expect(accepted.brokenPromise(fileSize: 64, rules: rules).map { "\($0)" } == "reads outside the file")
        var narrow = UserRegionRules(allowed: VirtualRange(start: VirtualAddress(riscvBase + 0x10_0000), size: 0x1000)!)
        #expect(accepted.brokenPromise(fileSize: UInt64(valid.count), rules: narrow).map { "\($0)" } == "leaves the allowed range")
        narrow = rules
        narrow.reserve(accepted.imageRange)
        #expect(accepted.brokenPromise(fileSize: UInt64(valid.count), rules: narrow).map { "\($0)" } == "touches a reserved range")
    }

    @Test func randomSegmentTablesMatchTheModel() async {
        let segment = zip(
            Gen.int(in: 0...11), Gen.int(in: 0...4095), Gen.int(in: 0...0x3000),
            Gen.int(in: 0...0x14000), Gen.int(in: 0...7))
        await propertyCheck(count: 300, input: segment.array(of: 1...10)) { table in
            let rules = UserImageLayout.xv6Rules()
            var builder = ElfBuilder(
                machine: ElfMachine.riscv64.rawValue, entry: 0x10, segments: [],
                fileSize: 0x1000 + table.count * 0x4000)
            for (k, (slot, inPage, filesz, extra, flags)) in table.enumerated() {
                builder.segments.append(
                    TestSegment(
                        flags: UInt32(flags), vaddr: UInt64(0x10_0000 + slot * 0x10000 + inPage),
                        offset: UInt64(0x1000 + k * 0x4000 + inPage), filesz: UInt64(filesz), memsz: UInt64(filesz + extra)))
            }
            if let text = builder.segments.first(where: { $0.flags & 1 != 0 && $0.memsz > 0 }) {
                builder.entry = text.vaddr
            }

            // The model: walk the PT_LOADs in file order.
            var kept: [TestSegment] = []
            var expected: ElfError? = nil
            for s in builder.segments where s.memsz > 0 {
                let start = s.vaddr & ~0xFFF, end = (s.vaddr + s.memsz + 0xFFF) & ~0xFFF
                if kept.contains(where: { k in start < (k.vaddr + k.memsz + 0xFFF) & ~0xFFF && k.vaddr & ~0xFFF < end }) {
                    expected = .overlappingSegments; break
                }
                if kept.count == 8 { expected = .tooManySegments; break }
                kept.append(s)
            }
            if expected == nil, kept.isEmpty { expected = .noLoadableSegment }
            if expected == nil, !kept.contains(where: { $0.flags & 1 != 0 && $0.vaddr == builder.entry }) {
                expected = .entryNotExecutable
            }

            let bytes = builder.build()
            if let expected {
                #expect(throws: expected) { try plan(bytes, .riscv64, rules) }
            } else {
                let plan = try plan(bytes, .riscv64, rules)
                #expect(plan.segmentCount == kept.count)
                for (i, s) in kept.enumerated() where i < plan.segmentCount {
                    let got = plan.segment(at: i)
                    #expect(got.virtualAddress.raw == s.vaddr && got.memorySize == s.memsz)
                    #expect(got.fileOffset == s.offset && got.fileSize == s.filesz)
                    #expect(got.permissions.contains(.execute) == (s.flags & 1 != 0))
                    #expect(got.permissions.contains(.write) == (s.flags & 2 != 0))
                    #expect(got.permissions.contains(.read) == (s.flags & 4 != 0))
                }
                #expect(plan.brokenPromise(fileSize: UInt64(bytes.count), rules: rules) == nil)
            }
        }
    }
}

/// Copies small accepted plans: every page begun once, every byte of it
/// written (each page starts as the complement of what it must hold).
func copyViolation(_ plan: LoadPlan, _ bytes: [UInt8]) -> String? {
    var pages: UInt64 = 0
    for i in 0..<plan.segmentCount { pages += plan.segment(at: i).pages!.size / 4096 }
    guard pages <= 64 else { return nil }
    var sink = RecordingSink(staleFrom: (plan, bytes))
    do {
        try bytes.withUnsafeBytes { file in try plan.copySegments(from: file, into: &sink) }
    } catch {
        return "failed: \(error)"
    }
    return imageMismatch(sink, plan, bytes)
}

/// A fixed-seed xorshift64*: fast and reproducible, unlike the system RNG.
struct XorShift {
    var state: UInt64
    init(seed: UInt64) { state = seed | 1 }
    mutating func next() -> UInt64 {
        state ^= state >> 12; state ^= state << 25; state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// Values near the edges the loader checks.
private func interesting(_ rng: inout XorShift, fileCount: Int) -> UInt64 {
    let edges: [UInt64] = [
        0, 1, 2, 0x38, 0x40, 0xFFF, 0x1000, 0x1001, 0x2000, UInt64.max, UInt64.max - 1, UInt64.max - 0xFFF,
        1 << 38, (1 << 38) - 0x1000, (1 << 38) - 0x2000, (1 << 38) - 0x3000, 1 << 47, (1 << 47) - 0x1000,
        0xFFFF_FF7F_FFFF_D000, 0xFFFF_FF7F_FFFF_E000, 0xFFFF_FF7F_FFFF_C000, 0x7FFF_FFFF_FFFF_FFFF,
        UInt64(fileCount), UInt64(fileCount - 1), UInt64(fileCount + 1),
    ]
    switch rng.below(4) {
    case 0: return rng.next()
    case 1: return rng.next() & 0xFFFF
    default: return edges[rng.below(edges.count)]
    }
}

/// One random damage to a file: flipped bits, a cut, a field set to an edge
/// value or nudged, or junk appended.
private func mutate(_ bytes: inout [UInt8], _ rng: inout XorShift, machine: ElfMachine) {
    let headerFields: [(Int, Int)] = [(16, 2), (18, 2), (20, 4), (24, 8), (32, 8), (52, 2), (54, 2), (56, 2)]
    let phFields: [(Int, Int)] = [(0, 4), (4, 4), (8, 8), (16, 8), (32, 8), (40, 8), (48, 8)]
    guard !bytes.isEmpty else { return }
    switch rng.below(10) {
    case 0:
        bytes[rng.below(bytes.count)] ^= UInt8(1 << rng.below(8))
    case 1:
        bytes[rng.below(min(bytes.count, 16))] = UInt8(truncatingIfNeeded: rng.next())
    case 2:
        bytes = Array(bytes.prefix(rng.below(bytes.count + 1)))
    case 3:
        let (at, size) = headerFields[rng.below(headerFields.count)]
        if at + size <= bytes.count { ElfBuilder.put(&bytes, at, interesting(&rng, fileCount: bytes.count), size) }
    case 4, 5, 6:
        let (field, size) = phFields[rng.below(phFields.count)]
        let at = 64 + rng.below(3) * 56 + field
        if at + size <= bytes.count { ElfBuilder.put(&bytes, at, interesting(&rng, fileCount: bytes.count), size) }
    case 7, 8:
        // Nudge a 64-bit program-header field by a small or page-sized step.
        let field = [8, 16, 32, 40, 48][rng.below(5)]
        let at = 64 + rng.below(3) * 56 + field
        guard at + 8 <= bytes.count else { return }
        let steps: [UInt64] = [1, 0x10, 0x1000, 0x10000]
        let step = steps[rng.below(steps.count)]
        let old = ElfBuilder.get64(bytes, at)
        ElfBuilder.put64(&bytes, at, rng.below(2) == 0 ? old &+ step : old &- step)
    default:
        bytes += (0..<rng.below(64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }
}
