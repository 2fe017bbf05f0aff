/// What a virtio driver needs from the transport its device sits on
/// (virtio 1.x, 4): the device status, feature negotiation, queue set-up,
/// notification, interrupt acknowledgement and the device-specific
/// configuration. Each architecture has one: virtio-mmio on RISC-V
/// (`Kernel/Arch/riscv64/VirtioMMIO.swift`), virtio-pci on x86-64
/// (`Kernel/Arch/x86_64/VirtioPCI.swift`). Only the modern interface.
protocol VirtioTransport {
    /// Device status (2.1); writing 0 resets the device.
    func readStatus() -> UInt8
    func writeStatus(_ status: UInt8)
    /// All 64 feature bits the device offers, and those the driver accepts.
    func deviceFeatures() -> UInt64
    func setDriverFeatures(_ features: UInt64)
    /// Largest size of queue `queue`; 0 when there is no such queue.
    func maximumQueueSize(_ queue: UInt16) -> UInt16
    /// Gives queue `queue` its size and ring addresses and enables it; false
    /// when the transport cannot (no interrupt route for it, say).
    func activateQueue(_ queue: UInt16, size: UInt16, descriptors: PhysicalAddress, available: PhysicalAddress, used: PhysicalAddress) -> Bool
    /// Tells the device that queue `queue` has new chains.
    func notify(_ queue: UInt16)
    /// Called first in the interrupt handler: reads and clears the cause,
    /// so the interrupt line drops.
    func acknowledgeInterrupt()
    /// A 32-bit field of the device-specific configuration.
    func readConfiguration32(_ offset: Int) -> UInt32
    /// The configuration generation (2.4): it changes when the device
    /// changes its configuration.
    func configurationGeneration() -> UInt32
    /// "at ..." for the boot log: where the device is and how it interrupts.
    func writeLocation()
}

extension VirtioTransport {
    /// A 64-bit field of the device-specific configuration, read again
    /// until no change happened in the middle (2.4.1).
    func readConfiguration64(_ offset: Int) -> UInt64 {
        while true {
            let before = configurationGeneration()
            let low = UInt64(readConfiguration32(offset))
            let high = UInt64(readConfiguration32(offset + 4))
            if configurationGeneration() == before { return high << 32 | low }
        }
    }
}

/// How an architecture attaches the disk: it finds the virtio-blk device
/// (or says why there is none, in one console line), and lets its
/// interrupt through once the driver is ready for it. Each architecture
/// names its own with `typealias PlatformDisk = ...`.
protocol DiskAttachment {
    associatedtype Transport: VirtioTransport
    /// The block device's transport, or nil after logging why not.
    static func findDisk() -> Transport?
    /// Routes and unmasks the disk's interrupt to this CPU.
    static func enableDiskInterrupt()
}
