import MemoryCore
import Testing

private func va(_ raw: UInt64) -> VirtualAddress { VirtualAddress(raw) }
private func range(_ start: UInt64, _ end: UInt64) -> VirtualRange { VirtualRange(start: va(start), end: va(end))! }

/// The standard test file with its read-only segment moved to `address`.
private func fileWithSegment(at address: UInt64, _ machine: ElfMachine, base: UInt64) -> [UInt8] {
    var builder = ElfBuilder.standard(machine, base: base)
    builder.segments[1].vaddr = address
    return builder.build()
}

@Suite struct UserImageLayoutTests {
    let riscvPlan = try! plan(ElfBuilder.standard(.riscv64, base: riscvBase).build(), .riscv64, UserImageLayout.xv6Rules())
    let x86Plan = try! plan(ElfBuilder.standard(.x86_64, base: x86Base).build(), .x86_64, try! UserImageLayout.emeraldRules())

    @Test func xv6ConstantsAreSv39Top() {
        #expect(Xv6UserAddresses.maxVirtualAddress == va(0x40_0000_0000))
        #expect(Xv6UserAddresses.trampoline == va(0x3F_FFFF_F000))
        #expect(Xv6UserAddresses.trapFrame == va(0x3F_FFFF_E000))
    }

    @Test func xv6PlacesGuardStackHeapAfterTheImage() throws {
        let layout = try UserImageLayout.xv6(plan: riscvPlan)
        #expect(layout.scheme == .xv6)
        #expect(layout.image == range(0x1000, 0x8000))
        #expect(layout.stackGuard == range(0x8000, 0x9000))
        #expect(layout.stack == range(0x9000, 0xA000))
        #expect(layout.stackTop == va(0xA000))
        #expect(layout.heapStart == va(0xA000))
        #expect(layout.heapLimit == va(0x3F_FFFF_E000))
        #expect(layout.trapFrame == range(0x3F_FFFF_E000, 0x3F_FFFF_F000))
        #expect(layout.trampoline == range(0x3F_FFFF_F000, 0x40_0000_0000))
        #expect(layout.metadataPage == nil)

        let bigger = try UserImageLayout.xv6(plan: riscvPlan, stackPages: 4)
        #expect(bigger.stack == range(0x9000, 0xD000))
        #expect(bigger.heapStart == va(0xD000))
    }

    @Test func xv6RegionsInAddressOrder() throws {
        let layout = try UserImageLayout.xv6(plan: riscvPlan)
        let expected: [(String, VirtualRange, UserRegionKind, PagePermissions)] = [
            ("text", range(0x1000, 0x3000), .mapped, .user | .readExecute),
            ("rodata", range(0x3000, 0x4000), .mapped, .user | .read),
            ("data", range(0x5000, 0x8000), .mapped, .user | .readWrite),
            ("stack guard", range(0x8000, 0x9000), .guardPage, .none),
            ("stack", range(0x9000, 0xA000), .mapped, .user | .readWrite),
            ("heap", range(0xA000, 0x3F_FFFF_E000), .growable, .user | .readWrite),
            ("trap frame", range(0x3F_FFFF_E000, 0x3F_FFFF_F000), .mapped, .readWrite),
            ("trampoline", range(0x3F_FFFF_F000, 0x40_0000_0000), .mapped, .readExecute),
        ]
        try checkRegions(layout, expected)
        #expect(layout.region(containing: va(0x8800)).map { "\($0.name)" } == "stack guard")
        #expect(layout.region(containing: va(0x4000)) == nil)
        #expect(layout.region(containing: va(0x3F_FFFF_FFFF)).map { "\($0.name)" } == "trampoline")
    }

    @Test func xv6RefusesStacksThatDoNotFit() throws {
        #expect(throws: UserLayoutError.badStackSize) { try UserImageLayout.xv6(plan: riscvPlan, stackPages: 0) }
        #expect(throws: UserLayoutError.stackDoesNotFit) { try UserImageLayout.xv6(plan: riscvPlan, stackPages: 1 << 26) }
        #expect(throws: UserLayoutError.stackDoesNotFit) { try UserImageLayout.xv6(plan: riscvPlan, stackPages: UInt64.max) }
        // An image right below the trap frame leaves no room for guard and stack.
        let high = try plan(fileWithSegment(at: 0x3F_FFFF_D000, .riscv64, base: riscvBase), .riscv64, UserImageLayout.xv6Rules())
        #expect(throws: UserLayoutError.stackDoesNotFit) { try UserImageLayout.xv6(plan: high) }
        // A plan checked against looser rules may not even fit below the trap frame.
        let anywhere = UserRegionRules(allowed: range(0, 1 << 47))
        let beyond = try plan(fileWithSegment(at: 0x40_0000_0000, .riscv64, base: riscvBase), .riscv64, anywhere)
        #expect(throws: UserLayoutError.imageOutsideUserRegion) { try UserImageLayout.xv6(plan: beyond) }
    }

