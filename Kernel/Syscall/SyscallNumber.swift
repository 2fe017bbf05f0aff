/// System-call numbers: xv6's 1 to 21 in xv6's order, so programs built for
/// xv6 run unchanged, then Swiftlet's own from 22.
enum SyscallNumber: UInt64 {
    case fork = 1, exit, wait, pipe, read, kill, exec, fstat, chdir, dup
    case getpid, sbrk, sleep, uptime, open, write, mknod, unlink, link, mkdir, close
    /// Free physical frames.
    case freeFrames = 22
    /// The calling process's memory map, as `memregion` records.
    case memoryMap = 23
    /// Kernel-heap bytes in use.
    case kernelHeap = 24
    /// Powers the machine off with a status (used by test-mode init).
    case halt = 25
    /// Instruction-counter units the CPU spent idle since boot (bench).
    case idleCount = 26
    /// wait, and how the child ended, as a `struct exitinfo` record.
    case waitInfo = 27
    /// How many CPUs run the kernel (the stress program starts one worker each).
    case cpuCount = 28
}
