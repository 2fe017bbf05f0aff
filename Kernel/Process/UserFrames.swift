/// Where each process's saved user registers are, as a kernel pointer.
/// Every system call reads and writes them; finding them is a page-table
/// walk (`Platform.locateUserFrame`), so the first use records the pointer
/// until the slot's address space changes (fork, exec, reaping call `forget`).
enum UserFrames {
    /// One entry per process slot (`Processes.capacity`, which a generic
    /// argument cannot name); 0 when not known yet.
    nonisolated(unsafe) private static var known = InlineArray<64, UInt>(repeating: 0)

    @inline(__always)
    static func of(_ slot: Int) -> UnsafeMutablePointer<Platform.UserFrame> {
        if let frame = UnsafeMutablePointer<Platform.UserFrame>(bitPattern: known[slot]) { return frame }
        return locate(slot)
    }

    /// The process in `slot` got a new address space or lost it.
    static func forget(slot: Int) { known[slot] = 0 }

    /// The process in `slot` got a new address space, whose user frame is
    /// at `frame` (`Platform.prepareProcessSpace` said so).
    static func remember(slot: Int, _ frame: UnsafeMutablePointer<Platform.UserFrame>) {
        known[slot] = UInt(bitPattern: frame)
    }

    @inline(never)
    private static func locate(_ slot: Int) -> UnsafeMutablePointer<Platform.UserFrame> {
        let frame = Platform.locateUserFrame(slot)
        known[slot] = UInt(bitPattern: frame)
        return frame
    }
}
