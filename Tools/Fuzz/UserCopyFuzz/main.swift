// libFuzzer target for the memory core's checks of system-call pointers:
// AddressSpace.checkUserRange, copyIn, copyOut and copyInString, the code
// every pointer and length from a user program goes through. Built by
// Tools/fuzz.mk with `swiftc -sanitize=fuzzer` together with the
// Sources/MemoryCore sources.
//
// Two address spaces over simulated RAM, built once: Sv39 with the xv6
// user window and x86-64 with the Emerald one, each with user pages of
// several permissions, holes between them, pages at the very ends of the
// window, and a kernel-only page. Every 17 bytes of input are one request
// (operation, address, length); the address is an edge of the layout plus a
// small offset, or raw. The core's answer is compared with a model computed
// from the list of pages mapped here (never through the page tables), and a
// refused copy must not have changed a byte of user memory.

struct Page {
    let address: UInt64
    let permissions: PagePermissions  // .user set for user pages
}

/// A simulated machine: RAM, a frame allocator, a space, and the pages mapped in it.
struct Machine<S: PagingScheme> {
    let space: UnsafeMutablePointer<AddressSpace<S, DirectMappedMemory>>
    let pages: [Page]
    let window: UserWindow
    let edges: [UInt64]
}

func makeRAM(megabytes: UInt64) -> (DirectMappedMemory, UnsafeMutablePointer<FrameAllocator>) {
    let base: UInt64 = 0x8000_0000
    let bytes = megabytes << 20
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: Int(bytes), alignment: 4096)
    buffer.initializeMemory(as: UInt8.self, repeating: 0xA5, count: Int(bytes))
    let window = PhysicalRange(start: PhysicalAddress(base), size: bytes)!
    let memory = DirectMappedMemory(window: window, offset: UInt64(UInt(bitPattern: buffer)) &- base)
    let storage = FrameAllocator.storageBytes(for: window)
    let bitmap = UnsafeMutableRawPointer.allocate(byteCount: Int(storage), alignment: 8)
    let frames = UnsafeMutablePointer<FrameAllocator>.allocate(capacity: 1)
    frames.initialize(to: try! FrameAllocator(span: window, storage: bitmap, storageBytes: storage))
    try! frames.pointee.addRange(window)
    return (memory, frames)
}

func build<S: PagingScheme>(
    _: S.Type, window: UserWindow, user: [(UInt64, PagePermissions)], kernel: UInt64,
    edges: [UInt64]
) -> Machine<S> {
    let (memory, frames) = makeRAM(megabytes: 2)
    let space = UnsafeMutablePointer<AddressSpace<S, DirectMappedMemory>>.allocate(capacity: 1)
    space.initialize(to: try! AddressSpace<S, DirectMappedMemory>(memory: memory, frames: frames, userWindow: window))
    var pages: [Page] = []
    for (address, permissions) in user {
        try! space.pointee.mapUserPages(VirtualRange(start: VirtualAddress(address), size: 4096)!, permissions: permissions)
        pages.append(Page(address: address, permissions: permissions | .user))
        // Recognizable contents: the low byte of the address, then a counter.
        for i in 0..<4096 {
            let byte = [UInt8(truncatingIfNeeded: address >> 12 &+ UInt64(i))]
            byte.withUnsafeBytes { try! space.pointee.storeUserBytes(at: VirtualAddress(address + UInt64(i)), from: $0) }
        }
    }
    _ = try! space.pointee.mapOwnedKernelPage(VirtualAddress(kernel), permissions: .readWrite)
    pages.append(Page(address: kernel, permissions: .readWrite))
    return Machine(space: space, pages: pages, window: window, edges: edges)
}

let xv6Top: UInt64 = (1 << 38) - 2 * 4096  // the trap frame; the window ends here
let sv39 = build(
    Sv39.self, window: UserWindow(VirtualRange(start: VirtualAddress(0), end: VirtualAddress(xv6Top))!),
    user: [
        (0x0, .readExecute), (0x1000, .readWrite), (0x3000, .readWrite), (0x4000, .readWrite),
        (0x5000, .readWrite), (xv6Top - 0x1000, .readWrite), (xv6Top - 0x3000, .readOnly),
    ],
    kernel: xv6Top,
    edges: [
        0, 0x1000, 0x2000, 0x3000, 0x6000, xv6Top - 0x3000, xv6Top - 0x1000, xv6Top, xv6Top + 0x1000,
        1 << 38, 1 << 39, 0x8000_0000, UInt64.max & ~0xFFF,
    ])

