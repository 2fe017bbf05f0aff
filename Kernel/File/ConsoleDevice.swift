/// The console as a file: writes go to the console device, reads return one
/// line of typed input at a time. A reader edits the line as bytes arrive
/// from the input interrupt's ring: echo, backspace, Ctrl-U (erase the
/// line), Enter, Ctrl-D. (Ctrl-P never gets here: `ConsoleInput` answers it
/// at once, whoever reads.)
enum ConsoleDevice {
    static let lineCapacity = 128
    /// The line being typed; it is handed to a reader when Enter completes it.
    nonisolated(unsafe) static var line: InlineArray<128, UInt8> = .init(repeating: 0)
    nonisolated(unsafe) static var lineLength = 0
    nonisolated(unsafe) static var lineComplete = false
    /// Bytes of a completed line already handed out.
    nonisolated(unsafe) static var lineRead = 0

    static let inputChannel = SleepChannel(kind: .consoleInput, index: 0)

    /// Writes `count` bytes from user address `source`, a chunk at a time.
    /// Between chunks the writer gives way (`Scheduler.preemptionPoint`), so
    /// a large write cannot hold the machine, and stops once it is killed;
    /// it returns the bytes written, or -1 if none could be.
    static func write(from source: VirtualAddress, count: Int) -> Int {
        var chunk = KernelBuffer()
        var done = 0
        while done < count {
            if done > 0 {
                Scheduler.preemptionPoint()
                guard !Processes.currentIsKilled else { return done }
            }
            let n = min(count - done, KernelBuffer.size)
            guard let address = source.adding(UInt64(done)),
                UserMemory.copyIn(from: address, into: &chunk, count: n)
            else { return done > 0 ? done : -1 }
            for i in 0..<n { Console.put(chunk.bytes[i]) }
            done += n
        }
        return done
    }

    /// Takes one typed byte into the line being edited.
    static func receive(_ byte: UInt8) {
        guard !lineComplete else { return }  // a full line waits for its reader
        switch byte {
        case UInt8(ascii: "\r"), UInt8(ascii: "\n"):
            Console.newline()
            append(UInt8(ascii: "\n"))
            lineComplete = true
        case 0x7F, 0x08:
            if lineLength > 0 {
                lineLength -= 1
                Console.write("\u{8} \u{8}")
            }
        case 0x04:  // Ctrl-D: end of input, hands over what was typed
            lineComplete = true
        case 0x15:  // Ctrl-U: erases the line being typed
            while lineLength > 0 {
                lineLength -= 1
                Console.write("\u{8} \u{8}")
            }
        default:
            Console.put(byte)
            append(byte)
            if lineLength == lineCapacity { lineComplete = true }
        }
    }

    private static func append(_ byte: UInt8) {
        if lineLength < lineCapacity {
            line[lineLength] = byte
            lineLength += 1
        }
    }

    /// Waits for a complete line and copies up to `count` bytes of it.
    static func read(into destination: VirtualAddress, count: Int) -> Int {
        while !lineComplete {
            guard !Processes.currentIsKilled else { return -1 }
            if let byte = ConsoleInput.take() {
                receive(byte)
            } else if BootMode.current == .bench {
                // Nobody types at the bench image: the first wait for input
                // ends the boot it measures, and the reader gets end of input.
                BootFigures.noteFirstInputWait()
                return 0
            } else {
                Scheduler.sleep(on: inputChannel)
            }
        }
        var chunk = KernelBuffer()
        let n = min(min(count, lineLength - lineRead), KernelBuffer.size)
        for i in 0..<n { chunk.bytes[i] = line[lineRead + i] }
        guard UserMemory.copyOut(to: destination, from: &chunk, count: n) else { return -1 }
        lineRead += n
        if lineRead == lineLength {
            lineLength = 0
            lineRead = 0
            lineComplete = false
        }
        return n
    }
}
