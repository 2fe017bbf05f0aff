import _Volatile

/// The virtio-pci transport (virtio 1.x, 4.1), modern interface only: the
/// common configuration, notification, ISR and device configuration
/// structures that the device's vendor capabilities place in its BARs,
/// each mapped through the virtual-space mapper (4 KiB pages, uncached).
/// Interrupts come by MSI-X (vector `Vector.disk`, to this CPU's local APIC).
struct VirtioPCI: VirtioTransport {
    let location: PCILocation
    /// Virtual addresses of the mapped structures.
    let common: UInt
    let notifyBase: UInt
    let notifyMultiplier: UInt32
    /// Where queue 0's notifications go (its notify offset, read once).
    let requestQueueNotify: UInt
    let deviceConfiguration: UInt

    // Common configuration fields (4.1.4.3).
    static let deviceFeatureSelect = 0x00
    static let deviceFeature = 0x04
    static let driverFeatureSelect = 0x08
    static let driverFeature = 0x0C
    static let configurationVector = 0x10
    static let deviceStatus = 0x14
    static let configurationGeneration = 0x15
    static let queueSelect = 0x16
    static let queueSize = 0x18
    static let queueVector = 0x1A
    static let queueEnable = 0x1C
    static let queueNotifyOffset = 0x1E
    static let queueDescriptors = 0x20
    static let queueDriver = 0x28
    static let queueDevice = 0x30
    /// "No MSI-X vector" (4.1.4.3).
    static let noVector: UInt16 = 0xFFFF
    /// The MSI-X table entry the request queue uses.
    static let queueMSIXEntry: UInt16 = 0

    private func field<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> VolatileMappedRegister<T> {
        VolatileMappedRegister<T>(unsafeBitPattern: common + UInt(offset))
    }

    func readStatus() -> UInt8 { field(Self.deviceStatus, UInt8.self).load() }
    func writeStatus(_ status: UInt8) { field(Self.deviceStatus, UInt8.self).store(status) }

    func deviceFeatures() -> UInt64 {
        field(Self.deviceFeatureSelect, UInt32.self).store(0)
        let low = UInt64(field(Self.deviceFeature, UInt32.self).load())
        field(Self.deviceFeatureSelect, UInt32.self).store(1)
        return UInt64(field(Self.deviceFeature, UInt32.self).load()) << 32 | low
    }

    func setDriverFeatures(_ features: UInt64) {
        field(Self.driverFeatureSelect, UInt32.self).store(0)
        field(Self.driverFeature, UInt32.self).store(UInt32(truncatingIfNeeded: features))
        field(Self.driverFeatureSelect, UInt32.self).store(1)
        field(Self.driverFeature, UInt32.self).store(UInt32(truncatingIfNeeded: features >> 32))
    }

    func maximumQueueSize(_ queue: UInt16) -> UInt16 {
        field(Self.queueSelect, UInt16.self).store(queue)
        guard field(Self.queueEnable, UInt16.self).load() == 0 else { return 0 }
        return field(Self.queueSize, UInt16.self).load()
    }

    func activateQueue(_ queue: UInt16, size: UInt16, descriptors: PhysicalAddress, available: PhysicalAddress, used: PhysicalAddress) -> Bool {
        field(Self.queueSelect, UInt16.self).store(queue)
        field(Self.queueSize, UInt16.self).store(size)
        // Configuration changes interrupt nobody; the queue uses MSI-X entry 0,
        // and a device that cannot give it one says so by reading back "none".
        field(Self.configurationVector, UInt16.self).store(Self.noVector)
        field(Self.queueVector, UInt16.self).store(Self.queueMSIXEntry)
        guard field(Self.queueVector, UInt16.self).load() == Self.queueMSIXEntry else { return false }
        write64(Self.queueDescriptors, descriptors.raw)
        write64(Self.queueDriver, available.raw)
        write64(Self.queueDevice, used.raw)
        field(Self.queueEnable, UInt16.self).store(1)
        return field(Self.queueEnable, UInt16.self).load() == 1
    }

    /// 64-bit fields as two 32-bit writes, low half first (4.1.3.1).
    private func write64(_ offset: Int, _ value: UInt64) {
        field(offset, UInt32.self).store(UInt32(truncatingIfNeeded: value))
        field(offset + 4, UInt32.self).store(UInt32(truncatingIfNeeded: value >> 32))
    }

    func notify(_ queue: UInt16) {
        VolatileMappedRegister<UInt16>(unsafeBitPattern: queue == 0 ? requestQueueNotify : notifyAddress(queue)).store(queue)
    }

    /// Queue `queue`'s notification address: its notify offset times the multiplier (4.1.4.4).
    func notifyAddress(_ queue: UInt16) -> UInt {
        field(Self.queueSelect, UInt16.self).store(queue)
        return notifyBase + UInt(field(Self.queueNotifyOffset, UInt16.self).load()) * UInt(notifyMultiplier)
    }

    /// Nothing to read: with MSI-X the device does not use the ISR status
    /// (4.1.4.5), and a message interrupt leaves no line to lower.
    func acknowledgeInterrupt() {}

    func readConfiguration32(_ offset: Int) -> UInt32 {
        VolatileMappedRegister<UInt32>(unsafeBitPattern: deviceConfiguration + UInt(offset)).load()
    }

    func configurationGeneration() -> UInt32 { UInt32(field(Self.configurationGeneration, UInt8.self).load()) }

    func writeLocation() {
        Console.write("virtio-pci ")
        Console.write(decimal: UInt64(location.bus))
        Console.write(":")
        Console.write(decimal: UInt64(location.device))
        Console.write(".")
        Console.write(decimal: UInt64(location.function))
        Console.write(", MSI-X vector ")
        Console.write(decimal: Vector.disk)
    }
}
