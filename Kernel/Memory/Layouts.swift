/// The architecture's layout tables, built once at boot and kept here:
/// a table is a kilobyte and a half, too big to rebuild on a one-page
/// kernel stack each time a fault is reported.
enum Layouts {
    nonisolated(unsafe) static var kernel = LayoutTable(name: "")
    nonisolated(unsafe) static var process = LayoutTable(name: "")

    static func initialize() {
        kernel = Platform.kernelLayout
        process = Platform.processLayout
    }

    /// The region of a process's address space that holds `address`.
    static func processRegion(containing address: VirtualAddress) -> LayoutRegion? {
        process.region(containing: address)
    }
}
