/// The device status bits a driver sets while it brings a device up
/// (virtio 1.x, 2.1 and 3.1.1), the same on every transport.
public enum VirtioStatus {
    public static let acknowledge: UInt8 = 1
    public static let driver: UInt8 = 2
    public static let driverOK: UInt8 = 4
    public static let featuresOK: UInt8 = 8
    public static let needsReset: UInt8 = 64
    public static let failed: UInt8 = 128
}

/// Feature bits every device type shares (6).
public enum VirtioFeature {
    /// VIRTIO_F_VERSION_1: the modern interface; a driver of this kind refuses a device without it.
    public static let version1: UInt64 = 1 << 32
}

/// Device type numbers (5): what a transport's device ID says.
public enum VirtioDeviceType {
    public static let block: UInt32 = 2
}
