/// Where a debugger finds a process's lazy ranges: the offsets of
/// `heapStart`, `heapBreak` and `stackReserve` inside a `ProcessSpace` (the
/// payload of `Process.space`, at its start). The kernel's DWARF describes
/// the generic `AddressSpace` without its specialized layout, so
/// Tools/gdb/swiftlet.py (`swiftlet walk`) reads these globals by their
/// symbols instead. `stackReserve` is an optional range: start, end, then
/// a tag byte that is 0 when a range is there.
///
/// Who touches them: exec stores them (the same three numbers every time,
/// without a lock: nothing in the kernel reads them); -1 until the first exec.
public enum DebuggerOffsets {
    public nonisolated(unsafe) static var heapStart = -1
    public nonisolated(unsafe) static var heapBreak = -1
    public nonisolated(unsafe) static var stackReserve = -1

    /// Measures the offsets in `space`, a process's own.
    static func measure(_ space: inout ProcessSpace) {
        guard heapBreak < 0 else { return }
        let base = withUnsafeMutablePointer(to: &space) { UInt(bitPattern: $0) }
        heapStart = Int(withUnsafeMutablePointer(to: &space.heapStart) { UInt(bitPattern: $0) } &- base)
        stackReserve = Int(withUnsafeMutablePointer(to: &space.stackReserve) { UInt(bitPattern: $0) } &- base)
        heapBreak = Int(withUnsafeMutablePointer(to: &space.heapBreak) { UInt(bitPattern: $0) } &- base)
    }
}
