// init: the first process. It opens the console as fds 0, 1 and 2, then
// keeps a shell running: when sh exits, init starts another. Started with
// the argument "test" it runs memtest instead and powers the machine off
// with halt(0) if memtest passed, halt(1) if not. Started with "bench" it
// starts one shell as usual (the bench kernel gives it end of input at its
// first prompt, so it exits), then runs bench and halts the same way.
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
    if let mode = arguments[1], mode.equals("test") {
        out("init: test mode: running memtest\n")
        runAndHalt("memtest")
    }
    if let mode = arguments[1], mode.equals("bench") {
        // The boot up to the first prompt, as in the interactive image.
        runShell()
        out("init: bench mode: running bench\n")
        runAndHalt("bench")
    }
    while true { runShell() }
}
