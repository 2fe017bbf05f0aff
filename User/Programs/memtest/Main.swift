// memtest: the in-guest memory test suite. One line per case, then
// "N passed, M failed"; exit status 0 if nothing failed. `memtest strict`
// fails the cases that need the check images' test-only files instead of
// skipping them where those files are missing.
import SwiftletUser

@_cdecl("main")
func main(_ argc: Int32, _ argv: ArgumentVector) -> Int32 {
    if let mode = Arguments(argc, argv)[1], mode.equals("strict") { strict = true }
    touchStack()
    // The heap memory "execute heap" runs: taken (and so touched) before
    // the frames are counted.
    guard let code = Heap.allocate(bytes: 64) else { return 1 }
    let framesBefore = Sys.freeFrames()

    if Targets.stackGrowthBytes > 0 {
        run("stack grows by 1 MiB", expect: .exits(0)) { stackGrowth() }
    }
    // A fault kills the child; the kind and address must be the ones the case made.
    let stack = Probe.stackAddress()
    let stackFloor = stack > stackFaultReach ? stack - stackFaultReach : 0
    run("stack overflow", expect: .killed(.writeFault, at: AddressRange(low: stackFloor, high: stack))) {
        stackOverflow()
    }
    run("read kernel", expect: .killed(.readFault, at: .exactly(Targets.kernel))) { readAddress(Targets.kernel) }
    run("write kernel", expect: .killed(.writeFault, at: .exactly(Targets.kernel))) { writeAddress(Targets.kernel) }
    let special1 = Targets.special1.address
    let special2 = Targets.special2.address
    run("read ", Targets.special1.name, expect: .killed(.readFault, at: .exactly(special1))) { readAddress(special1) }
    run("write ", Targets.special1.name, expect: .killed(.writeFault, at: .exactly(special1))) { writeAddress(special1) }
    run("read ", Targets.special2.name, expect: .killed(.readFault, at: .exactly(special2))) { readAddress(special2) }
    run("write ", Targets.special2.name, expect: .killed(.writeFault, at: .exactly(special2))) { writeAddress(special2) }
    run("write text", expect: .killed(.writeFault, at: .exactly(textAddress))) { writeText() }
    run("execute heap", expect: .killed(.executeFault, at: .exactly(UInt(bitPattern: code)))) { executeHeap(code) }

    run("write from kernel address", expect: .exits(0)) { writeFromKernel() }
    run("read into kernel address", expect: .exits(0)) { readIntoKernel() }
    run("write from unmapped address", expect: .exits(0)) { writeFromUnmapped() }
    run("buffer into stack guard", expect: .exits(0)) { writeAcrossStackGuard() }
    run("length overflow", expect: .exits(0)) { lengthOverflow() }
    run("length -1", expect: .exits(0)) { lengthMinusOne() }
    run("exec kernel path", expect: .exits(0)) { execKernelPath() }
    run("pipe kernel address", expect: .exits(0)) { pipeKernel() }

    // The child's sbrk starts at this break; its third page is freed again.
    let freedPage = Sys.currentBreak() + UInt(2 * pageSize)
    run("sbrk shrink", expect: .killed(.writeFault, at: .exactly(freedPage))) { sbrkShrink() }
    run("sbrk too much", expect: .exits(0)) { sbrkTooMuch() }

    run("fork isolation", expect: .exits(0)) { forkIsolation() }
    run("fork isolation, the parent writing", expect: .exits(0)) { forkParentWriteInvisible() }
    run("fork: a page shared by three generations", expect: .exits(0)) { threeGenerations() }
    run("fork until full", expect: .exits(0)) { forkUntilFull() }
    run("sbrk 100 MiB, touch one page", expect: .exits(0)) { touchOneOfHugeHeap() }
    run("read into an untouched heap page", expect: .exits(0)) { readIntoUntouchedHeap() }
    run("preemption of a spinning process", expect: .exits(0)) { preemption() }

    run("exec elfbase", expect: .exits(elfbaseStatus)) { execValid("elfbase") }
    run("exec bad-magic", expect: .exits(0)) { execBad("bad-magic") }
    run("exec bad-machine", expect: .exits(0)) { execBad("bad-machine") }
    run("exec bad-truncated", expect: .exits(0)) { execBad("bad-truncated") }
    run("exec bad-seg-kernel", expect: .exits(0)) { execBad("bad-seg-kernel") }
    run("exec bad-entry", expect: .exits(0)) { execBad("bad-entry") }
    run("exec bad-phoff", expect: .exits(0)) { execBad("bad-phoff") }
    run("exec a directory", expect: .exits(0)) { execDirectory() }

    // Every child is reaped by now: all their frames must be back.
    let framesAfter = Sys.freeFrames()
    report(
        CaseName(first: "free frames", second: ""), ok: framesBefore >= 0 && framesAfter == framesBefore,
        "before \(framesBefore), after \(framesAfter)")

    if skipped > 0 { out("memtest: \(skipped) cases skipped\n") }
    out("\(passed) passed, \(failed) failed\n")
    return failed == 0 ? 0 : 1
}
