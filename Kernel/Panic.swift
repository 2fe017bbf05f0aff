/// Stops the kernel after something that must never happen. In a check image
/// it powers the machine off with a failure status, so `make check` fails at
/// once instead of waiting for its timeout; otherwise it halts and leaves the
/// message on the screen.
func kernelPanic(_ message: StaticString) -> Never {
    _ = Platform.disableInterrupts()
    Console.write("panic: ")
    Console.line(message)
    stopAfterPanic()
}

/// A panic whose message the memory core hands over as bytes: its
/// `CoreInvariant.handler` (a double free of a frame or a table page).
@_cdecl("swiftlet_core_invariant_violated")
func coreInvariantViolated(_ message: UnsafePointer<UInt8>, _ count: Int) {
    _ = Platform.disableInterrupts()
    Console.write("panic: ")
    for index in 0..<count { Console.put(message[index]) }
    Console.newline()
    stopAfterPanic()
}

private func stopAfterPanic() -> Never {
    switch BootMode.current {
    case .check:
        Console.line("self-checks aborted by panic")
        Platform.powerOff(status: 2)
    case .bench:
        Platform.powerOff(status: 2)
    case .interactive:
        Platform.halt()
    }
}
