import FileSystem

/// A whole check of an image on the host: the library check
/// (`FileSystemCheck`) with its scratch allocated here and its findings
/// collected and worded.
public struct ImageCheck {
    public var summary: CheckSummary
    public var findings: [CheckFinding]

    /// One line per finding, as fsck prints them.
    public var lines: [String] { findings.map(\.line) }
    public var isClean: Bool { findings.isEmpty }

    public static func run<Device: BlockDevice>(_ device: Device) -> ImageCheck {
        var collector = FindingCollector()
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: DiskFormat.blockSize, alignment: 8)
        defer { block.deallocate() }
        switch FileSystemCheck.readSuperblock(of: device, blockBuffer: block) {
        case .refused(let finding):
            return ImageCheck(summary: CheckSummary(), findings: [finding])
        case .valid(let superblock):
            let scratch = UnsafeMutableRawBufferPointer.allocate(
                byteCount: FileSystemCheck.scratchByteCount(for: superblock), alignment: 8)
            defer { scratch.deallocate() }
            let summary = FileSystemCheck.run(on: device, superblock: superblock, scratch: scratch, sink: &collector)
            return ImageCheck(summary: summary, findings: collector.findings)
        }
    }
}

struct FindingCollector: CheckFindingSink {
    var findings: [CheckFinding] = []
    mutating func report(_ finding: CheckFinding) { findings.append(finding) }
}

/// Text of a finding, built by the library's own wording.
struct StringTextOutput: CheckTextOutput {
    var text = ""
    mutating func write(_ piece: StaticString) { text += piece.description }
    mutating func write(number: Int64) { text += String(number) }
}

extension CheckFinding {
    /// The finding as one line (no newline).
    public var line: String {
        var output = StringTextOutput()
        describe(into: &output)
        return output.text
    }
}
