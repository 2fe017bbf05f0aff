import MemoryCore
import Synchronization
import Testing

/// Every page address the page tables asked to flush, from every test
/// running (other suites run in parallel, so the checks look for their own
/// addresses, chosen where no other test maps).
private let flushedPages = Mutex<[UInt64]>([])

private func recordFlush(_ va: UInt64) { flushedPages.withLock { $0.append(va) } }

private func flushCount(_ va: UInt64) -> Int { flushedPages.withLock { pages in pages.filter { $0 == va }.count } }

/// The page tables drop a changed page from the TLB where they change it
/// (x86-64's kernel no longer reloads CR3 on every return to user mode).
@Suite(.serialized) struct TranslationCacheTests {
    init() { TranslationCache.flushPage = recordFlush }

    static let base: UInt64 = 0x5A5A_0000_0000
    static let window = UserWindow(VirtualRange(start: VirtualAddress(0), size: 0x8000_0000_0000)!)

    @Test func forkFlushesEveryPageThatLostWriteAccess() throws {
        let ram = SimulatedRAM()
        do {
            var parent = try AddressSpace<X86_64FourLevel, DirectMappedMemory>(memory: ram.memory, frames: ram.frames, userWindow: Self.window)
            try parent.mapUserPages(VirtualRange(start: VirtualAddress(Self.base), size: 3 * pageBytes)!, permissions: .readWrite)
            let before = (0..<3).map { flushCount(Self.base + UInt64($0) * pageBytes) }
            var child = try parent.clone()
            for page in 0..<3 {
                #expect(flushCount(Self.base + UInt64(page) * pageBytes) > before[page], "page \(page) kept write access in the TLB")
            }
            // The parent's copy-on-write fault gives the page back its write
            // access (or a frame of its own): flushed again.
            let first = flushCount(Self.base)
            try [UInt8(7)].withUnsafeBytes { try parent.copyOut(to: VirtualAddress(Self.base), from: $0) }
            #expect(flushCount(Self.base) > first)
            _ = consume child
        }
        #expect(ram.freeFrames == ram.totalFrames)
    }

    @Test func shrinkingTheHeapFlushesTheRemovedPages() throws {
        let ram = SimulatedRAM()
        do {
            let heap = Self.base + 0x100_0000
            var space = try AddressSpace<X86_64FourLevel, DirectMappedMemory>(memory: ram.memory, frames: ram.frames, userWindow: Self.window)
            try space.setHeapStart(VirtualAddress(heap))
            try space.growHeap(by: 2 * pageBytes)
            try [UInt8](repeating: 1, count: Int(2 * pageBytes)).withUnsafeBytes { try space.copyOut(to: VirtualAddress(heap), from: $0) }
            let before = (flushCount(heap), flushCount(heap + pageBytes))
            _ = try space.shrinkHeap(by: 2 * pageBytes)
            #expect(flushCount(heap) > before.0 && flushCount(heap + pageBytes) > before.1)
        }
        #expect(ram.freeFrames == ram.totalFrames)
    }
}
