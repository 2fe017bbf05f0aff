/// What a virtio-blk request looks like on the queue (virtio 1.x, 5.2.6):
/// a 16-byte header the device reads (type, reserved, first sector), the
/// data buffers, and one status byte the device writes. Sectors are 512
/// bytes whatever the device's block size; the capacity in the device's
/// configuration (offset 0, 64 bits) counts them.
public enum VirtioBlockFormat {
    public static let sectorBytes: UInt64 = 512
    public static let headerBytes = 16
    /// Offset of the capacity (in sectors) in the device-specific configuration.
    public static let capacityOffset = 0

    public enum RequestType: UInt32 {
        case read = 0
        case write = 1
    }

    /// The status byte's values.
    public static let statusOK: UInt8 = 0
    public static let statusIOError: UInt8 = 1
    public static let statusUnsupported: UInt8 = 2
    /// What the driver leaves in the status byte, so a device that never
    /// writes it cannot look like success.
    public static let statusUnwritten: UInt8 = 0xFF

    /// Feature VIRTIO_BLK_F_RO: the device refuses writes.
    public static let readOnlyFeature: UInt64 = 1 << 5

    /// Writes a request header at `header`.
    public static func writeHeader(_ type: RequestType, sector: UInt64, to header: UnsafeMutableRawPointer) {
        header.storeBytes(of: type.rawValue.littleEndian, toByteOffset: 0, as: UInt32.self)
        header.storeBytes(of: UInt32(0), toByteOffset: 4, as: UInt32.self)
        header.storeBytes(of: sector.littleEndian, toByteOffset: 8, as: UInt64.self)
    }

    /// The first sector of `block` when blocks are `blockBytes` long; nil
    /// if it does not fit in 64 bits.
    public static func firstSector(ofBlock block: UInt64, blockBytes: UInt64) -> UInt64? {
        let (sector, overflow) = block.multipliedReportingOverflow(by: blockBytes / sectorBytes)
        return overflow ? nil : sector
    }
}
