/// Bytes typed at the console, waiting to be read. The console interrupt
/// handler puts them in; kernel code takes them out. Fixed size: when nobody
/// reads, the newest bytes are dropped and counted, nothing is allocated.
struct InputRing {
    static let capacity: UInt64 = 128
    private var bytes = InlineArray<128, UInt8>(repeating: 0)
    /// Bytes ever put in and taken out; their difference is the fill level.
    private var putCount: UInt64 = 0
    private var takeCount: UInt64 = 0
    private(set) var dropped: UInt64 = 0

    var isEmpty: Bool { putCount == takeCount }

    mutating func put(_ byte: UInt8) {
        guard putCount - takeCount < InputRing.capacity else {
            dropped += 1
            return
        }
        bytes[Int(putCount % InputRing.capacity)] = byte
        putCount += 1
    }

    mutating func take() -> UInt8? {
        guard !isEmpty else { return nil }
        let byte = bytes[Int(takeCount % InputRing.capacity)]
        takeCount += 1
        return byte
    }
}

enum ConsoleInput {
    nonisolated(unsafe) private static var ring = InputRing()
    /// Console input interrupts handled since boot.
    nonisolated(unsafe) private(set) static var interrupts: UInt64 = 0

    /// Interrupt side: the architecture's console driver hands over every
    /// byte it received during one interrupt.
    /// Ctrl-P is answered here, in the interrupt, whether or not anyone
    /// reads the console: it lists the processes.
    static func received(_ byte: UInt8) {
        if byte == controlP {
            Processes.printList()
            return
        }
        ring.put(byte)
    }
    static let controlP: UInt8 = 0x10
    static func interruptHandled() {
        interrupts &+= 1
        if Processes.isReady { Scheduler.wakeup(ConsoleDevice.inputChannel) }
    }

    /// The oldest unread byte, if any. Interrupts are kept out while the ring
    /// changes, so the handler never sees it half updated.
    static func take() -> UInt8? {
        let wasEnabled = Platform.disableInterrupts()
        let byte = ring.take()
        if wasEnabled { Platform.enableInterrupts() }
        return byte
    }
}
