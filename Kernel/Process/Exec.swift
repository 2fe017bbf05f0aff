/// exec: replaces a process's program with one from a file. Everything
/// is built in a new address space first; only when the program is loaded
/// and its arguments are on its stack does the new space replace the old one
/// (whose frames then all return to the allocator). A failure at any step
/// returns -1 and leaves the caller exactly as it was.
enum Exec {
    /// xv6's MAXARG; the strings must fit on the one-page stack with
    /// their pointers and alignment, as xv6 requires.
    static let maxArguments = 32
    static let argumentBytes = 3072

    /// The arguments being passed, copied out of the old program. Kernel code
    /// is never preempted, so one buffer serves every exec.
    struct Arguments {
        var strings: InlineArray<3072, UInt8> = .init(repeating: 0)
        var offsets: InlineArray<32, Int> = .init(repeating: 0)
        /// argv as the new program sees it: the user addresses of the
        /// strings on its stack, then 0 (`pushArguments` writes each entry
        /// it copies out; here rather than a local, which was cleared, 264
        /// bytes, at every exec).
        var userPointers: InlineArray<33, UInt64> = .init(repeating: 0)
        var count = 0
        var used = 0

        /// Appends one NUL-terminated argument; false when full.
        mutating func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
            guard count < Exec.maxArguments, used + bytes.count + 1 <= Exec.argumentBytes else { return false }
            offsets[count] = used
            for byte in bytes {
                strings[used] = byte
                used += 1
            }
            strings[used] = 0
            used += 1
            count += 1
            return true
        }

        /// Appends the user string at `address`; false for a bad pointer,
        /// a string without NUL, or when full.
        mutating func appendFromUser(_ address: VirtualAddress) -> Bool {
            guard count < Exec.maxArguments, used < Exec.argumentBytes else { return false }
            let start = used
            let length: Int? = withUnsafeMutableBytes(of: &strings) {
                UserMemory.copyInString(from: address, into: UnsafeMutableRawBufferPointer(rebasing: $0[start...]))
            }
            guard let length else { return false }
            offsets[count] = start
            used = start + length + 1
            count += 1
            return true
        }

        /// Forgets the arguments of the last exec. The bytes stay: each
        /// argument is read only up to its own NUL, written with it, and
        /// clearing the three kilobytes cost every exec about 600
        /// instructions.
        mutating func removeAll() {
            count = 0
            used = 0
        }

