// memtest: the in-guest memory test suite. One line per case, then
// "N passed, M failed"; exit status 0 if nothing failed.
import SwiftletUser

@_cdecl("main")
func main(_ argc: Int32, _ argv: ArgumentVector) -> Int32 {
    touchStack()
    let framesBefore = Sys.freeFrames()

    if Targets.stackGrowthBytes > 0 {
        run("stack grows by 1 MiB", expect: .exits(0)) { stackGrowth() }
    }
    run("stack overflow", expect: .killed) { stackOverflow() }
    run("read kernel", expect: .killed) { readAddress(Targets.kernel) }
    run("write kernel", expect: .killed) { writeAddress(Targets.kernel) }
    run("read ", Targets.special1.name, expect: .killed) { readAddress(Targets.special1.address) }
    run("write ", Targets.special1.name, expect: .killed) { writeAddress(Targets.special1.address) }
    run("read ", Targets.special2.name, expect: .killed) { readAddress(Targets.special2.address) }
    run("write ", Targets.special2.name, expect: .killed) { writeAddress(Targets.special2.address) }
    run("write text", expect: .killed) { writeText() }
    run("execute heap", expect: .killed) { executeHeap() }

    run("write from kernel address", expect: .exits(0)) { writeFromKernel() }
    run("read into kernel address", expect: .exits(0)) { readIntoKernel() }
    run("write from unmapped address", expect: .exits(0)) { writeFromUnmapped() }
    run("buffer into stack guard", expect: .exits(0)) { writeAcrossStackGuard() }
    run("length overflow", expect: .exits(0)) { lengthOverflow() }
    run("length -1", expect: .exits(0)) { lengthMinusOne() }
    run("exec kernel path", expect: .exits(0)) { execKernelPath() }
    run("pipe kernel address", expect: .exits(0)) { pipeKernel() }

    run("sbrk shrink", expect: .killed) { sbrkShrink() }
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

    // Every child is reaped by now: all their frames must be back.
    let framesAfter = Sys.freeFrames()
    report(
        CaseName(first: "free frames", second: ""), ok: framesBefore >= 0 && framesAfter == framesBefore,
        "before \(framesBefore), after \(framesAfter)")

    out("\(passed) passed, \(failed) failed\n")
    return failed == 0 ? 0 : 1
}