    @Test func emeraldConstantsMatchTheSpec() {
        #expect(EmeraldUserAddresses.stackTop == va(0xFFFF_FF7F_FFFF_D000))
        #expect(EmeraldUserAddresses.stackGuard == va(0xFFFF_FF7F_FFFF_D000))
        #expect(EmeraldUserAddresses.metadataPage == va(0xFFFF_FF7F_FFFF_E000))
        #expect(EmeraldUserAddresses.userEnd == va(0xFFFF_FF80_0000_0000))
        #expect(EmeraldUserAddresses.lowHalfEnd == va(0x8000_0000_0000))
    }

    @Test func emeraldPlacesHeapAfterImageAndStackAtTheTop() throws {
        let layout = try UserImageLayout.emerald(plan: x86Plan)
        #expect(layout.scheme == .emerald)
        #expect(layout.image == range(0x40_1000, 0x40_8000))
        #expect(layout.heapStart == va(0x40_8000))
        #expect(layout.heapLimit == va(0x8000_0000_0000))
        // 16 KiB mapped at first, in an 8 MiB reserve with a 64 KiB gap below it.
        #expect(layout.stack == range(0xFFFF_FF7F_FFFF_9000, 0xFFFF_FF7F_FFFF_D000))
        #expect(layout.stackReserve == range(0xFFFF_FF7F_FF7F_D000, 0xFFFF_FF7F_FFFF_D000))
        #expect(layout.stackGuardGap == range(0xFFFF_FF7F_FF7E_D000, 0xFFFF_FF7F_FF7F_D000))
        #expect(layout.stackTop == va(0xFFFF_FF7F_FFFF_D000))
        #expect(layout.stackGuard == range(0xFFFF_FF7F_FFFF_D000, 0xFFFF_FF7F_FFFF_E000))
        #expect(layout.metadataPage == range(0xFFFF_FF7F_FFFF_E000, 0xFFFF_FF7F_FFFF_F000))
        #expect(layout.trapFrame == nil && layout.trampoline == nil)

        let big = try UserImageLayout.emerald(plan: x86Plan, stackBytes: 0x10000)
        #expect(big.stack == range(0xFFFF_FF7F_FFFE_D000, 0xFFFF_FF7F_FFFF_D000))
        #expect(big.stackReserve == layout.stackReserve)
        // The xv6 layout's stack never grows.
        #expect(try UserImageLayout.xv6(plan: riscvPlan).stackReserve == nil)
    }

    @Test func emeraldRegionsInAddressOrder() throws {
        let layout = try UserImageLayout.emerald(plan: x86Plan)
        try checkRegions(
            layout,
            [
                ("text", range(0x40_1000, 0x40_3000), .mapped, .user | .readExecute),
                ("rodata", range(0x40_3000, 0x40_4000), .mapped, .user | .read),
                ("data", range(0x40_5000, 0x40_8000), .mapped, .user | .readWrite),
                ("heap", range(0x40_8000, 0x8000_0000_0000), .growable, .user | .readWrite),
                ("stack guard gap", range(0xFFFF_FF7F_FF7E_D000, 0xFFFF_FF7F_FF7F_D000), .guardPage, .none),
                ("stack", range(0xFFFF_FF7F_FF7F_D000, 0xFFFF_FF7F_FFFF_D000), .growable, .user | .readWrite),
                ("stack guard", range(0xFFFF_FF7F_FFFF_D000, 0xFFFF_FF7F_FFFF_E000), .guardPage, .none),
                ("process metadata", range(0xFFFF_FF7F_FFFF_E000, 0xFFFF_FF7F_FFFF_F000), .mapped, .user | .read),
            ])
    }

