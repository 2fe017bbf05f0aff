/// The life of a process slot.
enum ProcessState: Equatable {
    case unused
    /// Being built by fork or the first-process setup; not yet schedulable.
    case embryo
    case sleeping
    case runnable
    case running
    /// Exited, waiting for its parent to collect the status.
    case zombie

    /// For the Ctrl-P process list.
    var name: StaticString {
        switch self {
        case .unused: return "unused"
        case .embryo: return "embryo"
        case .sleeping: return "sleeping"
        case .runnable: return "runnable"
        case .running: return "running"
        case .zombie: return "zombie"
        }
    }
}

/// The memory of a process: its page table and every frame it owns.
typealias ProcessSpace = AddressSpace<Platform.Paging, Platform.Memory>

/// One process. It owns its address space (user pages, page-table pages, and
/// the per-process kernel pages the architecture maps into it), so dropping
/// the space when the process is reaped returns every frame.
struct Process: ~Copyable {
    static let maxOpenFiles = 16
    static let nameLength = 16

    var state: ProcessState = .unused
    var pid = 0
    /// Slot of the parent process, or -1.
    var parent = -1
    /// How many slots name this one as `parent`, so that exit and wait stop
    /// looking once they have seen them all (or do not look at all). Kept
    /// with `parent`, under the process table's lock (`Processes.adopt`).
    var children = 0
    var killed = false
    var exitStatus = 0
    /// How it ended (exit, kill, or the fault that killed it), for waitinfo.
    var ending = ProcessEnding()
    var channel: SleepChannel? = nil
    var name: InlineArray<16, UInt8> = .init(repeating: 0)
    /// Whoever replaces or drops it calls `UserFrames.forget(slot:)`.
    var space: ProcessSpace? = nil
    /// The address space exec is building; it replaces `space` only when
    /// the new program is completely loaded. (Kept here rather than in a
    /// local: a force unwrap near a live generic ~Copyable local crashes the
    /// Embedded compiler of Swift 6.3, see KernelMain.startPaging.)
    var staging: ProcessSpace? = nil
    /// Whether exec has put the program's regions in the slot's entry of
    /// the layouts kept beside the table (read through `Processes.layout(of:)`).
    var hasLayout = false
    /// Saved kernel registers while the process is switched out.
    var context = KernelContext()
    /// The current directory: a counted inode reference, taken by fork
    /// (a second reference to the parent's) and chdir, given back at exit.
    /// nil only before the first process gets the root, or without a disk.
    var cwd: InodeReference? = nil
    /// Per-descriptor index into the open-file table, -1 when closed.
    var files: InlineArray<16, Int16> = .init(repeating: -1)

    init() {}

    /// Makes the space exec staged the process's own and drops the old one
    /// (whose frames return to the allocator). Moved in place: swapping
    /// the two optionals and clearing `staging` copied the space whole
    /// four times.
    mutating func commitStagedSpace() {
        space = staging.take()
    }

    mutating func setName(_ bytes: UnsafeRawBufferPointer) {
        name = .init(repeating: 0)
        for i in 0..<min(bytes.count, Process.nameLength - 1) { name[i] = bytes[i] }
    }
}
