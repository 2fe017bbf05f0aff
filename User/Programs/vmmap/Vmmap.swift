// vmmap: prints the calling process's memory regions as a layout block, the
// format of the boot log's layout tables (LayoutText, docs/tools.md):
//   layout ARCH process PID
//     first  last  size  kind  perm  owner  name [state]
//   end layout
// perm is r, w, x and u (user-accessible), "-" when absent; kind, owner and
// the state of the pages ([private], [shared by N], [lazy]) come from the
// kernel (memmap's records). `layout-maps --from-log` draws it.
//
//   vmmap        the map
// Both demonstrations put their 13 pages above a separator page of their own.
//   vmmap lazy   grows the heap by 13 pages without touching them, prints
//                the map (one 52 KiB lazy run), writes page 6, prints again
//                (24 KiB lazy, 4 KiB private, 24 KiB lazy)
//   vmmap fork   touches 13 new heap pages and forks; the child prints its
//                map (the 52 KiB run shared by 2), writes page 6 and prints
//                again (24 KiB shared, 4 KiB private, 24 KiB shared)
import SwiftletUser

let maxRegions = 64
let lineCapacity = 256

#if arch(riscv64)
let architecture: StaticString = "riscv64"
#else
let architecture: StaticString = "x86_64"
#endif

/// Standard output through a small heap buffer, written a line at a time.
struct OutputSink: LayoutTextSink {
    let buffer: UnsafeMutableRawPointer
    var count = 0

    mutating func put(_ byte: UInt8) {
        if count == lineCapacity { flush() }
        buffer.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
        if byte == UInt8(ascii: "\n") { flush() }
    }

    mutating func flush() {
        writeAll(1, UnsafeRawBufferPointer(start: buffer, count: count))
        count = 0
    }
}

/// Pages of the run `lazy` and `fork` show, and the one they write.
let demoPages = 13
let writtenPage = 6

@_cdecl("main")
func main(_ argc: Int32, _ argv: ArgumentVector) -> Int32 {
    // Taken before the demonstrations grow the heap, so that the records
    // never land above their pages.
    guard let records = Heap.allocate(bytes: maxRegions * MemoryRegion.size + lineCapacity) else {
        err("vmmap: out of memory\n")
        return 1
    }
    let status = run(Arguments(argc, argv)[1], records)
    Heap.free(records)
    return status
}

func run(_ mode: CString?, _ records: UnsafeMutableRawPointer) -> Int32 {
    func printMap() -> Int32 { printMemoryMap(into: records) }
    guard let mode else { return printMap() }
    if mode.equals("lazy") {
        guard let pages = demoRun(touchingTheSeparator: true) else { return 1 }
        guard printMap() == 0 else { return 1 }
        pages.storeBytes(of: 1, toByteOffset: writtenPage * pageSize, as: UInt8.self)
        return printMap()
    }
    if mode.equals("fork") {
        guard let pages = demoRun(touchingTheSeparator: false) else { return 1 }
        for page in 0..<demoPages { pages.storeBytes(of: 1, toByteOffset: page * pageSize, as: UInt8.self) }
        let child = Sys.fork()
        if child < 0 {
            err("vmmap: fork failed\n")
            return 1
        }
        if child > 0 {
            // The parent touches none of the pages until the child is done.
            guard let ended = Sys.wait(), ended.status == 0 else { return 1 }
            return 0
        }
        guard printMap() == 0 else { Sys.exit(1) }
        pages.storeBytes(of: 2, toByteOffset: writtenPage * pageSize, as: UInt8.self)
        Sys.exit(printMap())
    }
    err("usage: vmmap [lazy | fork]\n")
    return 1
}

let pageSize = 4096

/// `demoPages` new heap pages, untouched, above a separator page so that
/// their runs never merge with the heap below: one written (private), when
/// the pages stay lazy, or one left lazy, when they are touched and shared.
func demoRun(touchingTheSeparator: Bool) -> UnsafeMutableRawPointer? {
    let old = Sys.currentBreak()
    let separator = (old + UInt(pageSize) - 1) / UInt(pageSize) * UInt(pageSize)
    let grow = Int(separator - old) + pageSize * (1 + demoPages)
    guard let start = Sys.sbrk(grow) else {
        err("vmmap: sbrk failed\n")
        return nil
    }
    let pages = start + grow - demoPages * pageSize
    if touchingTheSeparator { (pages - 1).storeBytes(of: 1, as: UInt8.self) }
    return pages
}

/// Prints the map through `records` (room for `maxRegions` records and a
/// line); 0, or 1 when the kernel did not answer.
func printMemoryMap(into records: UnsafeMutableRawPointer) -> Int32 {
    let count = Sys.memmap(records, max: maxRegions)
    if count < 0 {
        err("vmmap: memmap failed\n")
        return 1
    }
    var widest: UInt64 = 0
    for i in 0..<count {
        let region = MemoryRegion(record: records + i * MemoryRegion.size)
        if region.end > region.start && region.end - 1 > widest { widest = region.end - 1 }
    }
    let width = LayoutText.addressWidth(widest)
    var sink = OutputSink(buffer: records + maxRegions * MemoryRegion.size)
    let name: Format = "\(architecture) process \(Sys.getpid())"
    name.withBytes { LayoutText.header($0, addressWidth: width, into: &sink) }
    for i in 0..<count {
        let region = MemoryRegion(record: records + i * MemoryRegion.size)
        guard region.end > region.start else { continue }  // an empty heap
        let line = LayoutLine(
            first: region.start, last: region.end - 1, kind: region.kind, permissions: region.permissions & 0xF,
            owner: region.owner, state: region.state, users: UInt64(region.users))
        LayoutText.row(line, name: region.name, addressWidth: width, into: &sink)
    }
    LayoutText.footer(into: &sink)
    return 0
}
