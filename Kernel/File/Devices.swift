/// Device files: a device inode's major number picks the driver its reads
/// and writes go to. Majors as in xv6: 1 is the console. A device file with
/// any other major in range opens, but reading or writing it fails.
enum Devices {
    static let consoleMajor: Int16 = 1
    /// Majors a device file may have (xv6's NDEV).
    static let majorCount: Int16 = 10

    static func isValid(major: Int16) -> Bool { major >= 0 && major < majorCount }

    static func read(major: Int16, into destination: VirtualAddress, count: Int) -> Int {
        guard major == consoleMajor else { return -1 }
        return ConsoleDevice.read(into: destination, count: count)
    }

    static func write(major: Int16, from source: VirtualAddress, count: Int) -> Int {
        guard major == consoleMajor else { return -1 }
        return ConsoleDevice.write(from: source, count: count)
    }
}
