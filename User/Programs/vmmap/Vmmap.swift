// vmmap: prints the calling process's memory regions, like /proc/self/maps:
//   start-end perms name
// perms are r, w, x and u (user-accessible), "-" when absent; guard pages
// (unmapped on purpose) say so after the name.
import SwiftletUser

let maxRegions = 64

@_cdecl("main")
func main(_ argc: Int32, _ argv: ArgumentVector) -> Int32 {
    guard let records = Heap.allocate(bytes: maxRegions * MemoryRegion.size) else {
        err("vmmap: out of memory\n")
        return 1
    }
    let count = Sys.memmap(records, max: maxRegions)
    if count < 0 {
        err("vmmap: memmap failed\n")
        return 1
    }
    for i in 0..<count {
        let region = MemoryRegion(record: records + i * MemoryRegion.size)
        let p = region.permissions
        let r: UInt8 = p & MemoryRegion.read != 0 ? UInt8(ascii: "r") : UInt8(ascii: "-")
        let w: UInt8 = p & MemoryRegion.write != 0 ? UInt8(ascii: "w") : UInt8(ascii: "-")
        let x: UInt8 = p & MemoryRegion.execute != 0 ? UInt8(ascii: "x") : UInt8(ascii: "-")
        let u: UInt8 = p & MemoryRegion.user != 0 ? UInt8(ascii: "u") : UInt8(ascii: "-")
        let guardNote: StaticString = region.flags & MemoryRegion.guardPage != 0 ? " [guard]" : ""
        out("\(hex: region.start, width: 16)-\(hex: region.end, width: 16) \(char: r)\(char: w)\(char: x)\(char: u) \(bytes: region.name)\(guardNote)\n")
    }
    Heap.free(records)
    return 0
}
