/// Lets a self-check trap on purpose and see what the trap handler saw. Only
/// an armed probe makes a breakpoint trap harmless; any other breakpoint in
/// kernel mode is a panic.
enum TrapProbe {
    struct Record {
        /// The architecture's trap cause code.
        let cause: UInt64
        /// Address of the instruction that trapped.
        let address: UInt64
    }

    nonisolated(unsafe) private static var armed = false
    nonisolated(unsafe) private static var record: Record? = nil

    /// Expect exactly one breakpoint trap.
    static func arm() {
        record = nil
        armed = true
    }

    /// Called by the trap handler on a breakpoint. Returns true when a check
    /// expected it; the handler then steps over the instruction.
    static func catchBreakpoint(cause: UInt64, address: UInt64) -> Bool {
        guard armed else { return false }
        armed = false
        record = Record(cause: cause, address: address)
        return true
    }

    /// What the handler recorded since `arm()`, if anything; disarms.
    static func takeRecord() -> Record? {
        armed = false
        let taken = record
        record = nil
        return taken
    }
}
