/// exec: replaces a process's program with one from the archive. Everything
/// is built in a new address space first; only when the program is loaded
/// and its arguments are on its stack does the new space replace the old one
/// (whose frames then all return to the allocator). A failure at any step
/// returns -1 and leaves the caller exactly as it was.
enum Exec {
    static let maxArguments = 16
    static let argumentBytes = 1024

    /// The arguments being passed, copied out of the old program. Kernel code
    /// is never preempted, so one buffer serves every exec.
    struct Arguments {
        var strings: InlineArray<1024, UInt8> = .init(repeating: 0)
        var offsets: InlineArray<16, Int> = .init(repeating: 0)
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

        /// Length of argument `index`, without its NUL.
        func length(_ index: Int) -> Int {
            var end = offsets[index]
            while strings[end] != 0 { end += 1 }
            return end - offsets[index]
        }
    }

    nonisolated(unsafe) static var arguments = Arguments()

    /// The exec system call: path and a NULL-terminated argv array, both in
    /// user memory. Returns argc (the new program's first argument) or -1.
    static func exec(path pathAddress: VirtualAddress, argv: VirtualAddress) -> Int {
        var path = PathBuffer()
        guard path.copyIn(from: pathAddress) != nil, let file = Archive.index(of: path.storage) else { return -1 }
        arguments = Arguments()
        var chunk = PathBuffer()
        for index in 0...maxArguments {
            var pointerBytes: InlineArray<8, UInt8> = .init(repeating: 0)
            guard let slotAddress = argv.adding(UInt64(index * 8)) else { return -1 }
            let copied = withUnsafeMutableBytes(of: &pointerBytes) { UserMemory.copyIn(from: slotAddress, into: $0) }
            guard copied else { return -1 }
            let pointer = withUnsafeBytes(of: &pointerBytes) { $0.load(as: UInt64.self) }
            if pointer == 0 { break }
            guard index < maxArguments, let length = chunk.copyIn(from: VirtualAddress(pointer)) else { return -1 }
            let appended = withUnsafeBytes(of: &chunk.storage) { arguments.append(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
            guard appended else { return -1 }
        }
        return load(slot: Processes.current, file: file)
    }

    /// Loads archive file `file` into process `slot` with `arguments`.
    static func load(slot: Int, file: Int) -> Int {
        let bytes = Archive.file(at: file)
        let plan: LoadPlan
        let layout: UserImageLayout
        do throws(ElfError) {
            plan = try ElfLoader.plan(file: bytes, machine: Platform.elfMachine, rules: Platform.userRules)
        } catch {
            return -1
        }
        do throws(UserLayoutError) {
            layout = try Platform.userImageLayout(for: plan)
        } catch {
            return -1
        }
        let created: ProcessSpace?
        do throws(MapError) {
            created = try ProcessSpace(memory: Platform.physicalMemory, frames: PhysicalFrames.allocator,
                                       userWindow: Platform.userWindow)
        } catch {
            created = nil
        }
        guard var space = created else { return -1 }
        guard Platform.prepareProcessSpace(&space, slot: slot),
              loadSegments(plan, from: bytes, into: &space),
              let (stackPointer, argv) = pushArguments(layout: layout, into: &space),
              (try? space.setHeapStart(layout.heapStart)) != nil,
              Platform.finishImage(&space, plan: plan, layout: layout, pid: Processes.slots[slot].pid)
        else { return -1 }

        // Commit: the old space (if any) is dropped here and frees itself.
        Processes.slots[slot].space = consume space
        Processes.slots[slot].layout = layout
        Processes.slots[slot].setName(Archive.name(at: file))
        Platform.userFrame(slot).pointee.start(entry: plan.entry, stack: stackPointer,
                                               argc: UInt64(arguments.count), argv: argv)
        return arguments.count
    }

    /// Copies the segments into freshly mapped pages of `space`.
    private static func loadSegments(_ plan: LoadPlan, from file: UnsafeRawBufferPointer, into space: inout ProcessSpace) -> Bool {
        withUnsafeMutablePointer(to: &space) { pointer in
            var sink = SpaceSink(space: pointer)
            do throws(ElfCopyError<MapError>) {
                try plan.copySegments(from: file, into: &sink)
                return true
            } catch {
                return false
            }
        }
    }

    /// Maps the stack and writes argv strings and the argv array on it
    /// (16-byte aligned, as the calling conventions want). Returns the new
    /// stack pointer and argv's address.
    private static func pushArguments(layout: UserImageLayout, into space: inout ProcessSpace) -> (VirtualAddress, VirtualAddress)? {
        guard (try? space.mapUserPages(layout.stack, permissions: .readWrite)) != nil else { return nil }
        var top = layout.stackTop.raw
        var pointers: InlineArray<17, UInt64> = .init(repeating: 0)
        for index in 0..<arguments.count {
            let length = arguments.length(index)
            top = (top - UInt64(length + 1)) & ~15
            guard top >= layout.stack.start.raw else { return nil }
            let stored: Bool = withUnsafeBytes(of: &arguments.strings) { strings in
                let slice = UnsafeRawBufferPointer(rebasing: strings[arguments.offsets[index]..<(arguments.offsets[index] + length + 1)])
                return (try? space.copyOut(to: VirtualAddress(top), from: slice)) != nil
            }
            guard stored else { return nil }
            pointers[index] = top
        }
        let arrayBytes = UInt64(arguments.count + 1) * 8
        top = (top - arrayBytes) & ~15
        guard top >= layout.stack.start.raw else { return nil }
        let stored: Bool = withUnsafeBytes(of: &pointers) { bytes in
            (try? space.copyOut(to: VirtualAddress(top), from: UnsafeRawBufferPointer(rebasing: bytes[0..<Int(arrayBytes)]))) != nil
        }
        guard stored else { return nil }
        return (VirtualAddress(top), VirtualAddress(top))
    }
}

/// Lets the ELF loader write a program into a new address space: each page
/// is mapped (zeroed, user, with the segment's permissions) when the loader
/// begins it, then filled through the kernel's view of the frame.
struct SpaceSink: ElfImageSink {
    typealias Failure = MapError
    let space: UnsafeMutablePointer<ProcessSpace>

    mutating func beginPage(_ page: VirtualAddress, permissions: PagePermissions) throws(MapError) {
        try space.pointee.mapUserPages(VirtualRange(start: page, size: pageBytes)!, permissions: permissions)
    }

    mutating func write(to address: VirtualAddress, bytes: UnsafeRawBufferPointer) throws(MapError) {
        do throws(CopyError) {
            try space.pointee.storeUserBytes(at: address, from: bytes)
        } catch {
            throw .notMapped
        }
    }

    mutating func zero(at address: VirtualAddress, count: UInt64) throws(MapError) {
        do throws(CopyError) {
            try space.pointee.zeroUserBytes(at: address, count: count)
        } catch {
            throw .notMapped
        }
    }
}
