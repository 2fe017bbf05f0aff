/// Where every architecture's start-up code lands: on the boot CPU, with
/// kernel privilege, interrupts off, the console and trap vector ready.
func kernelMain() -> Never {
    Console.newline()
    Console.write("Swiftlet kernel (Embedded Swift) on ")
    Console.line(Platform.machineName)
    Console.write("kernel image ")
    Console.write(Platform.kernelImage)
    Console.write(", ")
    Console.write(decimal: Platform.kernelImage.size / 1024)
    Console.line(" KiB")

    PhysicalFrames.initialize()
    Console.write("free memory  ")
    Console.write(Platform.freeMemory)
    Console.write(", ")
    Console.write(decimal: PhysicalFrames.freeFrames)
    Console.write(" free frames of 4 KiB (")
    Console.write(decimal: PhysicalFrames.freeFrames * pageBytes / (1024 * 1024))
    Console.line(" MiB)")

    // The kernel page table goes here: built from this layout table with
    // frames from PhysicalFrames, then switched on. Until then the kernel
    // runs on physical addresses (paging off).
    LayoutLog.print(Platform.kernelLayout)
    Console.line("paging       off for now (the kernel runs on physical addresses)")

    Console.write("timer        ")
    Console.write(decimal: Platform.tickRate)
    Console.line(" Hz")
    Platform.enableInterrupts()

    switch BootMode.current {
    case .check: SelfCheck.runAll()
    case .interactive: echoConsole()
    }
}

/// Interactive mode: echo what is typed, so a person can see the console
/// input interrupt at work.
func echoConsole() -> Never {
    Console.line("Type, and Swiftlet echoes (Ctrl-A X leaves QEMU).")
    while true {
        while let byte = ConsoleInput.take() {
            switch byte {
            case UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                Console.newline()
            case 0x7F, 0x08:  // delete, backspace: rub out one character
                Console.write("\u{8} \u{8}")
            default:
                Console.put(byte)
            }
        }
        // A byte that arrives between the last take() and this wait is
        // echoed at the next interrupt, at worst one timer tick later.
        Platform.waitForInterrupt()
    }
}
