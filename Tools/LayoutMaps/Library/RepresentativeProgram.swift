import MemoryCore

/// A small executable written on the fly and placed by the real loader and
/// user-layout code (`ElfLoader.plan`, `UserImageLayout.xv6`/`.emerald`), so
/// the process pictures show where exec puts text, data, guard, stack and
/// heap. Its segment sizes are only an example: 8 KiB of text, 4 KiB of
/// read-only data, 4 KiB of data with 4 KiB of bss after it.
public enum RepresentativeProgram {
    public static let description = "a representative program (8 KiB text, 4 KiB rodata, 8 KiB data and bss)"

    /// The ELF64 file, linked at `base` for `machine`.
    static func file(machine: ElfMachine, base: UInt64) -> [UInt8] {
        // (flags, address, file offset, file size, memory size); PF_R = 4, PF_W = 2, PF_X = 1.
        let segments: [(UInt32, UInt64, UInt64, UInt64, UInt64)] = [
            (5, base, 0x1000, 0x2000, 0x2000),
            (4, base + 0x2000, 0x3000, 0x1000, 0x1000),
            (6, base + 0x3000, 0x4000, 0x1000, 0x2000),
        ]
        var bytes = [UInt8](repeating: 0, count: 0x5000)
        func put(_ at: Int, _ value: UInt64, _ count: Int) {
            for i in 0..<count { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
        }
        bytes.replaceSubrange(0..<8, with: [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0])  // ELF64, little endian
        put(16, 2, 2)  // ET_EXEC
        put(18, UInt64(machine.rawValue), 2)
        put(20, 1, 4)  // version
        put(24, base + 0x10, 8)  // entry, in the text
        put(32, 64, 8)  // program headers right after the header
        put(52, 64, 2)
        put(54, 56, 2)
        put(56, UInt64(segments.count), 2)
        for (index, segment) in segments.enumerated() {
            let at = 64 + index * 56
            put(at, 1, 4)  // PT_LOAD
            put(at + 4, UInt64(segment.0), 4)
            put(at + 8, segment.2, 8)
            put(at + 16, segment.1, 8)
            put(at + 24, segment.1, 8)
            put(at + 32, segment.3, 8)
            put(at + 40, segment.4, 8)
            put(at + 48, 0x1000, 8)
        }
        return bytes
    }

    /// Where exec would put the program on the xv6 layout (RISC-V, linked at 0).
    public static func xv6() -> UserImageLayout? {
        guard let plan = plan(machine: .riscv64, base: 0, rules: UserImageLayout.xv6Rules()) else { return nil }
        return try? UserImageLayout.xv6(plan: plan)
    }

    /// Where exec would put the program on the Emerald layout (x86-64, linked at 0x40_0000 like Swiftlet's programs).
    public static func emerald() -> UserImageLayout? {
        guard let rules = try? UserImageLayout.emeraldRules(),
            let plan = plan(machine: .x86_64, base: 0x40_0000, rules: rules)
        else { return nil }
        return try? UserImageLayout.emerald(plan: plan)
    }

    static func plan(machine: ElfMachine, base: UInt64, rules: UserRegionRules) -> LoadPlan? {
        let bytes = file(machine: machine, base: base)
        return bytes.withUnsafeBytes { file in try? ElfLoader.plan(file: file, machine: machine, rules: rules) }
    }

    /// The program's regions that lie inside `outer` (and are not all of it),
    /// with the stretches between them, lowest first.
    static func inner(_ layout: UserImageLayout, within outer: MapRegion) -> [MapRegion] {
        var found: [MapRegion] = []
        for index in 0..<layout.regionCount {
            let region = layout.region(at: index)
            let first = region.range.start.raw
            let last = region.range.end.raw - 1
            guard first >= outer.first, last <= outer.last, !(first == outer.first && last == outer.last) else { continue }
            let kind: MapKind
            let backing: String
            switch region.kind {
            case .mapped:
                kind = .mapped
                backing = "mapped by exec"
            case .guardPage:
                kind = .guardPage
                backing = "guard, never mapped"
            case .growable:
                kind = .window
                backing = "grows with sbrk"
            }
            found.append(
                MapRegion(
                    name: String(describing: region.name), first: first, last: last, kind: kind, owner: .user,
                    permissions: permissionText(region.permissions), backing: backing))
        }
        guard !found.isEmpty else { return [] }
        var result: [MapRegion] = []
        var next = outer.first
        for region in found {
            if region.first > next { result.append(gap(next, region.first - 1)) }
            result.append(region)
            next = region.last &+ 1
        }
        if next != 0 && next <= outer.last { result.append(gap(next, outer.last)) }
        return result
    }

    static func gap(_ first: UInt64, _ last: UInt64) -> MapRegion {
        MapRegion(name: "nothing mapped", first: first, last: last, kind: .unused, owner: .user, permissions: "", backing: "")
    }
}
