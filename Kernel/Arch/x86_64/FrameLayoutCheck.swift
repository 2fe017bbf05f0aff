@_extern(c, "swiftlet_x86_frame_offsets_address") func frameOffsetsAddress() -> UnsafePointer<UInt64>

/// The boot check that TrapFrame (Swift) and frame.h (the assembly that
/// builds and restores the frame) agree on every field's offset and on the
/// size. vectors.S exports frame.h's offsets in TrapFrame's field order; a
/// difference stops the boot, naming the first field that differs.
enum FrameLayoutCheck {
    static func verify() {
        let assembled = frameOffsetsAddress()
        var index = 0
        func expect(_ mark: (inout TrapFrame) -> Void) {
            let found = FieldOffsets.find(in: TrapFrame.self, mark)
            if found == nil || UInt64(found!) != assembled[index] { mismatch(index) }
            index += 1
        }
        expect { $0.fsBase = ~0 }
        expect { $0.gsBase = ~0 }
        expect { $0.ds = ~0 }
        expect { $0.es = ~0 }
        expect { $0.fs = ~0 }
        expect { $0.gs = ~0 }
        expect { $0.r15 = ~0 }
        expect { $0.r14 = ~0 }
        expect { $0.r13 = ~0 }
        expect { $0.r12 = ~0 }
        expect { $0.r11 = ~0 }
        expect { $0.r10 = ~0 }
        expect { $0.r9 = ~0 }
        expect { $0.r8 = ~0 }
        expect { $0.rbp = ~0 }
        expect { $0.rdi = ~0 }
        expect { $0.rsi = ~0 }
        expect { $0.rdx = ~0 }
        expect { $0.rcx = ~0 }
        expect { $0.rbx = ~0 }
        expect { $0.rax = ~0 }
        expect { $0.vector = ~0 }
        expect { $0.errorCode = ~0 }
        expect { $0.rip = ~0 }
        expect { $0.cs = ~0 }
        expect { $0.rflags = ~0 }
        expect { $0.rsp = ~0 }
        expect { $0.ss = ~0 }
        if UInt64(MemoryLayout<TrapFrame>.size) != assembled[index] { mismatch(index) }
        Console.write("trap frame   ")
        Console.write(decimal: UInt64(index))
        Console.write(" fields and the size (")
        Console.write(decimal: UInt64(MemoryLayout<TrapFrame>.size))
        Console.line(" bytes) match frame.h")
    }

    private static func mismatch(_ index: Int) -> Never {
        Console.write("trap frame field ")
        Console.write(decimal: UInt64(index))
        Console.line(" (in TrapFrame's order; the last is the size) differs from frame.h")
        kernelPanic("TrapFrame does not match frame.h")
    }
}
