// memtest's addresses for x86-64 (the Emerald layout, 4-level paging): this
// file and its riscv64 twin are the only places memtest learns the architecture.
enum Targets {
    /// Kernel text (the image is linked here, in the top 2 GiB).
    static let kernel: UInt = 0xFFFF_FFFF_8010_0000
    /// The process-specific kernel region: the process's kernel stack and
    /// the unmapped guard page below it.
    static let special1: (name: StaticString, address: UInt) = ("kernel stack", 0xFFFF_FF80_0000_1000)
    static let special2: (name: StaticString, address: UInt) = ("kernel stack guard", 0xFFFF_FF80_0000_0000)
    /// `ret`.
    static let returnInstruction: (bytes: InlineArray<4, UInt8>, count: Int) = ([0xC3, 0x90, 0x90, 0x90], 1)
    /// The stack grows down from its top at 0xFFFF_FF7F_FFFF_D000, where the
    /// guard page begins: a buffer 8 bytes below the top runs into it.
    static func guardSpanningBuffer(stackAddress: UInt) -> UInt {
        0xFFFF_FF7F_FFFF_D000 - 8
    }
    /// The stack starts with a few pages and grows on demand down to 8 MiB
    /// below its top: a recursion 1 MiB deep must work.
    static let stackGrowthBytes = 1 << 20
    /// Where a runaway recursion ends: the unmapped gap below the 8 MiB limit.
    static let stackOverflowRegion: StaticString = "stack guard gap"
}
