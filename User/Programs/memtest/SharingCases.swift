// memtest's cases for copy-on-write fork and the lazy heap: what one
// process writes after fork the other never sees, and memory a program
// reserves costs nothing until it is touched.
import SwiftletUser

/// A global on a data page that fork shares copy-on-write.
var sharedGlobal: UInt8 = 0

func sharedGlobalAddress() -> UInt {
    withUnsafeMutablePointer(to: &sharedGlobal) { UInt(bitPattern: $0) }
}

/// Blocks until one byte arrives on `fd`; false when the pipe closed instead.
func awaitByte(_ fd: Int32) -> Bool {
    var byte: UInt8 = 0
    return Sys.read(fd, &byte, 1) == 1
}

func sendByte(_ fd: Int32) {
    var byte: UInt8 = 1
    _ = Sys.write(fd, &byte, 1)
}

/// The parent writes after fork while the child waits; the child must
/// still read the value from before the fork.
func forkParentWriteInvisible() -> Int32 {
    let global = sharedGlobalAddress()
    Probe.store(global, 1)
    guard let written = Sys.pipe() else { return fail("pipe failed") }
    let pid = Sys.fork()
    if pid == 0 {
        _ = Sys.close(written.write)
        guard awaitByte(written.read) else { Sys.exit(4) }
        Sys.exit(Probe.load(global) == 1 ? 0 : 3)
    }
    guard pid > 0 else { return fail("fork failed") }
    _ = Sys.close(written.read)
    Probe.store(global, 9)
    sendByte(written.write)
    guard let (_, status) = Sys.wait() else { return fail("wait failed") }
    guard status == 0 else { return fail("the child saw the parent's write after fork (status \(status))") }
    return Probe.load(global) == 9 ? 0 : fail("the parent lost its own write")
}

/// One page shared by a process, its child and its grandchild: each
/// generation's write stays its own, and the others keep theirs.
func threeGenerations() -> Int32 {
    let global = sharedGlobalAddress()
    Probe.store(global, 1)
    let child = Sys.fork()
    if child == 0 {
        let grandchild = Sys.fork()
        if grandchild == 0 {
            guard Probe.load(global) == 1 else { Sys.exit(5) }
            Probe.store(global, 3)
            Sys.exit(Probe.load(global) == 3 ? 0 : 6)
        }
        guard grandchild > 0, let (_, status) = Sys.wait(), status == 0 else { Sys.exit(7) }
        guard Probe.load(global) == 1 else { Sys.exit(8) }
        Probe.store(global, 2)
        Sys.exit(Probe.load(global) == 2 ? 0 : 9)
    }
    guard child > 0 else { return fail("fork failed") }
    guard let (_, status) = Sys.wait() else { return fail("wait failed") }
    guard status == 0 else { return fail("a younger generation went wrong (status \(status))") }
    let value = Probe.load(global)
    return value == 1 ? 0 : fail("the oldest generation's byte became \(value)")
}

/// A 100 MiB sbrk succeeds and takes no frame; touching one page in the
/// middle takes that page (and its tables) only.
func touchOneOfHugeHeap() -> Int32 {
    let size = 100 << 20
    let before = Sys.freeFrames()
    guard let base = Sys.sbrk(size) else { return fail("sbrk(100 MiB) failed") }
    let reserved = Sys.freeFrames()
    guard before - reserved <= 0 else { return fail("sbrk(100 MiB) took \(before - reserved) frames") }
    let middle = UInt(bitPattern: base) + UInt(size / 2)
    Probe.store(middle, 0x5A)
    guard Probe.load(middle) == 0x5A, Probe.load(middle + 1) == 0 else { return fail("the touched page is wrong") }
    let touched = Sys.freeFrames()
    // The page, and at most one table page per level below the root.
    guard reserved - touched <= 4 else { return fail("touching one page took \(reserved - touched) frames") }
    guard Sys.sbrk(-size) != nil else { return fail("sbrk(-100 MiB) failed") }
    return Sys.freeFrames() >= reserved - 3 ? 0 : fail("shrinking did not give the page back")
}

/// read() into a heap page nobody has touched yet: the kernel faults it in.
func readIntoUntouchedHeap() -> Int32 {
    guard let base = Sys.sbrk(2 * pageSize) else { return fail("sbrk(2 pages) failed") }
    let fd = Sys.open("memtest", .readOnly)
    guard fd >= 0 else { return fail("cannot open memtest to read from") }
    let target = base + pageSize - 2  // across the two untouched pages
    let count = Sys.read(fd, target, 8)
    _ = Sys.close(fd)
    guard count == 8 else { return fail("read into the untouched heap returned \(count)") }
    let magic: (UInt8, UInt8, UInt8, UInt8) = (0x7F, 0x45, 0x4C, 0x46)  // an ELF file's first bytes
    let address = UInt(bitPattern: target)
    let got = (Probe.load(address), Probe.load(address + 1), Probe.load(address + 2), Probe.load(address + 3))
    guard got == magic else { return fail("read gave \(got.0) \(got.1) \(got.2) \(got.3)") }
    // The rest of the pages reads as zeros.
    guard Probe.load(address - 1) == 0, Probe.load(address + 8) == 0 else { return fail("the page was not zeroed") }
    return 0
}
