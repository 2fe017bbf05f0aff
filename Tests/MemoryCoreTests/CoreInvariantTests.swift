import MemoryCore
import Testing

/// The messages the memory core reported (a C-convention handler cannot
/// capture, so it records here; the suite runs its tests one at a time).
nonisolated(unsafe) private var reported: [String] = []
private let recordViolation: CoreInvariant.Handler = { bytes, count in
    reported.append(String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self))
}

/// The double-free checks of the page-table code stay on in every build:
/// they go through `CoreInvariant`, which the kernel points at its panic.
@Suite(.serialized) struct CoreInvariantTests {
    typealias Space = AddressSpace<Sv39, DirectMappedMemory>
    let window = UserWindow(VirtualRange(start: VirtualAddress(0), size: 1 << 30)!)
    let page = VirtualAddress(0x1000)

    @Test func anOwnedFrameFreedTwiceIsReported() throws {
        reported = []
        CoreInvariant.handler = recordViolation
        defer { CoreInvariant.handler = nil }
        let ram = SimulatedRAM()
        do {
            var space = try Space(memory: ram.memory, frames: ram.frames, userWindow: window)
            try space.mapUserPages(VirtualRange(start: page, size: pageBytes)!, permissions: .readWrite)
            // Freed behind the table's back; the teardown frees it again.
            try ram.frames.pointee.free(space.translate(page)!.physicalAddress.frame)
        }
        #expect(reported == ["page table: an owned frame was already free"])
    }

    @Test func aTablePageFreedTwiceIsReported() throws {
        reported = []
        CoreInvariant.handler = recordViolation
        defer { CoreInvariant.handler = nil }
        let ram = SimulatedRAM()
        do {
            let space = try Space(memory: ram.memory, frames: ram.frames, userWindow: window)
            try ram.frames.pointee.free(space.pageTable.rootAddress.frame)
        }
        #expect(reported == ["page table: a table page was already free"])
    }
}
