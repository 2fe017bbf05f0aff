/// System-call dispatch. Arguments come from the user registers saved at the
/// trap; every pointer is checked by `UserMemory` before the kernel touches
/// it, and any bad argument makes the call return -1.
enum Syscalls {
    /// Performs the call whose number and arguments are in `frame`, the
    /// current process's saved registers, and stores its result there.
    static func dispatch(_ frame: UnsafeMutablePointer<Platform.UserFrame>) {
        let result = perform(frame.pointee.syscallNumber, frame)
        // Fetched again: exec replaces the address space, and the frame with it.
        UserFrames.of(Processes.current).pointee.result = UInt64(bitPattern: Int64(result))
    }

    /// The switch is on the raw number, each case spelled by its
    /// `SyscallNumber` (the one list of numbers): the compiler makes it one
    /// indexed jump, with no conversion to the enum first; an unknown
    /// number is -1. The compiler cannot see a missing case here, so
    /// Tests/User/abi_copies_test.py checks that every `SyscallNumber` has one.
    private static func perform(_ number: UInt64, _ frame: UnsafeMutablePointer<Platform.UserFrame>) -> Int {
        let a0 = frame.pointee.argument(0)
        let a1 = frame.pointee.argument(1)
        let a2 = frame.pointee.argument(2)
        switch number {
        case SyscallNumber.fork.rawValue: return Lifecycle.fork()
        case SyscallNumber.exit.rawValue: Lifecycle.exit(status: Int(Int32(truncatingIfNeeded: a0)))
        case SyscallNumber.wait.rawValue: return Lifecycle.wait(statusAddress: VirtualAddress(a0))
        case SyscallNumber.pipe.rawValue: return FileCalls.pipe(VirtualAddress(a0))
        case SyscallNumber.read.rawValue: return FileCalls.read(fd: a0, VirtualAddress(a1), count: a2)
        case SyscallNumber.kill.rawValue: return Lifecycle.kill(pid: Int(Int32(truncatingIfNeeded: a0))) ? 0 : -1
        case SyscallNumber.exec.rawValue: return Exec.exec(path: VirtualAddress(a0), argv: VirtualAddress(a1))
        case SyscallNumber.fstat.rawValue: return FileCalls.fstat(fd: a0, VirtualAddress(a1))
        case SyscallNumber.chdir.rawValue: return FileCalls.chdir(VirtualAddress(a0))
        case SyscallNumber.dup.rawValue: return FileCalls.dup(fd: a0)
        case SyscallNumber.getpid.rawValue: return Processes.slots[Processes.current].pid
        case SyscallNumber.sbrk.rawValue: return MemoryCalls.sbrk(Int64(Int32(truncatingIfNeeded: a0)))
        case SyscallNumber.sleep.rawValue: return Clock.sleep(ticks: Int64(Int32(truncatingIfNeeded: a0)))
        case SyscallNumber.uptime.rawValue: return Int(Clock.ticks)
        case SyscallNumber.open.rawValue: return FileCalls.open(VirtualAddress(a0), flags: a1)
        case SyscallNumber.write.rawValue: return FileCalls.write(fd: a0, VirtualAddress(a1), count: a2)
        case SyscallNumber.mknod.rawValue: return FileCalls.mknod(VirtualAddress(a0), major: a1, minor: a2)
        case SyscallNumber.unlink.rawValue: return FileCalls.unlink(VirtualAddress(a0))
        case SyscallNumber.link.rawValue: return FileCalls.link(VirtualAddress(a0), VirtualAddress(a1))
        case SyscallNumber.mkdir.rawValue: return FileCalls.mkdir(VirtualAddress(a0))
        case SyscallNumber.close.rawValue: return FileCalls.close(fd: a0)
        case SyscallNumber.freeFrames.rawValue: return Int(PhysicalFrames.freeFrames)
        case SyscallNumber.memoryMap.rawValue: return MemoryCalls.memoryMap(VirtualAddress(a0), max: a1)
        case SyscallNumber.kernelHeap.rawValue: return KernelHeapStatistics.bytesInUse
        case SyscallNumber.idleCount.rawValue: return Int(truncatingIfNeeded: Scheduler.idleCount)
        case SyscallNumber.halt.rawValue: return Lifecycle.halt(status: a0)
        case SyscallNumber.waitInfo.rawValue: return Lifecycle.waitInfo(infoAddress: VirtualAddress(a0))
        case SyscallNumber.cpuCount.rawValue: return CPUs.running
        default: return -1
        }
    }
}