    @Test func emeraldRefusesBadStacksAndHighImages() throws {
        #expect(throws: UserLayoutError.badStackSize) { try UserImageLayout.emerald(plan: x86Plan, stackBytes: 0) }
        #expect(throws: UserLayoutError.badStackSize) { try UserImageLayout.emerald(plan: x86Plan, stackBytes: 0x1001) }
        #expect(throws: UserLayoutError.badStackSize) { try UserImageLayout.emeraldRules(stackBytes: 0x800) }
        // The stack may reach down to the start of the upper half, not further.
        let most = try UserImageLayout.emerald(plan: x86Plan, stackBytes: 0x7F7F_FFFF_D000)
        #expect(most.stack.start == va(0xFFFF_8000_0000_0000))
        #expect(most.stackReserve == most.stack && most.stackGuardGap == nil)
        #expect(throws: UserLayoutError.stackDoesNotFit) { try UserImageLayout.emerald(plan: x86Plan, stackBytes: 0x7F7F_FFFF_E000) }
        let anywhere = UserRegionRules(allowed: range(0, 0xFFFF_F000_0000_0000))
        let high = try plan(fileWithSegment(at: 0x8000_0000_0000, .x86_64, base: x86Base), .x86_64, anywhere)
        #expect(throws: UserLayoutError.imageOutsideUserRegion) { try UserImageLayout.emerald(plan: high) }
    }

    /// The loader, given a layout's rules, keeps segments off its own pages.
    @Test(arguments: [
        (UInt64(0x3F_FFFF_E000), ElfError.segmentOverlapsReserved),  // trap frame
        (0x3F_FFFF_F000, .segmentOverlapsReserved),  // trampoline
        (0x40_0000_0000, .segmentOutsideUserRegion),  // past MAXVA
        (0x3F_FFFF_D000, nil),  // highest free page
    ])
    func xv6RulesGuardTheFixedPages(address: UInt64, expected: ElfError?) throws {
        let bytes = fileWithSegment(at: address, .riscv64, base: riscvBase)
        if let expected {
            #expect(throws: expected) { try plan(bytes, .riscv64, UserImageLayout.xv6Rules()) }
        } else {
            _ = try plan(bytes, .riscv64, UserImageLayout.xv6Rules())
        }
    }

