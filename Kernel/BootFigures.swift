/// What the boot cost, measured in the bench image at the moment the system
/// first waits for someone to type: the shell has printed its first prompt
/// and reads its input. Instructions since reset, frames the allocator has
/// handed out, and kernel-heap bytes in use then. Under QEMU's `-icount`
/// all three are the same on every run.
enum BootFigures {
    nonisolated(unsafe) private static var noted = false

    /// Prints the figures the first time it is called; later calls do nothing.
    static func noteFirstInputWait() {
        guard !noted else { return }
        noted = true
        let instructions = Platform.readInstructionCounter()
        let managed = PhysicalFrames.allocator.pointee.managedFrames
        let free = PhysicalFrames.allocator.pointee.freeFrames
        Console.newline()  // after the prompt
        Console.write("boot figures: first prompt after ")
        Console.write(decimal: instructions)
        Console.write(" instructions; ")
        Console.write(decimal: managed - free)
        Console.write(" of ")
        Console.write(decimal: managed)
        Console.write(" frames in use; ")
        Console.write(decimal: UInt64(KernelHeapStatistics.bytesInUse))
        Console.line(" kernel heap bytes in use")
    }
}
