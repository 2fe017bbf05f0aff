/// What the memory core does when it finds its own bookkeeping broken (an
/// owned frame or a page-table page freed twice). That is always a kernel
/// bug, never something user input can cause, and it must stop the kernel
/// with a clear message in every image: `assertionFailure` is compiled out
/// of -Osize builds, and a bare trap says nothing. The kernel installs its
/// panic here at boot (before any page table exists); host tests install a
/// recorder. With nothing installed the core traps.
///
/// Written once at boot (or by a test before it runs the core); read when a
/// check fails. No lock: it never changes while the core runs.
public enum CoreInvariant {
    /// Receives the message's bytes (UTF-8, no NUL).
    public typealias Handler = @convention(c) (UnsafePointer<UInt8>, Int) -> Void
    nonisolated(unsafe) public static var handler: Handler? = nil

    static func violated(_ message: StaticString) {
        guard let handler else { preconditionFailure("memory core: an invariant was violated") }
        handler(message.utf8Start, message.utf8CodeUnitCount)
    }
}
