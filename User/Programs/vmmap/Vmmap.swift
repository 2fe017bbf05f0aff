// vmmap: prints the calling process's memory regions as a layout block, the
// format of the boot log's layout tables (LayoutText, docs/tools.md):
//   layout ARCH process PID
//     first  last  size  kind  perm  owner  name
//   end layout
// perm is r, w, x and u (user-accessible), "-" when absent; kind and owner
// come from the kernel (memmap's flags). `layout-maps --from-log` draws it.
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

@_cdecl("main")
func main(_ argc: Int32, _ argv: ArgumentVector) -> Int32 {
    guard let records = Heap.allocate(bytes: maxRegions * MemoryRegion.size + lineCapacity) else {
        err("vmmap: out of memory\n")
        return 1
    }
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
            owner: region.owner)
        LayoutText.row(line, name: region.name, addressWidth: width, into: &sink)
    }
    LayoutText.footer(into: &sink)
    Heap.free(records)
    return 0
}
