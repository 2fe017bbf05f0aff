/// What this image does after booting. Chosen when the image is built: the
/// Makefile compiles the `make check` image with `-D SWIFTLET_CHECK`, so the
/// interactive image carries no self-check code and vice versa.
enum BootMode {
    /// Console echo, for people (`make run`).
    case interactive
    /// Runs the in-kernel self-checks, prints "N passed, M failed" and powers
    /// off with the result (`make check`).
    case check

    static var current: BootMode {
        #if SWIFTLET_CHECK
        return .check
        #else
        return .interactive
        #endif
    }
}
