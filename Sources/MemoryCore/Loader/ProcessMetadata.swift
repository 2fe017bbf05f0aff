/// What the read-only metadata page tells a process about itself. The binary
/// layout is fixed (little-endian UInt64 fields at the offsets in `Offset`,
/// zeros after them up to the page end) because user programs read it
/// directly, whatever language they are written in.
public struct ProcessMetadata: Sendable, Equatable {
    /// "SWLTMETA" as little-endian bytes: tells a reader the page is real.
    public static let magic: UInt64 = 0x4154_454D_544C_5753

    /// Byte offsets of the fields within the page.
    public enum Offset {
        public static let magic = 0
        public static let pid = 8
        public static let imageBase = 16
        public static let imageSize = 24
        public static let programHeaderOffset = 32
        public static let programHeaderCount = 40
        public static let textAddress = 48
        public static let textSize = 56
        public static let heapStart = 64
        public static let stackTop = 72
        /// Bytes used; the rest of the page is zero.
        public static let end = 80
    }

    public var pid: UInt64
    public var imageBase: VirtualAddress
    public var imageSize: UInt64
    /// Where the program headers are in the executable file, and how many.
    public var programHeaderOffset: UInt64
    public var programHeaderCount: UInt64
    /// The executable segment holding the entry point.
    public var textAddress: VirtualAddress
    public var textSize: UInt64
    public var heapStart: VirtualAddress
    public var stackTop: VirtualAddress

    public init(
        pid: UInt64, imageBase: VirtualAddress, imageSize: UInt64, programHeaderOffset: UInt64,
        programHeaderCount: UInt64, textAddress: VirtualAddress, textSize: UInt64,
        heapStart: VirtualAddress, stackTop: VirtualAddress
    ) {
        self.pid = pid
        self.imageBase = imageBase
        self.imageSize = imageSize
        self.programHeaderOffset = programHeaderOffset
        self.programHeaderCount = programHeaderCount
        self.textAddress = textAddress
        self.textSize = textSize
        self.heapStart = heapStart
        self.stackTop = stackTop
    }

    /// The metadata of a process loaded from `plan` into `layout`.
    public init(pid: UInt64, plan: LoadPlan, layout: UserImageLayout) {
        let text = plan.textSegment
        self.init(
            pid: pid, imageBase: layout.image.start, imageSize: layout.image.size,
            programHeaderOffset: plan.programHeaderOffset,
            programHeaderCount: UInt64(plan.programHeaderCount),
            textAddress: text?.virtualAddress ?? VirtualAddress(0), textSize: text?.memorySize ?? 0,
            heapStart: layout.heapStart, stackTop: layout.stackTop)
    }

    /// Fills `page` (at least one page long) with the metadata and zeros.
    /// Returns false, writing nothing, when `page` is too short.
    public func write(into page: UnsafeMutableRawBufferPointer) -> Bool {
        guard page.count >= Int(pageBytes) else { return false }
        for index in 0..<Int(pageBytes) { page[index] = 0 }
        func store(_ value: UInt64, at offset: Int) {
            page.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt64.self)
        }
        store(Self.magic, at: Offset.magic)
        store(pid, at: Offset.pid)
        store(imageBase.raw, at: Offset.imageBase)
        store(imageSize, at: Offset.imageSize)
        store(programHeaderOffset, at: Offset.programHeaderOffset)
        store(programHeaderCount, at: Offset.programHeaderCount)
        store(textAddress.raw, at: Offset.textAddress)
        store(textSize, at: Offset.textSize)
        store(heapStart.raw, at: Offset.heapStart)
        store(stackTop.raw, at: Offset.stackTop)
        return true
    }

    /// Reads the metadata back from a page; nil when `page` is shorter than
    /// the fields or does not start with `magic`.
    public init?(page: UnsafeRawBufferPointer) {
        guard page.count >= Offset.end else { return nil }
        func load(_ offset: Int) -> UInt64 {
            UInt64(littleEndian: page.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        }
        guard load(Offset.magic) == Self.magic else { return nil }
        self.init(
            pid: load(Offset.pid), imageBase: VirtualAddress(load(Offset.imageBase)),
            imageSize: load(Offset.imageSize), programHeaderOffset: load(Offset.programHeaderOffset),
            programHeaderCount: load(Offset.programHeaderCount),
            textAddress: VirtualAddress(load(Offset.textAddress)), textSize: load(Offset.textSize),
            heapStart: VirtualAddress(load(Offset.heapStart)), stackTop: VirtualAddress(load(Offset.stackTop)))
    }
}
