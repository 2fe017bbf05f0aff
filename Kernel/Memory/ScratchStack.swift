/// A larger stack for kernel work that handles kilobyte-sized values (an
/// ELF load plan, a process image layout, a layout table): loading a program
/// in exec, reporting a fault, listing a memory map. A process's kernel
/// stack is one page on RISC-V (the xv6 layout), too small for those.
///
/// Work on this stack may sleep (exec reads the program from disk), so the
/// stack belongs to one process at a time: `run` takes `lock`, a sleep lock,
/// and another process that needs the stack sleeps until it is free. The
/// lock also guards the static buffers only that work uses (exec's
/// arguments, plan and layout). Nesting is refused: the lock panics when its
/// holder takes it again.
///
/// The stack is the architecture's (`Platform.scratchStack`), above an
/// unmapped guard page in the layout: x86-64 uses a slot of its interrupt
/// stacks, RISC-V a stack of the image's guarded stacks (stacks.S).
/// Running off its end faults on the guard and panics naming it.
enum ScratchStack {
    /// Held by the process running on the scratch stack, across its sleeps.
    nonisolated(unsafe) static var lock = SleepLock(SleepChannel(kind: .sleepLock, index: SleepChannel.scratchStackLock))

    /// Whether the current process (or the boot code) is running on the stack.
    static var inUse: Bool { lock.isHeldByCurrent }

    /// Runs `function(argument)` on the scratch stack and returns its result,
    /// waiting first while another process has the stack.
    static func run(_ function: @convention(c) (UInt64) -> Int64, _ argument: UInt64) -> Int64 {
        let stackLock = withUnsafeMutablePointer(to: &lock) { $0 }
        SleepLock.acquire(stackLock)
        guard let guarded = Platform.scratchStack else { kernelPanic("the scratch stack is used before the boot placed it") }
        let top = guarded.baseAddress.unsafelyUnwrapped + guarded.count
        let result = callOnStack(argument, unsafeBitCast(function, to: UnsafeRawPointer.self), top)
        SleepLock.release(stackLock)
        return Int64(bitPattern: result)
    }
}
