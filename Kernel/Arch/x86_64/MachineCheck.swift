/// Non-maskable interrupts: a watchdog, a parity or I/O-check line, or the
/// hypervisor's "nmi" command. Nothing the kernel is doing needs stopping
/// for one, wherever it lands: one console line, then the interrupted code
/// (user or kernel) goes on. It runs on its own IST stack, and the processor
/// holds off further NMIs until its iretq.
enum NonMaskableInterrupt {
    /// System control port B: bit 7 memory parity (SERR#), bit 6 I/O check.
    private static let controlPortB: UInt16 = 0x61

    static func taken(_ frame: UnsafeMutablePointer<TrapFrame>) {
        let reason = inb(controlPortB)
        Console.newline()
        Console.write("nmi: taken in ")
        if frame.pointee.fromUserMode {
            Console.write("user mode (pid ")
            Console.write(decimal: UInt64(Processes.slots[Processes.current].pid))
            Console.write(")")
        } else {
            Console.write("kernel mode")
        }
        Console.write(" at rip ")
        Console.write(hex: frame.pointee.rip)
        Console.write(", port 0x61 = ")
        Console.write(hex: UInt64(reason))
        Console.line("; continuing")
    }
}

/// Machine checks: the processor found a hardware error it could not
/// correct. When it says the interrupted program can go on (MCG_STATUS.RIPV)
/// and that program is a process, only that process has lost: it is killed
/// with the usual report and the kernel continues. Otherwise the kernel
/// cannot trust its own state and panics, saying why.
enum MachineCheck {
    private static let capabilities: UInt32 = 0x179
    private static let globalStatus: UInt32 = 0x17A
    private static let globalControl: UInt32 = 0x17B
    private static let bankControlBase: UInt32 = 0x400

    /// MCG_STATUS: the restart address is valid; the error address is; a
    /// machine check is in progress.
    private static let restartValid: UInt64 = 1 << 0
    private static let inProgress: UInt64 = 1 << 2

    private static var bankCount: UInt32 { UInt32(readMSR(capabilities) & 0xFF) }

    /// Every bank reports every kind of error, and starts with a clean status.
    static func enableReporting() {
        if readMSR(capabilities) & 1 << 8 != 0 { writeMSR(globalControl, ~0) }
        for bank in 0..<bankCount {
            writeMSR(bankControlBase + 4 * bank, ~0)
            writeMSR(bankControlBase + 4 * bank + 1, 0)
        }
    }

    /// True when the process in user mode can be killed and everything else
    /// continues; the banks are logged and cleared either way.
    static func recoverable(_ frame: UnsafeMutablePointer<TrapFrame>) -> Bool {
        let status = readMSR(globalStatus)
        Console.newline()
        Console.write("machine check: MCG_STATUS ")
        Console.write(hex: status)
        for bank in 0..<bankCount {
            let bankStatus = readMSR(bankControlBase + 4 * bank + 1)
            guard bankStatus >> 63 != 0 else { continue }
            Console.write(", bank ")
            Console.write(decimal: UInt64(bank))
            Console.write(" status ")
            Console.write(hex: bankStatus)
            writeMSR(bankControlBase + 4 * bank + 1, 0)
        }
        Console.newline()
        let canResume = status & restartValid != 0 && frame.pointee.fromUserMode
        if canResume { writeMSR(globalStatus, status & ~inProgress) }
        return canResume
    }

    /// A machine check the kernel cannot survive.
    static func fatal(_ frame: UnsafeMutablePointer<TrapFrame>) -> Never {
        if frame.pointee.fromUserMode {
            kernelPanic("machine check in user mode with no valid restart address (MCG_STATUS.RIPV clear)")
        }
        kernelPanic("machine check in kernel mode: kernel state cannot be trusted")
    }
}
