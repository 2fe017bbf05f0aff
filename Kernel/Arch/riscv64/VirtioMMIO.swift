import _Volatile

/// The virtio-mmio transport (virtio 1.x, 4.2), modern register layout
/// (version 2), for the device at `base`. QEMU's `virt` machine has eight
/// such slots from VIRTIO0; an empty slot answers with device ID 0.
struct VirtioMMIO: VirtioTransport {
    let base: UInt64
    let interrupt: UInt32

    // Register offsets (4.2.2).
    static let magicValue: UInt64 = 0x000
    static let version: UInt64 = 0x004
    static let deviceID: UInt64 = 0x008
    static let deviceFeatures: UInt64 = 0x010
    static let deviceFeaturesSelect: UInt64 = 0x014
    static let driverFeatures: UInt64 = 0x020
    static let driverFeaturesSelect: UInt64 = 0x024
    static let queueSelect: UInt64 = 0x030
    static let queueSizeMaximum: UInt64 = 0x034
    static let queueSize: UInt64 = 0x038
    static let queueReady: UInt64 = 0x044
    static let queueNotify: UInt64 = 0x050
    static let interruptStatus: UInt64 = 0x060
    static let interruptAcknowledge: UInt64 = 0x064
    static let status: UInt64 = 0x070
    static let queueDescriptorsLow: UInt64 = 0x080
    static let queueDriverLow: UInt64 = 0x090
    static let queueDeviceLow: UInt64 = 0x0A0
    static let configurationGeneration: UInt64 = 0x0FC
    static let configuration: UInt64 = 0x100

    /// "virt" in little-endian ASCII.
    static let magic: UInt32 = 0x7472_6976

    private func register(_ offset: UInt64) -> VolatileMappedRegister<UInt32> {
        VolatileMappedRegister<UInt32>(unsafeBitPattern: UInt(base + offset))
    }

    func readStatus() -> UInt8 { UInt8(truncatingIfNeeded: register(Self.status).load()) }
    func writeStatus(_ status: UInt8) { register(Self.status).store(UInt32(status)) }

    func deviceFeatures() -> UInt64 {
        register(Self.deviceFeaturesSelect).store(0)
        let low = UInt64(register(Self.deviceFeatures).load())
        register(Self.deviceFeaturesSelect).store(1)
        return UInt64(register(Self.deviceFeatures).load()) << 32 | low
    }

    func setDriverFeatures(_ features: UInt64) {
        register(Self.driverFeaturesSelect).store(0)
        register(Self.driverFeatures).store(UInt32(truncatingIfNeeded: features))
        register(Self.driverFeaturesSelect).store(1)
        register(Self.driverFeatures).store(UInt32(truncatingIfNeeded: features >> 32))
    }

    func maximumQueueSize(_ queue: UInt16) -> UInt16 {
        register(Self.queueSelect).store(UInt32(queue))
        // A queue already in use cannot be set up again.
        guard register(Self.queueReady).load() == 0 else { return 0 }
        return UInt16(truncatingIfNeeded: min(register(Self.queueSizeMaximum).load(), 32768))
    }

    func activateQueue(_ queue: UInt16, size: UInt16, descriptors: PhysicalAddress, available: PhysicalAddress, used: PhysicalAddress) -> Bool {
        register(Self.queueSelect).store(UInt32(queue))
        register(Self.queueSize).store(UInt32(size))
        write64(Self.queueDescriptorsLow, descriptors.raw)
        write64(Self.queueDriverLow, available.raw)
        write64(Self.queueDeviceLow, used.raw)
        register(Self.queueReady).store(1)
        return register(Self.queueReady).load() == 1
    }

    private func write64(_ offset: UInt64, _ value: UInt64) {
        register(offset).store(UInt32(truncatingIfNeeded: value))
        register(offset + 4).store(UInt32(truncatingIfNeeded: value >> 32))
    }

    func notify(_ queue: UInt16) {
        // The ring stores must reach memory before the device is told (the
        // queue's release store orders memory, this orders it before I/O).
        ioFence()
        register(Self.queueNotify).store(UInt32(queue))
    }

    func acknowledgeInterrupt() {
        let causes = register(Self.interruptStatus).load()
        register(Self.interruptAcknowledge).store(causes)
    }

    func readConfiguration32(_ offset: Int) -> UInt32 { register(Self.configuration + UInt64(offset)).load() }
    func configurationGeneration() -> UInt32 { register(Self.configurationGeneration).load() }

    func writeLocation() {
        Console.write("virtio-mmio ")
        Console.write(hex: base)
        Console.write(", PLIC interrupt ")
        Console.write(decimal: UInt64(interrupt))
    }
}

/// The disk on QEMU `virt`: a virtio-blk device in the VIRTIO0 slot (the
/// layout maps that one page), interrupting through the PLIC.
enum RiscV64Disk: DiskAttachment {
    static func findDisk() -> VirtioMMIO? {
        let device = VirtioMMIO(base: RiscV64Layout.virtio0, interrupt: RiscV64Layout.virtio0IRQ)
        func register(_ offset: UInt64) -> UInt32 {
            VolatileMappedRegister<UInt32>(unsafeBitPattern: UInt(device.base + offset)).load()
        }
        guard register(VirtioMMIO.magicValue) == VirtioMMIO.magic else {
            Console.line("virtio-blk: no virtio-mmio device at VIRTIO0; running without a disk")
            return nil
        }
        let deviceID = register(VirtioMMIO.deviceID)
        guard deviceID == VirtioDeviceType.block else {
            Console.write("virtio-blk: no disk attached (VIRTIO0 holds device type ")
            Console.write(decimal: UInt64(deviceID))
            Console.line("); running without a disk")
            return nil
        }
        guard register(VirtioMMIO.version) == 2 else {
            Console.line("virtio-blk: VIRTIO0 is a legacy device (version 1); QEMU needs -global virtio-mmio.force-legacy=false")
            return nil
        }
        return device
    }

    static func enableDiskInterrupt() {
        PLIC.setPriority(source: RiscV64Layout.virtio0IRQ, priority: 1)
        PLIC.enable(source: RiscV64Layout.virtio0IRQ, supervisorOf: RiscV64.bootHart)
    }
}

typealias PlatformDisk = RiscV64Disk

@_extern(c, "swiftlet_io_fence") func ioFence()
