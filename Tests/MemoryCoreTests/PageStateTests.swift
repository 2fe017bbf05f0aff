import MemoryCore
import Testing

/// `AddressSpace.forEachPageState`: what vmmap reports of each page
/// (private, shared by N, lazy) through fork, write faults and sbrk.

private func va(_ raw: UInt64) -> VirtualAddress { VirtualAddress(raw) }
private func vrange(_ start: UInt64, _ size: UInt64) -> VirtualRange { VirtualRange(start: VirtualAddress(start), size: size)! }

/// One report of the walk: start, bytes, mapped or not, state.
private struct Seen: Equatable, CustomStringConvertible {
    let start: UInt64
    let bytes: UInt64
    let mapped: Bool
    let state: UserPageState?
    var description: String { "\(String(start, radix: 16))+\(String(bytes, radix: 16)) \(mapped ? "mapped" : "-") \(String(describing: state))" }
}

private func states<S: PagingScheme>(_ space: borrowing AddressSpace<S, DirectMappedMemory>) -> [Seen] {
    var seen: [Seen] = []
    space.forEachPageState { start, bytes, translation, state in
        seen.append(Seen(start: start.raw, bytes: bytes, mapped: translation != nil, state: state))
    }
    return seen
}

private func page(_ start: UInt64, _ state: UserPageState?) -> Seen { Seen(start: start, bytes: 0x1000, mapped: true, state: state) }
private func lazy(_ start: UInt64, _ bytes: UInt64) -> Seen { Seen(start: start, bytes: bytes, mapped: false, state: .lazy) }

@Suite struct PageStateTests {
    @Test(arguments: bothSchemes) func lazyPagesBecomePrivateAtTheirFirstTouch(_ scheme: any PagingScheme.Type) throws {
        try lazyThenPrivate(scheme)
    }

    func lazyThenPrivate<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM(megabytes: 1)
        do {
            var space = try makeSpace(S.self, ram)
            try space.mapUserPages(vrange(0x1000, 0x1000), permissions: .readExecute)
            try space.setHeapStart(va(0x10_0000))
            // An empty heap has no lazy range; a grown one is lazy to the page above its break.
            #expect(states(space) == [page(0x1000, .private)])
            try space.growHeap(by: 0x4800)
            #expect(states(space) == [page(0x1000, .private), lazy(0x10_0000, 0x5000)])
            // The first touch maps one page: the lazy range splits around it.
            #expect(try space.resolveFault(at: va(0x10_2010), write: false))
            #expect(states(space) == [page(0x1000, .private), lazy(0x10_0000, 0x2000), page(0x10_2000, .private), lazy(0x10_3000, 0x2000)])
            // A stack reserve is lazy too, and reported in address order.
            space.stackReserve = vrange(0x20_0000, 0x3000)
            try space.mapUserPages(vrange(0x20_2000, 0x1000), permissions: .readWrite)
            #expect(
                states(space) == [
                    page(0x1000, .private), lazy(0x10_0000, 0x2000), page(0x10_2000, .private), lazy(0x10_3000, 0x2000),
                    lazy(0x20_0000, 0x2000), page(0x20_2000, .private),
                ])
            // Shrinking frees the touched page: the heap left is lazy again.
            try space.shrinkHeap(by: 0x3000)
            #expect(states(space).filter { $0.start >= 0x10_0000 && $0.start < 0x20_0000 } == [lazy(0x10_0000, 0x2000)])
            // A kernel page outside the user window has no state.
            let kernel = kernelPage(S.self)
            try space.mapOwnedKernelPage(kernel, permissions: .readWrite)
            #expect(states(space).last == page(kernel.raw, nil))
        }
        #expect(ram.freeFrames == ram.totalFrames)
    }

    @Test(arguments: bothSchemes) func forkSharesAndAWriteMakesPrivate(_ scheme: any PagingScheme.Type) throws {
        try sharedThenPrivate(scheme)
    }

    func sharedThenPrivate<S: PagingScheme>(_: S.Type) throws {
        let ram = SimulatedRAM(megabytes: 1)
        do {
            var parent = try makeSpace(S.self, ram)
            try parent.mapUserPages(vrange(0x1000, 0x1000), permissions: .readExecute)
            try parent.setHeapStart(va(0x10_0000))
            try parent.growHeap(by: 0x4000)
            for offset in stride(from: UInt64(0), to: 0x3000, by: 0x1000) { _ = try parent.resolveFault(at: va(0x10_0000 + offset), write: true) }
            var child = try parent.clone()
            let shared: [Seen] = [
                page(0x1000, .shared(users: 2)), page(0x10_0000, .shared(users: 2)), page(0x10_1000, .shared(users: 2)),
                page(0x10_2000, .shared(users: 2)), lazy(0x10_3000, 0x1000),
            ]
            #expect(states(parent) == shared && states(child) == shared)
            // A third generation: three users.
            do {
                let grandchild = try child.clone()
                #expect(states(grandchild)[0] == page(0x1000, .shared(users: 3)))
                #expect(states(parent)[1] == page(0x10_0000, .shared(users: 3)))
            }
            // The child's write copies its page; the parent's frame has one user left.
            #expect(try child.resolveFault(at: va(0x10_1000), write: true))
            #expect(states(child)[2] == page(0x10_1000, .private))
            #expect(states(parent)[2] == page(0x10_1000, .private))
            #expect(states(parent)[1] == page(0x10_0000, .shared(users: 2)))
            // When the child is gone, every page is the parent's alone.
            _ = consume child
            #expect(states(parent).allSatisfy { $0.state == .private || $0.state == .lazy })
        }
        #expect(ram.freeFrames == ram.totalFrames)
    }
}
