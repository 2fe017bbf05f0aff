/// What this image does after booting. Chosen when the image is built: the
/// Makefile compiles the `make check` image with `-D SWIFTLET_CHECK` (and the
/// `make stress` image also with `-D SWIFTLET_STRESS`) and the `make bench`
/// image with `-D SWIFTLET_BENCH`, so the interactive image carries neither
/// self-check nor benchmark code and vice versa.
enum BootMode {
    /// Console echo, for people (`make run`).
    case interactive
    /// Runs the in-kernel self-checks, then init runs the in-guest test
    /// programs and powers off with the result (`make check`, `make stress`).
    case check
    /// Boots like the interactive image up to the shell's first prompt, notes
    /// what the boot cost (`BootFigures`), then init runs `bench` and powers
    /// off (`make bench`).
    case bench

    static var current: BootMode {
        #if SWIFTLET_CHECK
        return .check
        #elseif SWIFTLET_BENCH
        return .bench
        #else
        return .interactive
        #endif
    }

    /// The argument the kernel gives init: `test` (memtest, exhaust and a
    /// short sysfuzz) or `stress` (the long versions), `bench`, or none.
    var initArgument: StaticString? {
        switch self {
        case .interactive: return nil
        case .check:
            #if SWIFTLET_STRESS
            return "stress"
            #else
            return "test"
            #endif
        case .bench: return "bench"
        }
    }

    /// Whether init may power the machine off with halt: it does so to end
    /// a check or bench run; an interactive machine runs until QEMU stops.
    var initMayPowerOff: Bool { self != .interactive }
}
