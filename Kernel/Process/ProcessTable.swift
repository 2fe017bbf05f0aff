/// The process table: a fixed number of slots in memory taken from the frame
/// allocator at boot (the kernel has no heap allocation it does not ask for).
enum Processes {
    static let capacity = 64
    /// Set once by `initialize`.
    nonisolated(unsafe) private static var storage: UnsafeMutablePointer<Process>? = nil
    /// One image layout per slot (for vmmap, fault reports and the page
    /// audit), valid where the slot's `hasLayout` is set. Kept beside the
    /// table rather than as an optional in `Process`: storing, clearing or
    /// copying an optional of it copied the whole value two or three times
    /// (about 250 bytes each, a kilobyte when the layout listed its regions). `UserImageLayout` holds only plain values, so an entry
    /// is written over without being destroyed first. Written by exec and
    /// fork for the slot they build (its maker's alone, as the rest of an
    /// embryo or a process's own exec); `hasLayout` is cleared when the
    /// slot is released. Set once by `initialize`.
    nonisolated(unsafe) private static var layoutStorage: UnsafeMutablePointer<UserImageLayout>? = nil
    static var slots: UnsafeMutablePointer<Process> { storage.unsafelyUnwrapped }
    static var isReady: Bool { storage != nil }
    nonisolated(unsafe) static var nextPID = 1
    /// Slot of the first process; orphans are handed to it.
    nonisolated(unsafe) static var initSlot = -1
    /// One past the highest slot ever taken (under `lock`): every slot from
    /// here on is unused, so the scheduler's and wakeup's scans stop here.
    /// It never shrinks (`allocate` takes the lowest free slot).
    nonisolated(unsafe) static var slotsInUseBound = 0

    /// Takes frames for the table and marks every slot unused.
    static func initialize() {
        let bytes = UInt64(MemoryLayout<Process>.stride * capacity)
        let pages = (bytes + pageBytes - 1) / pageBytes
        guard let first = try? PhysicalFrames.allocator.pointee.allocateContiguous(count: pages),
            let raw = Platform.physicalMemory.pointer(to: first.address, count: pages * pageBytes)
        else { kernelPanic("no memory for the process table") }
        let table = raw.bindMemory(to: Process.self, capacity: capacity)
        for index in 0..<capacity { (table + index).initialize(to: Process()) }
        storage = table
        let layoutBytes = UInt64(MemoryLayout<UserImageLayout>.stride * capacity)
        let layoutPages = (layoutBytes + pageBytes - 1) / pageBytes
        guard let layoutFirst = try? PhysicalFrames.allocator.pointee.allocateContiguous(count: layoutPages),
            let layoutRaw = Platform.physicalMemory.pointer(to: layoutFirst.address, count: layoutPages * pageBytes)
        else { kernelPanic("no memory for the process table") }
        layoutStorage = layoutRaw.bindMemory(to: UserImageLayout.self, capacity: capacity)
        FloatingPointStates.initialize()
    }

    /// Slot of the process running on this CPU, or -1 in the scheduler.
    static var current: Int { CPUs.this.pointee.currentSlot }

    static var currentIsKilled: Bool { current >= 0 && slots[current].killed }

    /// A free slot turned into an embryo with a fresh pid, or nil when full.
    /// The slot and pid are taken under the process table's lock; the rest
    /// of an embryo belongs to its maker until it marks it runnable.
    static func allocate() -> Int? {
        Spinlock.acquire(tableLock)
        var found: Int? = nil
        for index in 0..<capacity where slots[index].state == .unused {
            slots[index].state = .embryo
            slots[index].pid = nextPID
            nextPID += 1
            slots[index].killed = false
            if index >= slotsInUseBound { slotsInUseBound = index + 1 }
            found = index
            break
        }
        Spinlock.release(tableLock)
        guard let index = found else { return nil }
        slots[index].exitStatus = 0
        slots[index].ending = ProcessEnding()
        slots[index].parent = -1
        slots[index].children = 0
        slots[index].channel = nil
        slots[index].files = .init(repeating: -1)
        slots[index].cwd = nil
        Platform.prepareKernelEntry(slot: index, context: &slots[index].context)
        // The floating-point state is set by the maker: fork copies the
        // parent's, exec resets it when it commits.
        return index
    }

