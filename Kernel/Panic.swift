/// Stops the kernel after something that must never happen. In a check image
/// it powers the machine off with a failure status, so `make check` fails at
/// once instead of waiting for its timeout; otherwise it halts and leaves the
/// message on the screen.
func kernelPanic(_ message: StaticString) -> Never {
    _ = Platform.disableInterrupts()
    Console.write("panic: ")
    Console.line(message)
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
