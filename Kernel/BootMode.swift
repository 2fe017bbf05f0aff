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

    /// What a check image's init is told to run: `test` (memtest, exhaust and
    /// a short sysfuzz), or `stress` (the long versions) in the image that
    /// `make stress` builds with `-D SWIFTLET_STRESS`.
    static var initArgument: StaticString {
        #if SWIFTLET_STRESS
        return "stress"
        #else
        return "test"
        #endif
    }
}
