/// System-call dispatch. Arguments come from the user registers saved at the
/// trap; every pointer is checked by `UserMemory` before the kernel touches
/// it, and any bad argument makes the call return -1.
enum Syscalls {
    /// Performs the call whose number and arguments are in `frame`, the
    /// current process's saved registers, and stores its result there.
    static func dispatch(_ frame: UnsafeMutablePointer<Platform.UserFrame>) {
        let result: Int
        if let number = SyscallNumber(rawValue: frame.pointee.syscallNumber) {
            result = perform(number, frame)
        } else {
            result = -1
        }
        // Fetched again: exec replaces the address space, and the frame with it.
        UserFrames.of(Processes.current).pointee.result = UInt64(bitPattern: Int64(result))
    }

    private static func perform(_ number: SyscallNumber, _ frame: UnsafeMutablePointer<Platform.UserFrame>) -> Int {
        let a0 = frame.pointee.argument(0)
        let a1 = frame.pointee.argument(1)
        let a2 = frame.pointee.argument(2)
        switch number {
        case .fork: return Lifecycle.fork()
        case .exit: Lifecycle.exit(status: Int(Int32(truncatingIfNeeded: a0)))
        case .wait: return Lifecycle.wait(statusAddress: VirtualAddress(a0))
        case .pipe: return FileCalls.pipe(VirtualAddress(a0))
        case .read: return FileCalls.read(fd: a0, VirtualAddress(a1), count: a2)
        case .kill: return Lifecycle.kill(pid: Int(Int32(truncatingIfNeeded: a0))) ? 0 : -1
        case .exec: return Exec.exec(path: VirtualAddress(a0), argv: VirtualAddress(a1))
        case .fstat: return FileCalls.fstat(fd: a0, VirtualAddress(a1))
        case .chdir: return FileCalls.chdir(VirtualAddress(a0))
        case .dup: return FileCalls.dup(fd: a0)
        case .getpid: return Processes.slots[Processes.current].pid
        case .sbrk: return MemoryCalls.sbrk(Int64(Int32(truncatingIfNeeded: a0)))
        case .sleep: return Clock.sleep(ticks: Int64(Int32(truncatingIfNeeded: a0)))
        case .uptime: return Int(Clock.ticks)
        case .open: return FileCalls.open(VirtualAddress(a0), flags: a1)
        case .write: return FileCalls.write(fd: a0, VirtualAddress(a1), count: a2)
        case .mknod: return FileCalls.mknod(VirtualAddress(a0), major: a1, minor: a2)
        case .unlink: return FileCalls.unlink(VirtualAddress(a0))
        case .link: return FileCalls.link(VirtualAddress(a0), VirtualAddress(a1))
        case .mkdir: return FileCalls.mkdir(VirtualAddress(a0))
        case .close: return FileCalls.close(fd: a0)
        case .freeFrames: return Int(PhysicalFrames.freeFrames)
        case .memoryMap: return MemoryCalls.memoryMap(VirtualAddress(a0), max: a1)
        case .kernelHeap: return KernelHeapStatistics.bytesInUse
        case .idleCount: return Int(truncatingIfNeeded: Scheduler.idleCount)
        case .halt: return Lifecycle.halt(status: a0)
        case .waitInfo: return Lifecycle.waitInfo(infoAddress: VirtualAddress(a0))
        case .cpuCount: return CPUs.runningCount
        }
    }
}
