// memtest's addresses for RISC-V (the xv6 layout, Sv39): this file and its
// x86_64 twin are the only places memtest learns the architecture.
enum Targets {
    /// Kernel text and data (the kernel's direct map starts here); not mapped for users.
    static let kernel: UInt = 0x8000_0000
    /// Two more kernel-only pages that are mapped in every user page table
    /// without the user bit: the trampoline and the trap frame.
    static let special1: (name: StaticString, address: UInt) = ("trampoline", 0x3F_FFFF_F000)
    static let special2: (name: StaticString, address: UInt) = ("trapframe", 0x3F_FFFF_E000)
    /// `jalr zero, 0(ra)`, i.e. `ret` (4 bytes, no compressed encoding needed).
    static let returnInstruction: (bytes: InlineArray<4, UInt8>, count: Int) = ([0x67, 0x80, 0x00, 0x00], 4)
    /// The user stack is one page with an unmapped guard page right below it.
    /// A buffer that starts 8 bytes below the stack page reaches into it from the guard.
    static func guardSpanningBuffer(stackAddress: UInt) -> UInt {
        (stackAddress & ~UInt(0xFFF)) - 8
    }
    /// The xv6 layout's stack is one page: it never grows.
    static let stackGrowthBytes = 0
    /// Where a runaway recursion ends: the guard page below the stack page.
    static let stackOverflowRegion: StaticString = "stack guard"
}