let emeraldStackTop: UInt64 = 0xFFFF_FF7F_FFFF_D000
let emerald = build(
    X86_64FourLevel.self,
    window: UserWindow(
        VirtualRange(start: VirtualAddress(0), end: VirtualAddress(0x8000_0000_0000))!,
        VirtualRange(
            start: VirtualAddress(0xFFFF_8000_0000_0000),
            end: VirtualAddress(0xFFFF_FF80_0000_0000))!),
    user: [
        (0x40_0000, .readExecute), (0x40_1000, .readWrite), (0x40_3000, .readWrite),
        (0x7FFF_FFFF_F000, .readWrite), (0xFFFF_8000_0000_0000, .readWrite),
        (emeraldStackTop - 0x1000, .readWrite), (emeraldStackTop + 0x1000, .readOnly),
        (0xFFFF_FF7F_FFFF_F000, .readWrite),
    ],
    kernel: 0xFFFF_FF80_0000_1000,
    edges: [
        0, 0x40_0000, 0x40_2000, 0x40_3000, 0x7FFF_FFFF_F000, 0x8000_0000_0000,
        0xFFFF_8000_0000_0000, emeraldStackTop - 0x1000, emeraldStackTop, emeraldStackTop + 0x1000,
        0xFFFF_FF7F_FFFF_F000, 0xFFFF_FF80_0000_0000, 0xFFFF_FF80_0000_1000,
        0xFFFF_FFFF_8010_0000, UInt64.max & ~0xFFF,
    ])

/// The model: may the user touch [address, address + count) with `needs`?
func allowed<S>(_ machine: Machine<S>, _ address: UInt64, _ count: UInt64, _ needs: PagePermissions) -> Bool {
    guard count > 0 else { return true }
    let (last, wraps) = address.addingReportingOverflow(count - 1)
    if wraps { return false }
    // Inside one part of the window (exclusive ends).
    let low = machine.window.low, high = machine.window.high
    let inLow = address >= low.start.raw && last < low.end.raw
    let inHigh = high.map { address >= $0.start.raw && last < $0.end.raw } ?? false
    if !inLow && !inHigh { return false }
    // Far more pages than this machine maps: some page is missing.
    if count > 64 * 4096 { return false }
    var page = address & ~0xFFF
    while true {
        guard let mapped = machine.pages.first(where: { $0.address == page }) else { return false }
        if !mapped.permissions.contains(.user) { return false }
        if needs.contains(.read) && !mapped.permissions.contains(.read) { return false }
        if needs.contains(.write) && !mapped.permissions.contains(.write) { return false }
        if page >= last & ~0xFFF { return true }
        page += 4096
    }
}

/// A copy of every user page's bytes, to see that a refused copy changed nothing.
func snapshot<S>(_ machine: Machine<S>) -> [UInt8] {
    var all: [UInt8] = []
    for page in machine.pages where page.permissions.contains(.user) {
        let t = machine.space.pointee.translate(VirtualAddress(page.address))!
        let p = machine.space.pointee.memory.pointer(to: t.physicalAddress, count: 4096)!
        all += UnsafeRawBufferPointer(start: p, count: 4096)
    }
    return all
}

