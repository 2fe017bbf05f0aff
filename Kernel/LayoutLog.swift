/// Prints a layout table in the boot log, one region a line: the same table
/// the page tables are built from, so the log shows the layout the kernel
/// really uses, not a copy of it. The format (LayoutText) is the one vmmap
/// prints and `layout-maps --from-log` reads back.
enum LayoutLog {
    static func print(_ table: LayoutTable) {
        var sink = ConsoleSink()
        LayoutText.write(table, into: &sink)
    }
}

/// LayoutText's output to the console.
struct ConsoleSink: LayoutTextSink {
    mutating func put(_ byte: UInt8) { Console.put(byte) }
}
