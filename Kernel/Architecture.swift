/// What the portable kernel needs from a processor and its machine. Each
/// architecture conforms once, in `Kernel/Arch/<arch>/Platform.swift`, and
/// that file also says `typealias Platform = ...`. The Makefile compiles one
/// architecture's directory into an image, so portable code says `Platform`
/// and never asks which architecture it runs on.
protocol Architecture {
    /// One phrase for the boot banner, such as "riscv64, QEMU virt".
    static var machineName: StaticString { get }

    /// Writes one byte to the console, waiting until the device takes it.
    static func consolePut(_ byte: UInt8)
    /// Self-check aid: while on, console output is routed straight back to
    /// console input (through the same interrupt path as typed keys) instead
    /// of the screen.
    static func setConsoleLoopback(_ on: Bool)

    /// Lets interrupts in on this CPU.
    static func enableInterrupts()
    /// Keeps interrupts out on this CPU; returns whether they were enabled.
    static func disableInterrupts() -> Bool
    /// Sleeps until an interrupt has been taken (or returns early: it may
    /// wake spuriously).
    static func waitForInterrupt()

    /// A free-running counter that never goes back, and its ticks per second.
    static func readCounter() -> UInt64
    static var counterFrequency: UInt64 { get }
    /// Timer interrupts per second.
    static var tickRate: UInt64 { get }

    /// The physical memory the kernel image occupies, and the RAM after it
    /// that the frame allocator may own.
    static var kernelImage: PhysicalRange { get }
    static var freeMemory: PhysicalRange { get }
    /// How the kernel reaches physical memory (before paging: identity).
    static var physicalMemory: DirectMappedMemory { get }
    /// The kernel's address space as the layout table states it, for this
    /// image (the linker decides where text and data end).
    static var kernelLayout: LayoutTable { get }
    /// Which virtual addresses the paging scheme can express.
    static var addressRule: AddressRule { get }

    /// Executes one breakpoint instruction. With `TrapProbe` armed, the trap
    /// handler records the trap and steps over the instruction.
    static func breakpoint()
    /// Where that breakpoint instruction is, and the trap cause it raises.
    static var breakpointAddress: UInt64 { get }
    static var breakpointCause: UInt64 { get }

    /// Ends the machine: under QEMU, QEMU exits with `status` (0 = success).
    static func powerOff(status: UInt16) -> Never
    /// Stops this CPU for good, interrupts off.
    static func halt() -> Never
}
