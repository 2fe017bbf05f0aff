import MemoryCore

/// A named constant of a layout file, read from the code (never retyped).
public struct NamedConstant: Sendable, Equatable {
    public let name: String
    public let value: UInt64
    public let meaning: String
}

/// The constants of `RiscV64Layout` and `X86_64Layout` that the book may
/// quote, with what each one is.
public enum NamedConstants {
    public static var riscv64: [NamedConstant] {
        typealias L = RiscV64Layout
        return [
            NamedConstant(name: "bootROM", value: L.bootROM, meaning: "QEMU's boot ROM (physical; not mapped by Swiftlet)"),
            NamedConstant(name: "clint", value: L.clint, meaning: "core-local interruptor (machine mode only, not mapped)"),
            NamedConstant(name: "plic", value: L.plic, meaning: "platform-level interrupt controller"),
            NamedConstant(name: "plicPending", value: L.plicPending, meaning: "PLIC pending bits"),
            NamedConstant(name: "plicSupervisorEnable(hart: 0)", value: L.plicSupervisorEnable(hart: 0), meaning: "hart 0's supervisor enable bits"),
            NamedConstant(name: "plicSupervisorPriority(hart: 0)", value: L.plicSupervisorPriority(hart: 0), meaning: "hart 0's supervisor threshold"),
            NamedConstant(name: "plicSupervisorClaim(hart: 0)", value: L.plicSupervisorClaim(hart: 0), meaning: "hart 0's supervisor claim/complete"),
            NamedConstant(name: "uart0", value: L.uart0, meaning: "16550 UART registers"),
            NamedConstant(name: "virtio0", value: L.virtio0, meaning: "virtio MMIO disk registers"),
            NamedConstant(name: "kernelBase", value: L.kernelBase, meaning: "start of RAM; QEMU loads the kernel here (KERNBASE)"),
            NamedConstant(name: "physicalTop", value: L.physicalTop, meaning: "end of the RAM the kernel uses (PHYSTOP)"),
            NamedConstant(name: "kernelStack(63)", value: L.kernelStack(L.processSlots - 1), meaning: "kernel stack of the last process slot"),
            NamedConstant(name: "kernelStack(0)", value: L.kernelStack(0), meaning: "kernel stack of process slot 0"),
            NamedConstant(name: "trapFrame", value: L.trapFrame, meaning: "each process's trap frame page (TRAPFRAME)"),
            NamedConstant(name: "trampoline", value: L.trampoline, meaning: "the trampoline page, top of every space (TRAMPOLINE)"),
            NamedConstant(name: "maxVA", value: L.maxVA, meaning: "first address above every space (MAXVA)"),
        ]
    }

    public static var x86_64: [NamedConstant] {
        typealias L = X86_64Layout
        return [
            NamedConstant(name: "userFirst", value: L.userFirst, meaning: "first user address"),
            NamedConstant(name: "userLowEnd", value: L.userLowEnd, meaning: "end of the lower canonical half"),
            NamedConstant(name: "userHighStart", value: L.userHighStart, meaning: "start of the upper canonical half"),
            NamedConstant(name: "userStackTop", value: L.userStackTop, meaning: "the user stack grows down from here"),
            NamedConstant(name: "userStackGuard", value: L.userStackGuard, meaning: "unmapped page above the user stack"),
            NamedConstant(name: "processMetadata", value: L.processMetadata, meaning: "read-only process metadata page"),
            NamedConstant(name: "processMetadataEnd", value: L.processMetadataEnd, meaning: "end of the metadata page"),
            NamedConstant(name: "userLast", value: L.userLast, meaning: "last user address"),
            NamedConstant(name: "processKernelFirst", value: L.processKernelFirst, meaning: "first process-specific kernel address"),
            NamedConstant(name: "processKernelStackGuard", value: L.processKernelStackGuard, meaning: "guard below the per-process kernel stack"),
            NamedConstant(name: "processKernelStack", value: L.processKernelStack, meaning: "per-process kernel stack (256 KiB)"),
            NamedConstant(name: "processKernelStackTop", value: L.processKernelStackTop, meaning: "top of the per-process kernel stack"),
            NamedConstant(name: "processKernelLast", value: L.processKernelLast, meaning: "last process-specific kernel address"),
            NamedConstant(name: "kernelFirst", value: L.kernelFirst, meaning: "first kernel address; physical 0 is mapped here"),
            NamedConstant(name: "kernelImagePhysical", value: L.kernelImagePhysical, meaning: "physical load address of the kernel"),
            NamedConstant(name: "apStartupPage", value: L.apStartupPage, meaning: "physical page the other CPUs start in (real-mode trampoline)"),
            NamedConstant(name: "kernelImageBase", value: L.kernelImageBase, meaning: "virtual link address of the kernel"),
            NamedConstant(name: "directMapSize", value: L.directMapSize, meaning: "RAM mapped at boot: the first 128 MiB"),
            NamedConstant(name: "heapStart", value: L.heapStart, meaning: "kernel heap (16 MiB)"),
            NamedConstant(name: "interruptStacksStart", value: L.interruptStacksStart, meaning: "seven guarded interrupt stacks"),
            NamedConstant(name: "interruptStacksEnd", value: L.interruptStacksEnd, meaning: "end of the interrupt stacks"),
            NamedConstant(name: "kernelExtraStart", value: L.kernelExtraStart, meaning: "kernel extra: the virtual-space window"),
            NamedConstant(name: "kernelExtraEnd", value: L.kernelExtraEnd, meaning: "end of the virtual-space window"),
            NamedConstant(name: "kernelLast", value: L.kernelLast, meaning: "last address"),
        ]
    }

    /// Every value the book may quote as an address: region bounds (first,
    /// last, end), slot and guard bounds, physical backings and the named
    /// constants, for both architectures.
    public static var knownValues: Set<UInt64> {
        var values = Set<UInt64>()
        for entry in Catalog.all {
            // Bounds that move with the kernel image are examples, not facts;
            // their fixed ends are named constants below.
            for region in entry.map.bands where !region.dependsOnImage {
                values.formUnion([region.first, region.last, region.last &+ 1])
                if let physical = region.physical { values.formUnion([physical, physical + region.size]) }
                for slot in region.slots {
                    values.formUnion([slot.guardFirst, slot.stackFirst, slot.stackFirst - 1, slot.stackLast, slot.stackLast &+ 1])
                }
            }
        }
        for constant in riscv64 + x86_64 { values.insert(constant.value) }
        return values
    }
}