func run<S>(_ machine: Machine<S>, op: UInt8, address: UInt64, count: UInt64, fill: UInt8) {
    let space = machine.space
    switch op % 5 {
    case 0, 1:
        // An empty range means nothing to check (the copies return at once for it).
        guard count > 0 else { return }
        let needs: PagePermissions = op % 5 == 0 ? .read : .write
        let model = allowed(machine, address, count, needs)
        var ok = true
        do { try space.pointee.checkUserRange(VirtualAddress(address), count: count, needs: needs) } catch { ok = false }
        if ok != model { fatalError("checkUserRange(\(address), \(count), \(needs)) said \(ok), the model \(model)") }
    case 2:
        let n = Int(count % 9000)
        var buffer = [UInt8](repeating: 0, count: n)
        let model = allowed(machine, address, UInt64(n), .read)
        var ok = true
        buffer.withUnsafeMutableBytes { b in
            do { try space.pointee.copyIn(from: VirtualAddress(address), into: b) } catch { ok = false }
        }
        if ok != model { fatalError("copyIn(\(address), \(n)) said \(ok), the model \(model)") }
        if ok, n > 0, buffer[0] != UInt8(truncatingIfNeeded: address >> 12 &+ (address & 0xFFF)) {
            fatalError("copyIn(\(address)) read the wrong byte")
        }
    case 3:
        let n = Int(count % 9000)
        let before = snapshot(machine)
        let model = allowed(machine, address, UInt64(n), .write)
        let source = [UInt8](repeating: fill, count: n)
        var ok = true
        source.withUnsafeBytes { b in
            do { try space.pointee.copyOut(to: VirtualAddress(address), from: b) } catch { ok = false }
        }
        if ok != model { fatalError("copyOut(\(address), \(n)) said \(ok), the model \(model)") }
        if !ok && snapshot(machine) != before { fatalError("a refused copyOut(\(address), \(n)) wrote to user memory") }
        if ok && n > 0 {
            // Put the recognizable contents back for the next requests.
            let original = (0..<UInt64(n)).map { i in
                let a = address + i
                return UInt8(truncatingIfNeeded: a >> 12 &+ (a & 0xFFF))
            }
            original.withUnsafeBytes { try! space.pointee.storeUserBytes(at: VirtualAddress(address), from: $0) }
        }
    default:
        // A string: at most `limit` bytes; the pages' bytes are never all non-zero
        // for long, so where it ends depends on the contents, which the model reads.
        let limit = Int(count % 300)
        var buffer = [UInt8](repeating: 0, count: limit)
        var result: Int? = nil
        var failedOutside = false
        buffer.withUnsafeMutableBytes { b in
            do { result = try space.pointee.copyInString(from: VirtualAddress(address), into: b, maxLength: limit) } catch { failedOutside = true }
        }
        // Model: walk byte by byte while readable, until a NUL or the limit.
        var modelLength: Int? = nil
        var i = 0
        while i < limit {
            let (a, wraps) = address.addingReportingOverflow(UInt64(i))
            if wraps || !allowed(machine, a, 1, .read) { break }
            var byte: UInt8 = 0
            withUnsafeMutableBytes(of: &byte) { try! space.pointee.copyIn(from: VirtualAddress(a), into: $0) }
            if byte == 0 { modelLength = i; break }
            i += 1
        }
        if result != modelLength || (result == nil) != failedOutside {
            fatalError("copyInString(\(address), limit \(limit)) gave \(String(describing: result)), the model \(String(describing: modelLength))")
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    var at = 0
    while at + 17 <= input.count {
        let op = input[at]
        var address: UInt64 = 0, count: UInt64 = 0
        for i in 0..<8 { address |= UInt64(input[at + 1 + i]) << (8 * UInt64(i)) }
        for i in 0..<8 { count |= UInt64(input[at + 9 + i]) << (8 * UInt64(i)) }
        // Mostly an edge of the layout plus or minus a little; sometimes raw.
        let edges = op & 0x80 == 0 ? sv39.edges : emerald.edges
        if op & 0x40 == 0 {
            let edge = edges[Int((address & 0xFFFF) % UInt64(edges.count))]
            let offset = Int64(Int16(truncatingIfNeeded: address >> 16))
            address = edge &+ UInt64(bitPattern: offset)
        }
        // Mostly short lengths; sometimes huge ones.
        if op & 0x20 == 0 { count %= 3 * 4096 }
        if op & 0x80 == 0 {
            run(sv39, op: op & 0x1F, address: address, count: count, fill: input[at + 9])
        } else {
            run(emerald, op: op & 0x1F, address: address, count: count, fill: input[at + 9])
        }
        at += 17
    }
    return 0
}
