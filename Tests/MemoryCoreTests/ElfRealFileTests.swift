import Foundation
import MemoryCore
import Testing

private let toolchainClang = "/opt/swift/usr/bin/clang"

/// Executables made by the real toolchain (clang + ld.lld), built on the fly
/// so the test needs no binary in the repository.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: toolchainClang)))
struct ElfRealFileTests {
    static let clang = toolchainClang
    static let lld = "/opt/swift/usr/bin/ld.lld"
    static let source = """
        static const char message[] = "Swiftlet real ELF";
        int counter = 5;
        char buffer[300];
        void _start(void) { volatile const char *p = message; buffer[0] = p[counter]; for (;;) {} }
        """

    @Test(arguments: [ElfMachine.riscv64, .x86_64])
    func loadsWhatTheToolchainLinks(machine: ElfMachine) throws {
        let bytes = try Self.link(machine)
        let rules = machine == .riscv64 ? UserImageLayout.xv6Rules() : try UserImageLayout.emeraldRules()
        let plan = try plan(bytes, machine, rules)
        #expect(plan.segmentCount >= 2)
        #expect(plan.textSegment?.permissions == .user | .readExecute)
        #expect(plan.programHeaderAddress == VirtualAddress(64))  // lld maps the headers at the image base 0
        var sawBss = false
        for i in 0..<plan.segmentCount where plan.segment(at: i).permissions.contains(.write) {
            sawBss = plan.segment(at: i).memorySize > plan.segment(at: i).fileSize
        }
        #expect(sawBss)

        var sink = RecordingSink()
        try bytes.withUnsafeBytes { file in try plan.copySegments(from: file, into: &sink) }
        let image = sink.pages.keys.sorted().flatMap { sink.pages[$0]! }
        let needle = Array("Swiftlet real ELF".utf8)
        #expect(image.indices.contains { image[$0...].starts(with: needle) })
        #expect(imageMismatch(sink, plan, bytes) == nil)

        let layout = machine == .riscv64 ? try UserImageLayout.xv6(plan: plan) : try UserImageLayout.emerald(plan: plan)
        #expect(layout.heapStart >= plan.imageEnd)
    }

    /// `ld.lld -N -e _start -Ttext 0` (how xv6 links forktest): one RWX
    /// segment whose file offset (just past the headers) disagrees with its
    /// address 0 modulo the page size. It loads, byte for byte.
    @Test func loadsAnOmagicFileLinkedAtZero() throws {
        let bytes = try Self.link(.riscv64, linkFlags: ["-N", "-Ttext", "0"])
        let plan = try plan(bytes, .riscv64, UserImageLayout.xv6Rules())
        #expect(plan.segmentCount == 1)
        let segment = plan.segment(at: 0)
        #expect(segment.virtualAddress == VirtualAddress(0))
        #expect(segment.fileOffset % 4096 != 0)
        #expect(segment.permissions == .user | .readWrite | .execute)
        var sink = RecordingSink()
        try bytes.withUnsafeBytes { file in try plan.copySegments(from: file, into: &sink) }
        #expect(imageMismatch(sink, plan, bytes) == nil)
        let image = sink.pages.keys.sorted().flatMap { sink.pages[$0]! }
        #expect(image.indices.contains { image[$0...].starts(with: Array("Swiftlet real ELF".utf8)) })
    }

    static func link(_ machine: ElfMachine, linkFlags: [String] = []) throws -> [UInt8] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-elf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let c = dir.appendingPathComponent("t.c").path, o = dir.appendingPathComponent("t.o").path
        let elf = dir.appendingPathComponent("t.elf").path
        try source.write(toFile: c, atomically: true, encoding: .utf8)
        let target =
            machine == .riscv64
            ? ["--target=riscv64-unknown-elf", "-march=rv64imac", "-mabi=lp64"]
            : ["--target=x86_64-unknown-none-elf"]
        try run(clang, target + ["-ffreestanding", "-nostdlib", "-O1", "-c", c, "-o", o])
        try run(lld, ["--image-base=0", "-z", "max-page-size=4096", "-e", "_start"] + linkFlags + [o, "-o", elf])
        return Array(try Data(contentsOf: URL(fileURLWithPath: elf)))
    }

    static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "\(tool) \(arguments) failed")
    }
}
