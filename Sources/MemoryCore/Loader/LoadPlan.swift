/// One loadable segment, checked: its file bytes lie inside the file and its
/// pages inside the user region. Its address need not agree with its file
/// offset modulo the page size: `copySegments` copies bytes, not pages.
public struct LoadSegment: Sendable, Equatable {
    public let virtualAddress: VirtualAddress
    public let memorySize: UInt64
    public let fileOffset: UInt64
    public let fileSize: UInt64
    /// Always contains `.user`; read, write and execute come from `p_flags`.
    public let permissions: PagePermissions

    public init(
        virtualAddress: VirtualAddress, memorySize: UInt64, fileOffset: UInt64,
        fileSize: UInt64, permissions: PagePermissions
    ) {
        self.virtualAddress = virtualAddress
        self.memorySize = memorySize
        self.fileOffset = fileOffset
        self.fileSize = fileSize
        self.permissions = permissions
    }

    /// The segment's bytes in memory. Its end cannot wrap (checked at load).
    public var range: VirtualRange {
        VirtualRange(start: virtualAddress, size: memorySize) ?? VirtualRange(start: virtualAddress, size: 0)!
    }

    /// The whole pages the segment touches; nil only if the last page's end wraps.
    public var pages: VirtualRange? {
        guard let end = virtualAddress.adding(memorySize)?.alignedUp() else { return nil }
        return VirtualRange(start: virtualAddress.alignedDown(), end: end)
    }
}

/// What to map and copy for an executable, produced by `ElfLoader.plan`.
public struct LoadPlan: Sendable {
    /// The most loadable segments an executable may have.
    public static let segmentCapacity = 8

    public let entry: VirtualAddress
    private var segmentStorage: InlineArray<8, LoadSegment>
    public private(set) var segmentCount: Int = 0
    /// Lowest segment address, page-aligned down.
    public private(set) var imageStart = VirtualAddress(UInt64.max)
    /// Highest segment end, page-aligned up.
    public private(set) var imageEnd = VirtualAddress(0)
    /// Where the program headers are in the file, and how many there are.
    public let programHeaderOffset: UInt64
    public let programHeaderCount: UInt16
    /// The size of the file the plan was made from.
    public let fileSize: UInt64

    init(entry: VirtualAddress, programHeaderOffset: UInt64, programHeaderCount: UInt16, fileSize: UInt64) {
        self.entry = entry
        self.programHeaderOffset = programHeaderOffset
        self.programHeaderCount = programHeaderCount
        self.fileSize = fileSize
        segmentStorage = InlineArray(
            repeating: LoadSegment(
                virtualAddress: VirtualAddress(0), memorySize: 0, fileOffset: 0, fileSize: 0, permissions: .user))
    }

    public func segment(at index: Int) -> LoadSegment {
        precondition(index >= 0 && index < segmentCount, "LoadPlan: segment index out of range")
        return segmentStorage[index]
    }

    /// The segment holding the entry point (always executable in a plan).
    public var textSegment: LoadSegment? { segment(containing: entry) }

    /// The segment whose memory contains `address`, if any.
    public func segment(containing address: VirtualAddress) -> LoadSegment? {
        for index in 0..<segmentCount where segmentStorage[index].range.contains(address) {
            return segmentStorage[index]
        }
        return nil
    }

    /// `[imageStart, imageEnd)`, or an empty range at 0 before any segment.
    public var imageRange: VirtualRange {
        VirtualRange(start: imageStart, end: imageEnd) ?? VirtualRange(start: VirtualAddress(0), size: 0)!
    }

    /// The address of the program headers in the loaded image, when a
    /// segment's file bytes include them (the usual case with ld.lld).
    public var programHeaderAddress: VirtualAddress? {
        let tableBytes = UInt64(programHeaderCount) * ElfHeader.programHeaderSize  // < 2^22
        guard let tableEnd = checkedSum(programHeaderOffset, tableBytes) else { return nil }
        for index in 0..<segmentCount {
            let segment = segmentStorage[index]
            guard segment.fileOffset <= programHeaderOffset,
                let fileEnd = checkedSum(segment.fileOffset, segment.fileSize),
                tableEnd <= fileEnd
            else { continue }
            return segment.virtualAddress.adding(programHeaderOffset - segment.fileOffset)
        }
        return nil
    }

    mutating func append(_ segment: LoadSegment, pages: VirtualRange) {
        segmentStorage[segmentCount] = segment
        segmentCount += 1
        if pages.start < imageStart { imageStart = pages.start }
        if pages.end > imageEnd { imageEnd = pages.end }
    }
}
