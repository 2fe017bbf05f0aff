/// A pipe: a fixed ring buffer between a writing end and a reading end.
/// Readers sleep while it is empty and writers while it is full; closing the
/// last writer gives readers end-of-file, closing the last reader makes
/// writes fail.
struct Pipe {
    static let capacity = 512

    var buffer: InlineArray<512, UInt8> = .init(repeating: 0)
    /// Total bytes ever read and written; their difference is the fill level.
    var readCount: UInt64 = 0
    var writeCount: UInt64 = 0
    var readOpen = false
    var writeOpen = false

    var isFree: Bool { !readOpen && !writeOpen }
    var isEmpty: Bool { readCount == writeCount }
    var isFull: Bool { writeCount - readCount == UInt64(Pipe.capacity) }

    mutating func put(_ byte: UInt8) {
        buffer[Int(writeCount % UInt64(Pipe.capacity))] = byte
        writeCount += 1
    }

    mutating func take() -> UInt8 {
        let byte = buffer[Int(readCount % UInt64(Pipe.capacity))]
        readCount += 1
        return byte
    }
}

/// Every pipe in the system lives in this fixed table; running out is an
/// ordinary error (pipe() returns -1), not a kernel failure.
enum Pipes {
    static let count = 16
    nonisolated(unsafe) static var table: InlineArray<16, Pipe> = .init(repeating: Pipe())

    /// A fresh pipe with both ends open, or nil when all are in use.
    static func allocate() -> Int? {
        for index in 0..<count where table[index].isFree {
            table[index] = Pipe()
            table[index].readOpen = true
            table[index].writeOpen = true
            return index
        }
        return nil
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
    }

    /// Writes up to `count` bytes from user address `source`; returns bytes
    /// written or -1 (no reader left, bad address, or the writer was killed).
    static func write(_ index: Int, from source: VirtualAddress, count: Int) -> Int {
        var written = 0
        var chunk = KernelBuffer()
        while written < count {
            guard table[index].readOpen, !Processes.currentIsKilled else { return written > 0 ? written : -1 }
            if table[index].isFull {
                Scheduler.wakeup(readChannel(index))
                Scheduler.sleep(on: writeChannel(index))
                continue
            }
            let space = Pipe.capacity - Int(table[index].writeCount - table[index].readCount)
            let n = min(min(count - written, space), KernelBuffer.size)
            guard let address = source.adding(UInt64(written)),
                  UserMemory.copyIn(from: address, into: &chunk, count: n) else { return -1 }
            // The bytes go into a copy that is stored back whole: a loop of
            // mutating calls on `table[index]` itself compiled (Swift 6.3, -Osize)
            // to a single store of the last byte.
            var pipe = table[index]
            for i in 0..<n { pipe.put(chunk.bytes[i]) }
            table[index] = pipe
            written += n
        }
        Scheduler.wakeup(readChannel(index))
        return written
    }

    /// Reads up to `count` bytes into user address `destination`, waiting
    /// until at least one byte is there or every writer is gone (then 0).
    static func read(_ index: Int, into destination: VirtualAddress, count: Int) -> Int {
        while table[index].isEmpty && table[index].writeOpen {
            guard !Processes.currentIsKilled else { return -1 }
            Scheduler.sleep(on: readChannel(index))
        }
        var chunk = KernelBuffer()
        var done = 0
        while done < count && !table[index].isEmpty {
            let n = min(min(count - done, KernelBuffer.size), Int(table[index].writeCount - table[index].readCount))
            var pipe = table[index]  // as in `write`
            for i in 0..<n { chunk.bytes[i] = pipe.take() }
            table[index] = pipe
            guard let address = destination.adding(UInt64(done)),
                  UserMemory.copyOut(to: address, from: &chunk, count: n) else { return -1 }
            done += n
        }
        Scheduler.wakeup(writeChannel(index))
        return done
    }
}
