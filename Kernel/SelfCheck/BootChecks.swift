/// The checks of the boot skeleton: console formatting, the frame allocator
/// on real RAM, traps, the timer and console input interrupts. Each returns
/// false rather than trapping, so one failure does not hide the others.
enum BootChecks {
    static func numberText() -> Bool {
        NumberText(decimal: 0).equals("0")
            && NumberText(decimal: 4096).equals("4096")
            && NumberText(decimal: UInt64.max).equals("18446744073709551615")
            && NumberText(hex: 0).equals("0x0")
            && NumberText(hex: 0x10_0000).equals("0x10_0000")
            && NumberText(hex: 0x8000_0000).equals("0x8000_0000")
            && NumberText(hex: UInt64.max).equals("0xffff_ffff_ffff_ffff")
    }

    static func imageBelowFreeMemory() -> Bool {
        let image = Platform.kernelImage
        let free = Platform.freeMemory
        return !image.isEmpty && image.end <= free.start
            && free.start.isAligned(to: .size4K) && free.end.isAligned(to: .size4K)
    }

    /// Every frame of free memory was free when the allocator was set up,
    /// except those holding the bitmap. (x86-64's boot code has taken some
    /// since, for the kernel page table, heap and interrupt stacks, and
    /// given it the RAM above the direct map.)
    static func freeFrameCount() -> Bool {
        guard let bitmap = PhysicalFrames.bitmap else { return false }
        let expected = (Platform.freeMemory.size - bitmap.size) / pageBytes
        let high = (PhysicalFrames.highRAM?.size ?? 0) / pageBytes
        Console.write(decimal: PhysicalFrames.initialFreeFrames)
        Console.write(" free ... ")
        return expected > 0 && PhysicalFrames.initialFreeFrames == expected
            && PhysicalFrames.freeFrames <= expected + high
            && PhysicalFrames.allocator.pointee.managedFrames == expected + high
    }

    static func allocateAndFreeFrame() -> Bool {
        let before = PhysicalFrames.freeFrames
        let frame: FrameNumber
        do throws(FrameError) {
            frame = try PhysicalFrames.allocator.pointee.allocate()
        } catch {
            return false
        }
        guard PhysicalFrames.freeFrames == before - 1,
            Platform.freeMemory.contains(frame.address) || PhysicalFrames.highRAM?.contains(frame.address) == true,
            !PhysicalFrames.allocator.pointee.isFree(frame)
        else { return false }
        // The frame is real, writable RAM.
        let memory = Platform.physicalMemory
        memory.zeroFrame(frame)
        let last = frame.address.adding(pageBytes - 8)!
        memory.store64(frame.address, 0x5357_4946_544C_4554)
        memory.store64(last, ~0x5357_4946_544C_4554)
        let held =
            memory.load64(frame.address) == 0x5357_4946_544C_4554
            && memory.load64(last) == ~0x5357_4946_544C_4554
            && memory.load64(frame.address.adding(8)!) == 0
        do throws(FrameError) {
            try PhysicalFrames.allocator.pointee.free(frame)
        } catch {
            return false
        }
        return held && PhysicalFrames.freeFrames == before
    }

    static func doubleFreeRefused() -> Bool {
        let before = PhysicalFrames.freeFrames
        do throws(FrameError) {
            let frame = try PhysicalFrames.allocator.pointee.allocate()
            try PhysicalFrames.allocator.pointee.free(frame)
            do throws(FrameError) {
                try PhysicalFrames.allocator.pointee.free(frame)
                return false
            } catch {
                return error == .doubleFree(frame) && PhysicalFrames.freeFrames == before
            }
        } catch {
            return false
        }
    }

    static func contiguousFrames() -> Bool {
        let before = PhysicalFrames.freeFrames
        do throws(FrameError) {
            let first = try PhysicalFrames.allocator.pointee.allocateContiguous(count: 16, alignment: 16)
            let aligned = first.value % 16 == 0
            let taken = PhysicalFrames.freeFrames == before - 16
            try PhysicalFrames.allocator.pointee.freeContiguous(first, count: 16)
            return aligned && taken && PhysicalFrames.freeFrames == before
        } catch {
            return false
        }
    }

