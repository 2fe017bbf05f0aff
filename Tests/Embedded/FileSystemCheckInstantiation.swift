// Compiled only with the file-system core by `make core` (never linked into
// a kernel): specializes the file-system check with a concrete device and
// sink, so that the -no-allocations build compiles and checks its body.

struct InstantiationCheckSink: CheckFindingSink, CheckTextOutput {
    var findings = 0
    var characters = 0
    mutating func report(_ finding: CheckFinding) {
        findings += 1
        finding.describe(into: &self)
    }
    mutating func write(_ text: StaticString) { characters += text.utf8CodeUnitCount }
    mutating func write(number: Int64) { characters += 1 }
}

public func fileSystemCheckInstantiation(
    disk: UnsafeMutableRawBufferPointer, block: UnsafeMutableRawBufferPointer, scratch: UnsafeMutableRawBufferPointer
) -> Int {
    let device = InstantiationDevice(memory: disk)
    var sink = InstantiationCheckSink()
    switch FileSystemCheck.readSuperblock(of: device, blockBuffer: block) {
    case .refused(let finding):
        sink.report(finding)
        return -sink.characters
    case .valid(let superblock):
        guard scratch.count >= FileSystemCheck.scratchByteCount(for: superblock) else { return -1 }
        let summary = FileSystemCheck.run(on: device, superblock: superblock, scratch: scratch, sink: &sink)
        return summary.findings + sink.characters
    }
}
