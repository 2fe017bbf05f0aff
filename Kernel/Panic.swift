/// Stops the kernel after something that must never happen. In a check image
/// it powers the machine off with a failure status, so `make check` fails at
/// once instead of waiting for its timeout; otherwise it halts and leaves the
/// message on the screen.
func kernelPanic(_ message: StaticString) -> Never {
    beginPanic()
    Console.panicLine(message)
    endPanic()
}

/// A panic about a lock: `panic: <message>: <lock name>`.
func kernelPanic(_ message: StaticString, naming lock: StaticString) -> Never {
    beginPanic()
    Console.panicWrite(message)
    Console.panicWrite(": ")
    Console.panicLine(lock)
    endPanic()
}

/// Set once a panic has begun: the console then writes without its lock
/// (the panic may come from inside it, or while another lock is held).
nonisolated(unsafe) var panicking = false

private func beginPanic() {
    _ = Platform.disableInterrupts()
    panicking = true
    Console.panicWrite("panic: ")
}

/// A panic whose message the memory core hands over as bytes: its
/// `CoreInvariant.handler` (a double free of a frame or a table page).
@_cdecl("swiftlet_core_invariant_violated")
func coreInvariantViolated(_ message: UnsafePointer<UInt8>, _ count: Int) {
    beginPanic()
    for index in 0..<count { Console.panicPut(message[index]) }
    Console.panicPut(UInt8(ascii: "\n"))
    endPanic()
}

private func endPanic() -> Never {
    switch BootMode.current {
    case .check:
        Console.panicLine("self-checks aborted by panic")
        Platform.powerOff(status: 2)
    case .bench:
        Platform.powerOff(status: 2)
    case .interactive:
        Platform.halt()
    }
}
