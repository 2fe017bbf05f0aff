/// The bookkeeping the kernel heap keeps inside its own region. Every block,
/// free or allocated, starts with one header and its payload follows at once,
/// so `free` finds a block's header just below the pointer it is given.
struct HeapBlockHeader {
    /// Bytes of the whole block, header included; a multiple of `heapGranule`.
    var size: UInt
    /// Says whether the block is free or allocated. Mixed with the header's own
    /// address, so stray data or a header copied elsewhere does not pass.
    var tag: UInt
    /// Address of the next free block above this one (free blocks only); 0 ends the list.
    var nextFree: UInt
    /// Bytes the caller asked for (allocated blocks only); kept for debugging.
    var requested: UInt

    static func usedTag(at address: UInt) -> UInt { 0x5357_4C54_4845_4150 ^ address }
    static func freeTag(at address: UInt) -> UInt { 0x5357_4C54_4652_4545 ^ address }
}

/// Blocks start and end on this boundary, so every payload is 16-byte aligned.
let heapGranule: UInt = 16
let heapHeaderBytes = UInt(MemoryLayout<HeapBlockHeader>.stride)
/// The smallest block worth keeping: a header and one granule of payload.
/// Smaller leftovers stay attached to the block beside them.
let heapMinimumBlock = heapHeaderBytes + heapGranule

/// `value` rounded up to a multiple of the power of two `alignment`, or nil on overflow.
func alignUp(_ value: UInt, _ alignment: UInt) -> UInt? {
    let (sum, overflow) = value.addingReportingOverflow(alignment - 1)
    return overflow ? nil : sum & ~(alignment - 1)
}

/// The header at `address`, which the heap never lets be 0.
func heapHeader(_ address: UInt) -> UnsafeMutablePointer<HeapBlockHeader> {
    UnsafeMutablePointer<HeapBlockHeader>(bitPattern: address).unsafelyUnwrapped
}
