/// Kernel console output. Everything the kernel says goes through here, byte
/// by byte, to the architecture's console device. Turns "\n" into "\r\n"
/// because serial terminals need both.
///
/// Locking: `lock` ("console") is held for each call here, so the bytes of
/// one call are never mixed with another CPU's. Two exceptions write
/// without it: a panic (it may come from inside the console, or with the
/// lock held elsewhere), and a report from an NMI or machine check that
/// interrupted this CPU inside the console (it finds the lock held by its
/// own CPU, and waiting would never end).
enum Console {
    nonisolated(unsafe) static var lock = Spinlock("console")

    static func write(_ text: StaticString) {
        let locked = enter()
        panicWrite(text)
        leave(locked)
    }

    /// The panic path's writes (and the body of `write`): never the lock, not even in the call graph,
    /// so a lock check that panics cannot lead back into the lock code (and
    /// the stack budget's static walk sees no cycle through it).
    static func panicWrite(_ text: StaticString) {
        let start = text.utf8Start
        for index in 0..<text.utf8CodeUnitCount { emit(start[index]) }
    }

    static func panicLine(_ text: StaticString) {
        panicWrite(text)
        emit(UInt8(ascii: "\n"))
    }

    /// One byte on the panic path (a message the memory core hands over).
    static func panicPut(_ byte: UInt8) { emit(byte) }

    /// `text`, then a line break.
    static func line(_ text: StaticString) {
        write(text)
        newline()
    }

    static func newline() { put(UInt8(ascii: "\n")) }

    /// Runs `body`'s writes as one piece: another CPU's output cannot come
    /// between them (the lock is held throughout; the writes inside find it
    /// held by this CPU and do not take it again).
    static func whole(_ body: () -> Void) {
        let locked = enter()
        body()
        leave(locked)
    }

    static func write(decimal value: UInt64) { write(NumberText(decimal: value)) }
    static func write(hex value: UInt64) { write(NumberText(hex: value)) }
    static func write(_ address: PhysicalAddress) { write(hex: address.raw) }

    /// "start..end" of a range, end exclusive.
    static func write(_ range: PhysicalRange) {
        write(range.start)
        write("..")
        write(range.end)
    }

    static func write(_ number: NumberText) {
        let locked = enter()
        for index in 0..<number.count { emit(number[index]) }
        leave(locked)
    }

    static func spaces(_ count: Int) {
        let locked = enter()
        var left = count
        while left > 0 {
            emit(UInt8(ascii: " "))
            left -= 1
        }
        leave(locked)
    }

    static func put(_ byte: UInt8) {
        let locked = enter()
        emit(byte)
        leave(locked)
    }

    /// Takes the lock unless a panic runs or this CPU holds it already (see
    /// above); true when taken. Before the CPU has its record (the first
    /// instructions of x86-64's boot) nothing can run elsewhere: no lock.
    private static func enter() -> Bool {
        if panicking || !CPUs.started { return false }
        let pointer = withUnsafeMutablePointer(to: &lock) { $0 }
        if pointer.pointee.isHeldByThisCPU { return false }
        Spinlock.acquire(pointer)
        return true
    }

    private static func leave(_ locked: Bool) {
        if locked { Spinlock.release(withUnsafeMutablePointer(to: &lock) { $0 }) }
    }

    private static func emit(_ byte: UInt8) {
        if byte == UInt8(ascii: "\n") { Platform.consolePut(UInt8(ascii: "\r")) }
        Platform.consolePut(byte)
    }
}

extension Console {
    /// A NUL-padded name, such as a process name.
    static func writeName<let N: Int>(_ name: InlineArray<N, UInt8>) {
        for index in 0..<N where name[index] != 0 { put(name[index]) }
    }
}