    @Test func xv6LayoutRulesGuardStackAndGuardPage() throws {
        let rules = try UserImageLayout.xv6(plan: riscvPlan).rules
        #expect(rules.reservedCount == 4)
        for address: UInt64 in [0x8000, 0x9000] {  // guard page, stack
            #expect(throws: ElfError.segmentOverlapsReserved) {
                try plan(fileWithSegment(at: address, .riscv64, base: riscvBase), .riscv64, rules)
            }
        }
        _ = try plan(fileWithSegment(at: 0xA000, .riscv64, base: riscvBase), .riscv64, rules)
    }

    /// fork copies a layout and exec stores one per process: the value keeps
    /// the per-program ranges only, its regions are derived when asked for.
    @Test func layoutValueStaysSmall() {
        #expect(MemoryLayout<UserImageLayout>.size <= 256)
    }

    /// Each region is the one found at its first and last byte, and the
    /// gaps between regions belong to none.
    @Test func regionContainingAgreesWithTheOrderedRegions() throws {
        for layout in [try UserImageLayout.xv6(plan: riscvPlan), try UserImageLayout.emerald(plan: x86Plan)] {
            var previousEnd: VirtualAddress? = nil
            for index in 0..<layout.regionCount {
                let region = layout.region(at: index)
                let last = VirtualAddress(region.range.end.raw - 1)
                #expect(layout.region(containing: region.range.start)?.range == region.range, "\(region.name)")
                #expect(layout.region(containing: last)?.range == region.range, "\(region.name)")
                if let previousEnd, previousEnd < region.range.start {
                    #expect(layout.region(containing: previousEnd) == nil, "below \(region.name)")
                }
                previousEnd = region.range.end
            }
        }
    }

    /// The Emerald layout's rules are the ones its plan was checked against.
    @Test func emeraldLayoutRulesAreTheLoaderRules() throws {
        let layout = try UserImageLayout.emerald(plan: x86Plan, stackBytes: 0x10000)
        let loaderRules = try UserImageLayout.emeraldRules(stackBytes: 0x10000)
        #expect(layout.rules.allowed == loaderRules.allowed)
        #expect(layout.rules.reservedCount == loaderRules.reservedCount)
        for index in 0..<loaderRules.reservedCount {
            #expect(layout.rules.reserved(at: index) == loaderRules.reserved(at: index))
        }
    }

    @Test(arguments: [
        (UInt64(0xFFFF_FF7F_FFFF_D000), ElfError.segmentOverlapsReserved),  // stack guard
        (0xFFFF_FF7F_FFFF_E000, .segmentOverlapsReserved),  // metadata page
        (0xFFFF_FF7F_FFFF_C000, .segmentOverlapsReserved),  // stack
        (0xFFFF_FF7F_FFFF_F000, .segmentOutsideUserRegion),  // last user page
        (0x7FFF_FFFF_F000, nil),  // top of the lower half
        (0x8000_0000_0000, .segmentOutsideUserRegion),  // first non-canonical page
    ])
    func emeraldRulesGuardTheFixedPages(address: UInt64, expected: ElfError?) throws {
        let bytes = fileWithSegment(at: address, .x86_64, base: x86Base)
        let rules = try UserImageLayout.emeraldRules()
        if let expected {
            #expect(throws: expected) { try plan(bytes, .x86_64, rules) }
        } else {
            _ = try plan(bytes, .x86_64, rules)
        }
    }

    @Test func metadataPageRoundTripsAtFixedOffsets() throws {
        let layout = try UserImageLayout.emerald(plan: x86Plan)
        let metadata = ProcessMetadata(pid: 42, plan: x86Plan, layout: layout)
        #expect(
            metadata
                == ProcessMetadata(
                    pid: 42, imageBase: va(0x40_1000), imageSize: 0x7000, programHeaderOffset: 64, programHeaderCount: 3,
                    textAddress: va(0x40_1000), textSize: 0x1234, heapStart: va(0x40_8000), stackTop: va(0xFFFF_FF7F_FFFF_D000)))

        var page = [UInt8](repeating: 0xCC, count: 4096)
        let written = page.withUnsafeMutableBytes { metadata.write(into: $0) }
        #expect(written)
        #expect(Array(page[0..<8]) == Array("SWLTMETA".utf8))
        let fields: [(Int, UInt64)] = [
            (8, 42), (16, 0x40_1000), (24, 0x7000), (32, 64), (40, 3),
            (48, 0x40_1000), (56, 0x1234), (64, 0x40_8000), (72, 0xFFFF_FF7F_FFFF_D000),
        ]
        for (offset, value) in fields { #expect(ElfBuilder.get64(page, offset) == value, "offset \(offset)") }
        #expect(ProcessMetadata.Offset.end == 80)
        #expect(page[80...].allSatisfy { $0 == 0 })

        let back = page.withUnsafeBytes { ProcessMetadata(page: $0) }
        #expect(back == metadata)
    }

    @Test func metadataRefusesShortOrForeignPages() {
        let metadata = ProcessMetadata(
            pid: 1, imageBase: va(0), imageSize: 0, programHeaderOffset: 0,
            programHeaderCount: 0, textAddress: va(0), textSize: 0,
            heapStart: va(0), stackTop: va(0))
        var short = [UInt8](repeating: 0xCC, count: 4095)
        #expect(!short.withUnsafeMutableBytes { metadata.write(into: $0) })
        #expect(short.allSatisfy { $0 == 0xCC })
        let zeros = [UInt8](repeating: 0, count: 4096)
        #expect(zeros.withUnsafeBytes { ProcessMetadata(page: $0) } == nil)
        var page = [UInt8](repeating: 0, count: 4096)
        #expect(page.withUnsafeMutableBytes { metadata.write(into: $0) })
        #expect(page.prefix(79).withUnsafeBytes { ProcessMetadata(page: $0) } == nil)
        #expect(page.prefix(80).withUnsafeBytes { ProcessMetadata(page: $0) } == metadata)
    }
}

private func checkRegions(
    _ layout: UserImageLayout, _ expected: [(String, VirtualRange, UserRegionKind, PagePermissions)]
) throws {
    try #require(layout.regionCount == expected.count)
    for (i, (name, range, kind, permissions)) in expected.enumerated() {
        let region = layout.region(at: i)
        #expect("\(region.name)" == name)
        #expect(region.range == range, "\(name)")
        #expect(region.kind == kind, "\(name)")
        #expect(region.permissions == permissions, "\(name)")
    }
}