    /// An embryo its maker has finished: the scheduler may run it now
    /// (the lock also makes every field written before visible to the CPU
    /// that takes it).
    static func makeRunnable(_ index: Int) {
        Spinlock.acquire(tableLock)
        slots[index].state = .runnable
        Scheduler.wakeIdleCPUs(1)
        Spinlock.release(tableLock)
    }

    /// Returns a slot to the pool: frees its address space (every user page,
    /// page-table page and per-process kernel page) and forgets it. The
    /// slot is an embryo (a failed fork, or a zombie being reaped) that only
    /// the caller touches; it becomes unused under the table's lock.
    static func release(_ index: Int) {
        freeSpaces(index)
        UserFrames.forget(slot: index)
        FloatingPointStates.forget(index)
        slots[index].hasLayout = false
        slots[index].name = .init(repeating: 0)
        Spinlock.acquire(tableLock)
        slots[index].state = .unused
        slots[index].pid = 0
        adopt(index, by: -1)
        Spinlock.release(tableLock)
    }

    /// Makes `parent` (a slot, or -1 for none) the parent of `child`, keeping
    /// both parents' `children` counts. The caller holds the table's lock.
    static func adopt(_ child: Int, by parent: Int) {
        let old = slots[child].parent
        guard old != parent else { return }
        if old >= 0 { slots[old].children -= 1 }
        if parent >= 0 { slots[parent].children += 1 }
        slots[child].parent = parent
    }

    /// Frees the slot's address spaces. Not inlined: the copies the
    /// compiler makes to drop these large values would otherwise sit in
    /// `release`'s frame, under the teardown's walk, on the kernel stack's
    /// deepest path.
    @inline(never)
    private static func freeSpaces(_ index: Int) {
        slots[index].space = nil
        slots[index].staging = nil
    }

    /// The image layout of `slot`, read in place; nil before its first exec.
    static func layout(of slot: Int) -> UnsafeMutablePointer<UserImageLayout>? {
        slots[slot].hasLayout ? layoutStorage.unsafelyUnwrapped + slot : nil
    }

    /// Gives `slot` the layout exec built for its new program.
    static func setLayout(of slot: Int, to layout: borrowing UserImageLayout) {
        (layoutStorage.unsafelyUnwrapped + slot).initialize(to: copy layout)
        slots[slot].hasLayout = true
    }

    /// Gives the child `slot` a copy of its parent's layout (fork).
    static func copyLayout(from parent: Int, to child: Int) {
        slots[child].hasLayout = slots[parent].hasLayout
        guard slots[parent].hasLayout else { return }
        (layoutStorage.unsafelyUnwrapped + child).initialize(from: layoutStorage.unsafelyUnwrapped + parent, count: 1)
    }

    /// The slot of process `pid`; the caller holds the table's lock.
    static func slot(ofPID pid: Int) -> Int? {
        for index in 0..<capacity where slots[index].state != .unused && slots[index].pid == pid { return index }
        return nil
    }

    /// Ctrl-P at the console: one line per process, `pid state name`. It
    /// only reads the table, under its lock (from the console interrupt,
    /// which comes only while this CPU holds no spinlock).
    static func printList() {
        guard isReady else { return }
        Spinlock.acquire(tableLock)
        defer { Spinlock.release(tableLock) }
        Console.newline()
        for index in 0..<capacity where slots[index].state != .unused {
            Console.write(decimal: UInt64(slots[index].pid))
            Console.write(" ")
            Console.write(slots[index].state.name)
            Console.write(" ")
            Console.writeName(slots[index].name)
            Console.newline()
        }
    }

}

extension Processes {
    /// Creates the first process from program `path`, with argv
    /// `path [argument]`; false when the file is missing or cannot load.
    static func startFirst(_ path: StaticString, argument: StaticString?) -> Bool {
        guard RootVolume.isMounted, let slot = allocate() else { return false }
        slots[slot].cwd = try? RootVolume.volume.root()
        guard slots[slot].cwd != nil, Exec.startFirst(slot: slot, path: path, argument: argument) >= 0 else {
            if let cwd = slots[slot].cwd { try? RootVolume.volume.close(cwd) }
            slots[slot].cwd = nil
            release(slot)
            return false
        }
        initSlot = slot
        makeRunnable(slot)
        return true
    }
}
