/// A pipe: a ring buffer from the kernel heap between a writing end and a
/// reading end. Readers sleep while it is empty and writers while it is
/// full; closing the last writer gives readers end-of-file, closing the last
/// reader makes writes fail.
struct Pipe {
    static let capacity = 512

    var buffer: UnsafeMutablePointer<UInt8>? = nil
    /// Total bytes ever read and written; their difference is the fill level.
    var readCount: UInt64 = 0
    var writeCount: UInt64 = 0
    var readOpen = false
    var writeOpen = false

    var isFree: Bool { !readOpen && !writeOpen }
    var isEmpty: Bool { readCount == writeCount }
    var isFull: Bool { writeCount - readCount == UInt64(Pipe.capacity) }
    var filled: Int { Int(writeCount - readCount) }
}

/// Every pipe in the system has a slot in this fixed table; its buffer
/// comes from the kernel heap. Running out of either is an ordinary error
/// (pipe() returns -1), not a kernel failure.
enum Pipes {
    static let count = 16
    nonisolated(unsafe) static var table: InlineArray<16, Pipe> = .init(repeating: Pipe())

    /// A fresh pipe with both ends open, or nil when no slot or no heap
    /// memory is left.
    static func allocate() -> Int? {
        for index in 0..<count where table[index].isFree {
            guard let memory = KernelHeapArea.allocate(bytes: Pipe.capacity) else { return nil }
            table[index] = Pipe(
                buffer: memory.bindMemory(to: UInt8.self, capacity: Pipe.capacity),
                readCount: 0, writeCount: 0, readOpen: true, writeOpen: true)
            return index
        }
        return nil
    }

    /// Returns the buffer once both ends are closed.
    private static func releaseIfUnused(_ index: Int) {
        guard table[index].isFree, let buffer = table[index].buffer else { return }
        KernelHeapArea.free(UnsafeMutableRawPointer(buffer))
        table[index] = Pipe()
    }

    /// Sleep channel of a pipe's readers or writers.
    static func readChannel(_ index: Int) -> SleepChannel { SleepChannel(kind: .pipeRead, index: index) }
    static func writeChannel(_ index: Int) -> SleepChannel { SleepChannel(kind: .pipeWrite, index: index) }

    static func close(_ index: Int, writing: Bool) {
        if writing {
            table[index].writeOpen = false
            Scheduler.wakeup(readChannel(index))
        } else {
            table[index].readOpen = false
            Scheduler.wakeup(writeChannel(index))
        }
        releaseIfUnused(index)
    }

    /// Writes up to `count` bytes from user address `source`; returns bytes
    /// written or -1 (no reader left, bad address, or the writer was killed).
    /// Whatever ends the call, readers are woken once bytes went in: a
    /// sleeping reader must never be left asleep with bytes in the pipe.
    static func write(_ index: Int, from source: VirtualAddress, count: Int) -> Int {
        var written = 0
        defer { if written > 0 { Scheduler.wakeup(readChannel(index)) } }
        var chunk = KernelBuffer()
        while written < count {
            guard table[index].readOpen, !Processes.currentIsKilled else { return written > 0 ? written : -1 }
            if table[index].isFull {
                Scheduler.wakeup(readChannel(index))
                Scheduler.sleep(on: writeChannel(index))
                continue
            }
            let n = min(min(count - written, Pipe.capacity - table[index].filled), KernelBuffer.size)
            guard let address = source.adding(UInt64(written)),
                UserMemory.copyIn(from: address, into: &chunk, count: n)
            else { return written > 0 ? written : -1 }
            let buffer = table[index].buffer.unsafelyUnwrapped
            var position = table[index].writeCount
            for i in 0..<n {
                buffer[Int(position % UInt64(Pipe.capacity))] = chunk.bytes[i]
                position += 1
            }
            table[index].writeCount = position
            written += n
        }
        return written
    }

    /// Reads up to `count` bytes into user address `destination`, waiting
    /// until at least one byte is there or every writer is gone (then 0).
    /// Bytes leave the pipe only once they are in the caller's buffer: a
    /// buffer that runs into bad memory gets the bytes delivered so far, or
    /// -1 with the pipe untouched. Writers are woken once bytes came out.
    static func read(_ index: Int, into destination: VirtualAddress, count: Int) -> Int {
        while table[index].isEmpty && table[index].writeOpen {
            guard !Processes.currentIsKilled else { return -1 }
            Scheduler.sleep(on: readChannel(index))
        }
        var chunk = KernelBuffer()
        var done = 0
        defer { if done > 0 { Scheduler.wakeup(writeChannel(index)) } }
        while done < count && !table[index].isEmpty {
            let n = min(min(count - done, KernelBuffer.size), table[index].filled)
            let buffer = table[index].buffer.unsafelyUnwrapped
            let first = table[index].readCount
            for i in 0..<n { chunk.bytes[i] = buffer[Int((first + UInt64(i)) % UInt64(Pipe.capacity))] }
            guard let address = destination.adding(UInt64(done)),
                UserMemory.copyOut(to: address, from: &chunk, count: n)
            else { return done > 0 ? done : -1 }
            table[index].readCount = first + UInt64(n)
            done += n
        }
        return done
    }
}
