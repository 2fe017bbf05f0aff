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

/// Locking: the ring, and the line `ConsoleDevice` edits from it, are
/// guarded by `lock` ("console input"): the interrupt handler (on the boot
/// CPU) puts under it, a reader on any CPU takes and edits under it and
/// sleeps through `sleep(on:releasing:)` on it, so a byte that arrives
/// between its test and its sleep wakes it.
enum ConsoleInput {
    nonisolated(unsafe) private static var ring = InputRing()
    nonisolated(unsafe) static var lock = Spinlock("console input")
    static var inputLock: UnsafeMutablePointer<Spinlock> { withUnsafeMutablePointer(to: &lock) { $0 } }
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
        Spinlock.acquire(inputLock)
        ring.put(byte)
        Spinlock.release(inputLock)
    }
    static let controlP: UInt8 = 0x10
    static func interruptHandled() {
        interrupts &+= 1
        if Processes.isReady { Scheduler.wakeup(ConsoleDevice.inputChannel) }
    }

    /// The oldest unread byte, if any. (The lock keeps this CPU's
    /// interrupts out too, so the handler never sees the ring half updated.)
    static func take() -> UInt8? {
        Spinlock.acquire(inputLock)
        let byte = ring.take()
        Spinlock.release(inputLock)
        return byte
    }

    /// `take` for a caller that holds `lock` (the console's reader).
    static func takeHoldingLock() -> UInt8? { ring.take() }
}
