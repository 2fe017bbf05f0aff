// init: the first process. It opens the console as fds 0, 1 and 2, then
// keeps a shell running: when sh exits, init starts another.
//
// `init test` runs the in-guest test programs one after the other (memtest
// strict, attack, fpcheck, exhaust, cpuattack, fstest, execmany, stress, sysfuzz with a short count), `init stress` the long versions, and
// `init test NAME...` just the programs named. Each program prints its own
// cases and "N passed, M failed"; init then prints one line per program and,
// last, its own "N passed, M failed" over the programs (a program passes when
// it exits 0), and powers the machine off with halt(0) only if all passed.
// `init bench` starts one shell as usual (the bench kernel gives it end of
// input at its first prompt, so it exits), then runs bench and halts the
// same way.
import SwiftletUser

/// The console's device numbers, for mknod.
let consoleMajor: Int16 = 1
let consoleMinor: Int16 = 0

func openConsole() {
    if Sys.open("console", .readWrite) < 0 {
        // No console file yet: make the device node (a kernel may refuse; then open decides).
        _ = Sys.mknod("console", major: consoleMajor, minor: consoleMinor)
        if Sys.open("console", .readWrite) < 0 { Sys.exit(1) }  // nowhere to say so
    }
    _ = Sys.dup(0)  // standard output
    _ = Sys.dup(0)  // standard error
}

/// Starts `path` in a child; its pid, or -1.
func spawn(_ path: StaticString) -> Int32 {
    let pid = Sys.fork()
    if pid == 0 {
        _ = Sys.exec(path)
        err("init: exec \(path) failed\n")
        Sys.exit(1)
    }
    return pid
}

/// Waits until `pid` exits, reaping orphans on the way; its exit status,
/// or nil if there are no children at all.
func reap(until pid: Int32) -> Int32? {
    while let (child, status) = Sys.wait() {
        if child == pid { return status }
    }
    return nil
}

/// One test program and up to two arguments.
struct TestProgram {
    let path: StaticString
    let argument1: StaticString?
    let argument2: StaticString?
    init(_ path: StaticString, _ argument1: StaticString? = nil, _ argument2: StaticString? = nil) {
        self.path = path
        self.argument1 = argument1
        self.argument2 = argument2
    }
}

/// `init test`: sysfuzz's count keeps the RISC-V check image within about a minute;
/// stress runs one worker per CPU.
let testPrograms: InlineArray<9, TestProgram> = [
    TestProgram("memtest", "strict"), TestProgram("attack"), TestProgram("fpcheck"), TestProgram("exhaust"),
    TestProgram("cpuattack"), TestProgram("fstest"), TestProgram("execmany"), TestProgram("stress"),
    TestProgram("sysfuzz", "100000"),
]
/// `init stress`: a million fuzzed system calls.
let stressPrograms: InlineArray<4, TestProgram> = [
    TestProgram("memtest", "strict"), TestProgram("attack"), TestProgram("exhaust"),
    TestProgram("sysfuzz", "1000000", "0x57e55"),
]

var programsPassed = 0
var programsFailed = 0

/// Runs `path` with `argv` in a child and waits for it; true if it exited 0.
func runTest(_ path: UnsafeMutablePointer<CChar>, _ argv: ArgumentVector) -> Bool {
    let name = CString(path)
    out("init: test mode: running \(name)\n")
    let pid = Sys.fork()
    if pid == 0 {
        _ = Sys.exec(name, argv)
        err("init: exec \(name) failed\n")
        Sys.exit(1)
    }
    let status: Int32 = pid < 0 ? -1 : (reap(until: pid) ?? -1)
    out("init: \(name) exited with status \(status)\n")
    if status == 0 { programsPassed += 1 } else { programsFailed += 1 }
    return status == 0
}

func runTest(_ program: TestProgram) {
    var argv: InlineArray<4, UnsafeMutablePointer<CChar>?> = .init(repeating: nil)
    argv[0] = CString.literal(program.path)
    if let a = program.argument1 { argv[1] = CString.literal(a) }
    if let a = program.argument2 { argv[2] = CString.literal(a) }
    _ = withUnsafeMutableBytes(of: &argv) { raw in
        runTest(CString.literal(program.path), raw.baseAddress!.assumingMemoryBound(to: UnsafeMutablePointer<CChar>?.self))
    }
}

/// Prints the summary over the programs and powers off: halt(0) if all passed.
func finishTests() -> Never {
    let verdict: Int32 = programsFailed == 0 && programsPassed > 0 ? 0 : 1
    out("init: \(programsPassed + programsFailed) test programs, \(programsFailed) failed: halt(\(verdict))\n")
    out("\(programsPassed) passed, \(programsFailed) failed\n")
    _ = Sys.halt(verdict)
    err("init: halt failed\n")
    while true { _ = Sys.sleep(100) }
}

func runTests(_ arguments: Arguments, stress: Bool) -> Never {
    if arguments.count > 2 {
        // The programs named, without arguments.
        for index in 2..<arguments.count {
            var argv: InlineArray<2, UnsafeMutablePointer<CChar>?> = .init(repeating: nil)
            argv[0] = arguments.vector[index]
            guard let path = argv[0] else { continue }
            _ = withUnsafeMutableBytes(of: &argv) { raw in
                runTest(path, raw.baseAddress!.assumingMemoryBound(to: UnsafeMutablePointer<CChar>?.self))
            }
        }
    } else if stress {
        for index in stressPrograms.indices { runTest(stressPrograms[index]) }
    } else {
        for index in testPrograms.indices { runTest(testPrograms[index]) }
    }
    finishTests()
}

/// Runs `program` and powers off: halt(0) if it exited with 0, halt(1) if not.
func runAndHalt(_ program: StaticString) -> Never {
    let pid = spawn(program)
    let status: Int32 = pid < 0 ? -1 : (reap(until: pid) ?? -1)
    let verdict: Int32 = status == 0 ? 0 : 1
    out("init: \(program) exited with status \(status): halt(\(verdict))\n")
    _ = Sys.halt(verdict)
    err("init: halt failed\n")
    while true { _ = Sys.sleep(100) }
}

/// Starts sh the way the interactive boot does, and waits until it exits.
func runShell() {
    out("init: starting sh\n")
    let pid = spawn("sh")
    if pid < 0 {
        err("init: fork failed\n")
        _ = Sys.sleep(10)
        return
    }
    _ = reap(until: pid)
}

@_cdecl("main")
func main(_ argc: Int32, _ argv: ArgumentVector) -> Int32 {
    openConsole()
    let arguments = Arguments(argc, argv)
    if let mode = arguments[1], mode.equals("test") || mode.equals("stress") {
        runTests(arguments, stress: mode.equals("stress"))
    }
    if let mode = arguments[1], mode.equals("bench") {
        // The boot up to the first prompt, as in the interactive image.
        runShell()
        out("init: bench mode: running bench\n")
        runAndHalt("bench")
    }
    while true { runShell() }
}
