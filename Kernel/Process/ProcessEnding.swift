/// How a process ended, for its parent: `waitinfo` copies it out as a
/// `struct exitinfo` (User/include/user.h). The numbers are ABI: the C
/// header and the Swift runtime (User/Runtime/Records.swift) spell them
/// too, and Tools/abi-check.py fails `make test` if any copy disagrees.
enum EndCause: UInt32 {
    /// It called exit.
    case exited = 0
    /// Another process killed it.
    case killed = 1
    case readFault = 2
    case writeFault = 3
    case executeFault = 4
    case illegalInstruction = 5
    case misaligned = 6
    case breakpoint = 7
    /// Another exception; `detail` holds the architecture's trap code.
    case exception = 8
    /// A lazy or copy-on-write page needed a frame and none was left.
    case outOfMemory = 9
}

/// What a process's slot remembers of its end until it is reaped: the
/// cause, and for a fault the address and program counter the kernel's
/// report line named. Written by the process itself (exit, its own fault)
/// or by kill, in one step each; read by its parent's wait.
struct ProcessEnding {
    var cause: EndCause = .exited
    var detail: UInt32 = 0
    var address: UInt64 = 0
    var pc: UInt64 = 0
}

/// The layout of `struct exitinfo`: { int pid; int status; uint32 cause;
/// uint32 detail; uint64 address; uint64 pc; }, 32 bytes, little-endian.
enum ExitInfoRecord {
    static let recordSize = 32
    static let pidOffset = 0
    static let statusOffset = 4
    static let causeOffset = 8
    static let detailOffset = 12
    static let addressOffset = 16
    static let pcOffset = 24

    /// The record for the process in `slot`.
    static func make(slot: Int) -> InlineArray<32, UInt8> {
        var record: InlineArray<32, UInt8> = .init(repeating: 0)
        let ending = Processes.slots[slot].ending
        FileCalls.store(&record, at: pidOffset, UInt64(UInt32(truncatingIfNeeded: Processes.slots[slot].pid)), bytes: 4)
        FileCalls.store(&record, at: statusOffset, UInt64(UInt32(bitPattern: Int32(truncatingIfNeeded: Processes.slots[slot].exitStatus))), bytes: 4)
        FileCalls.store(&record, at: causeOffset, UInt64(ending.cause.rawValue), bytes: 4)
        FileCalls.store(&record, at: detailOffset, UInt64(ending.detail), bytes: 4)
        FileCalls.store(&record, at: addressOffset, ending.address, bytes: 8)
        FileCalls.store(&record, at: pcOffset, ending.pc, bytes: 8)
        return record
    }

}