        /// Calls `body` with the bytes of argument `index` and its NUL, read
        /// in place (the arguments lie one after the other, each with its NUL).
        /// Mutating only to lend the arrays: read through a borrowed copy of
        /// the value, each read of `offsets` copied the whole array first.
        mutating func withBytes<Result>(ofArgument index: Int, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
            let start = offsets[index]
            let end = index + 1 < count ? offsets[index + 1] : used
            return withUnsafeBytes(of: &strings) { body(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
        }
    }

    /// The arguments being passed and the program's path. Static rather
    /// than local: a process's kernel stack is one page (the xv6 layout),
    /// and these are three kilobytes and more. Exec runs on the scratch
    /// stack, and only while holding its lock, so these belong to the one
    /// process holding `ScratchStack.lock` (across the disk reads it sleeps
    /// in). The load plan and image layout are locals of `load`, on the
    /// scratch stack, lent to the steps that read them: kept in static
    /// optionals, each read copied them whole (376 and then 1,088 bytes,
    /// about ten copies per exec).
    nonisolated(unsafe) static var arguments = Arguments()
    nonisolated(unsafe) static var path = PathBuffer()

    /// What to exec, handed to the scratch stack by address (it stays on
    /// the caller's kernel stack).
    struct Request {
        var slot: Int
        /// User path and argv, for the exec system call.
        var userPath = VirtualAddress(0)
        var userArgv = VirtualAddress(0)
        /// Path and one argument given by the kernel, for the first process.
        var kernelPath: StaticString? = nil
        var kernelArgument: StaticString? = nil
    }

    /// The exec system call: path and a NULL-terminated argv array, both in
    /// user memory. Returns argc (the new program's first argument) or -1.
    static func exec(path pathAddress: VirtualAddress, argv: VirtualAddress) -> Int {
        run(Request(slot: Processes.current, userPath: pathAddress, userArgv: argv))
    }

    /// Loads program `path` into the new process `slot` (not yet running)
    /// with argv `path [argument]`; argc or -1.
    static func startFirst(slot: Int, path: StaticString, argument: StaticString?) -> Int {
        run(Request(slot: slot, kernelPath: path, kernelArgument: argument))
    }

    /// Runs `request` on the scratch stack, once it is free; then, in the
    /// check images, the new page table's audit, on the scratch stack again
    /// (one after the other, never nested: together they would need more
    /// than the stack has).
    private static func run(_ request: Request) -> Int {
        var request = request
        let result = withUnsafeMutablePointer(to: &request) {
            Int(ScratchStack.run(execEntry, UInt64(UInt(bitPattern: $0))))
        }
        if result >= 0 { ProcessPageAudit.audit(slot: request.slot) }
        return result
    }

    /// The body of exec, on the scratch stack (holding its lock).
    fileprivate static func execOnScratchStack(_ request: Request) -> Int {
        arguments.removeAll()
        // `path` is not cleared: `set` and `copyIn` below write all of it
        // that is read (its length, the bytes up to it).
        if let kernelPath = request.kernelPath {
            guard path.set(kernelPath),
                arguments.append(UnsafeRawBufferPointer(start: kernelPath.utf8Start, count: kernelPath.utf8CodeUnitCount))
            else { return -1 }
            if let argument = request.kernelArgument {
                guard arguments.append(UnsafeRawBufferPointer(start: argument.utf8Start, count: argument.utf8CodeUnitCount))
                else { return -1 }
            }
        } else {
            guard path.copyIn(from: request.userPath) != nil, copyArguments(request.userArgv) else { return -1 }
        }
        guard var file = ProgramFiles.open(path, slot: request.slot) else { return -1 }
        return load(slot: request.slot, file: &file)
    }

    /// Copies the NULL-terminated argv array at `argv` into `arguments`;
    /// false for a bad pointer or too many or too long arguments.
    private static func copyArguments(_ argv: VirtualAddress) -> Bool {
        for index in 0...maxArguments {
            guard let slotAddress = argv.adding(UInt64(index * 8)) else { return false }
            var pointer: UInt64 = 0
            let copied = withUnsafeMutableBytes(of: &pointer) { UserMemory.copyIn(from: slotAddress, into: $0) }
            guard copied else { return false }
            if pointer == 0 { return true }
            guard index < maxArguments, arguments.appendFromUser(VirtualAddress(pointer)) else { return false }
        }
        return false
    }

    /// Loads `file` into process `slot` with `arguments`; argc or -1.
    private static func load(slot: Int, file: inout ProgramFile) -> Int {
        // Not `try?`: the optionals it makes are copied whole to be unwrapped.
        let plan: LoadPlan
        let layout: UserImageLayout
        do throws(ElfError) {
            plan = try ElfLoader.plan(source: &file, machine: Platform.elfMachine, rules: Platform.userRules)
        } catch {
            return -1
        }
        do throws(UserLayoutError) {
            layout = try Platform.userImageLayout(for: plan)
        } catch {
            return -1
        }
        do throws(MapError) {
            Processes.slots[slot].staging = try ProcessSpace(
                memory: Platform.physicalMemory, frames: PhysicalFrames.allocator,
                userWindow: Platform.userWindow)
        } catch {
            return -1
        }
        let pid = Processes.slots[slot].pid
        guard
            let (stackPointer, argv, frame) = build(
                &Processes.slots[slot].staging!, slot: slot, pid: pid, file: &file, plan: plan, layout: layout)
        else {
            Processes.slots[slot].staging = nil  // frees everything built so far
            return -1
        }
        // Commit: the old space (if any) is dropped here and frees itself.
        Platform.willReplaceSpace(slot: slot, with: Processes.slots[slot].staging!)
        Processes.slots[slot].commitStagedSpace()
        DebuggerOffsets.measure(&Processes.slots[slot].space!)
        FloatingPointStates.reset(slot)
        UserFrames.remember(slot: slot, frame)
        Processes.setLayout(of: slot, to: layout)
        path.withLastComponent { Processes.slots[slot].setName($0) }
        UserFrames.of(slot).pointee.start(
            entry: plan.entry, stack: stackPointer,
            argc: UInt64(arguments.count), argv: argv)
        return arguments.count
    }

    /// Fills a new address space: per-process kernel pages, the program,
    /// the stack with the arguments, the heap start, the layout's own pages.
    /// Returns the initial stack pointer, argv and the space's user frame, or nil.
    private static func build(
        _ space: inout ProcessSpace, slot: Int, pid: Int,
        file: inout ProgramFile, plan: borrowing LoadPlan, layout: borrowing UserImageLayout
    ) -> (VirtualAddress, VirtualAddress, UnsafeMutablePointer<Platform.UserFrame>)? {
        guard let frame = Platform.prepareProcessSpace(&space, slot: slot),
            loadSegments(from: &file, into: &space, plan: plan),
            let result = pushArguments(into: &space, layout: layout),
            (try? space.setHeapStart(layout.heapStart)) != nil,
            Platform.finishImage(&space, plan: plan, layout: layout, pid: pid)
        else { return nil }
        return (result.0, result.1, frame)
    }

    /// Reads the segments from `file` straight into fresh pages of `space`.
    private static func loadSegments(
        from file: inout ProgramFile, into space: inout ProcessSpace, plan: borrowing LoadPlan
    ) -> Bool {
        (try? space.loadImage(plan, from: &file)) != nil
    }

    /// Maps the stack and writes argv strings and the argv array on it
    /// (16-byte aligned, as the calling conventions want). Returns the new
    /// stack pointer and argv's address.
    private static func pushArguments(
        into space: inout ProcessSpace, layout: borrowing UserImageLayout
    ) -> (VirtualAddress, VirtualAddress)? {
        let stack = layout.stack
        guard (try? space.mapUserPages(stack, permissions: .readWrite)) != nil else { return nil }
        space.stackReserve = layout.stackReserve
        var top = stack.end.raw
        for index in 0..<arguments.count {
            let stored: Bool = arguments.withBytes(ofArgument: index) { argument in
                top = (top - UInt64(argument.count)) & ~15
                guard top >= stack.start.raw else { return false }
                return (try? space.copyOut(to: VirtualAddress(top), from: argument)) != nil
            }
            guard stored else { return nil }
            arguments.userPointers[index] = top
        }
        arguments.userPointers[arguments.count] = 0
        let arrayBytes = UInt64(arguments.count + 1) * 8
        top = (top - arrayBytes) & ~15
        guard top >= stack.start.raw else { return nil }
        let stored: Bool = withUnsafeBytes(of: &arguments.userPointers) { bytes in
            (try? space.copyOut(to: VirtualAddress(top), from: UnsafeRawBufferPointer(rebasing: bytes[0..<Int(arrayBytes)]))) != nil
        }
        guard stored else { return nil }
        return (VirtualAddress(top), VirtualAddress(top))
    }
}

/// Entry of exec on the scratch stack: the argument is the address of an
/// `Exec.Request` on the caller's kernel stack.
@_cdecl("swiftlet_exec")
func execEntry(_ requestAddress: UInt64) -> Int64 {
    let request = UnsafePointer<Exec.Request>(bitPattern: UInt(requestAddress)).unsafelyUnwrapped.pointee
    return Int64(Exec.execOnScratchStack(request))
}