    static func breakpointTrap() -> Bool {
        TrapProbe.arm()
        Platform.breakpoint()
        // Getting here at all means the handler stepped over the breakpoint.
        guard let record = TrapProbe.takeRecord() else { return false }
        return record.cause == Platform.breakpointCause && record.address == Platform.breakpointAddress
    }

    /// Waits for five ticks; they must come, and not faster than programmed.
    static func timerTicks() -> Bool {
        let frequency = Platform.counterFrequency
        let tickLength = frequency / Platform.tickRate
        let start = Clock.ticks
        let startCounter = Platform.readCounter()
        let deadline = startCounter + 2 * frequency
        while Clock.ticks < start + 5 && Platform.readCounter() < deadline {
            Platform.waitForInterrupt()
        }
        let elapsed = Platform.readCounter() - startCounter
        Console.write(decimal: Clock.ticks - start)
        Console.write(" ticks in ")
        Console.write(decimal: elapsed * 1000 / frequency)
        Console.write(" ms ... ")
        return Clock.ticks >= start + 5 && elapsed >= 4 * tickLength
    }

    /// Sends bytes through the console's loopback, so they come back as
    /// input through the real interrupt path (device, interrupt controller,
    /// trap handler, input ring).
    static func consoleInputInterrupt() -> Bool {
        while ConsoleInput.take() != nil {}  // nothing typed may confuse the check
        let interruptsBefore = ConsoleInput.interrupts
        let message: StaticString = "Swiftlet"
        Platform.setConsoleLoopback(true)
        for index in 0..<message.utf8CodeUnitCount { Platform.consolePut(message.utf8Start[index]) }
        Platform.setConsoleLoopback(false)

        var received = 0
        var matched = true
        let deadline = Platform.readCounter() + Platform.counterFrequency
        while received < message.utf8CodeUnitCount && Platform.readCounter() < deadline {
            if let byte = ConsoleInput.take() {
                matched = matched && byte == message.utf8Start[received]
                received += 1
            } else {
                Platform.waitForInterrupt()
            }
        }
        return matched && received == message.utf8CodeUnitCount && ConsoleInput.interrupts > interruptsBefore
    }
}

/// The layout table as this image instantiates it.
enum LayoutChecks {
    /// The table validates, and the regions made from linker symbols agree
    /// with what the running kernel sees.
    static func kernelLayoutMatchesImage() -> Bool {
        let table = Platform.kernelLayout
        do throws(LayoutError) {
            try validate(table, rule: Platform.addressRule)
        } catch {
            return false
        }
        let code = VirtualAddress(Platform.breakpointAddress)
        guard let codeRegion = table.region(containing: code) else { return false }
        return freeMemoryIsDirectlyMapped(table)
            && codeRegion.permissions.contains(.execute)
            && !codeRegion.permissions.contains(.write)
    }

    /// The frame allocator's memory, at the virtual address the kernel
    /// reaches it through, lies in one region of the table that maps it
    /// linearly to those very physical addresses, readable and writable.
    /// (RISC-V: "free RAM", virtual = physical; x86-64: "physical
    /// allocator", in the direct map.)
    private static func freeMemoryIsDirectlyMapped(_ table: LayoutTable) -> Bool {
        let free = Platform.freeMemory
        guard let pointer = Platform.physicalMemory.pointer(to: free.start, count: free.size) else { return false }
        let first = VirtualAddress(UInt64(UInt(bitPattern: pointer)))
        guard let last = first.adding(free.size - 1),
            let region = table.region(containing: first), region.range.contains(last),
            case .direct(let physical) = region.backing,
            region.permissions.contains(.readWrite), !region.permissions.contains(.execute)
        else { return false }
        return physical.adding(first.raw - region.range.start.raw) == free.start
    }
}
