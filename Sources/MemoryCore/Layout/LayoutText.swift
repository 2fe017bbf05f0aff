/// The one text format of Swiftlet's memory maps: the boot log's layout
/// tables and `vmmap` both print it, and `layout-maps --from-log` reads it
/// back into pictures. A block looks like this (docs/tools.md has the rules):
///
///     layout riscv64 process (Sv39, xv6 layout)
///                first            last        size  kind    perm  owner    name
///                  0x0  0x3f_ffff_dfff    ~256 GiB  window  rwxu  user     user (text, data, guard, stack, heap)
///       0x3f_ffff_e000  0x3f_ffff_efff       4 KiB  frames  rw--  process  trap frame
///       0x3f_ffff_f000  0x3f_ffff_ffff       4 KiB  direct  r-x-  kernel   trampoline [at 0x8000_1000]
///     end layout
///
/// The block's name starts with the architecture. Addresses are inclusive,
/// the size is exact or rounded to a tenth and marked "~", and optional
/// `[...]` groups after the name give a direct region's physical start
/// and a slotted region's slots (a direct region may have both, in that order);
/// a vmmap row ends with its pages' state: `[private]`, `[shared by 2]`, `[lazy]`.
///
/// This file uses the standard library only: the kernel compiles it with the
/// memory core, and the user runtime compiles the same file, so vmmap writes
/// the same bytes as the boot log without a second formatter.

/// Where the text goes: the kernel console, a user buffer, a host array.
public protocol LayoutTextSink {
    mutating func put(_ byte: UInt8)
}

/// How a region gets its memory (the `kind` column). The raw values travel
/// in memmap records (bits 8-11 of `flags`).
public enum LayoutLineKind: UInt32, Sendable {
    /// Mapped linearly onto physical memory.
    case direct = 1
    /// Frames from the allocator, mapped when the owner is created.
    case frames = 2
    /// Mapped page by page at run time.
    case window = 3
    /// Never mapped, on purpose.
    case guardPage = 4
    /// Nothing is mapped here.
    case unused = 5
}

/// Who a region belongs to (the `owner` column); raw values travel in
/// memmap records (bits 12-15 of `flags`).
public enum LayoutLineOwner: UInt32, Sendable {
    case kernel = 1
    case process = 2
    case user = 3
}

/// The state of a run of user pages, the last group of a vmmap row
/// (`[private]`, `[shared by N]`, `[lazy]`; boot tables have none). The raw
/// values travel in memmap records (`state`; `MR_PRIVATE` ... in user.h).
public enum LayoutLineState: UInt32, Sendable {
    /// Mapped, and this process is its frames' only user.
    case `private` = 1
    /// Mapped, its frames used by other processes too (after fork); a
    /// writable run is copy-on-write.
    case shared = 2
    /// Reserved (heap, growing stack) but never touched: no frame yet.
    case lazy = 3
}

/// One row of a block, in plain numbers.
public struct LayoutLine: Sendable {
    public var first: UInt64
    /// Inclusive, so that a region ending at 2^64 can be written.
    public var last: UInt64
    public var kind: LayoutLineKind
    /// Bits: 1 read, 2 write, 4 execute, 8 user (memmap's MR_* bits).
    public var permissions: UInt32
    public var owner: LayoutLineOwner
    /// Physical address of `first`, shown for direct regions when known.
    public var physical: UInt64?
    /// Guarded slots (0 when the region has none) and each slot's guard bytes.
    public var slotCount: Int
    public var slotGuardBytes: UInt64
    /// vmmap's rows: the pages' state, and for a shared run how many
    /// processes use its frames (0: not known).
    public var state: LayoutLineState?
    public var users: UInt64

    public init(
        first: UInt64, last: UInt64, kind: LayoutLineKind, permissions: UInt32, owner: LayoutLineOwner,
        physical: UInt64? = nil, slotCount: Int = 0, slotGuardBytes: UInt64 = 0, state: LayoutLineState? = nil, users: UInt64 = 0
    ) {
        self.first = first
        self.last = last
        self.kind = kind
        self.permissions = permissions
        self.owner = owner
        self.physical = physical
        self.slotCount = slotCount
        self.slotGuardBytes = slotGuardBytes
        self.state = state
        self.users = users
    }
}

/// Writes blocks: `header`, one `row` per region (lowest address first), `footer`.
public enum LayoutText {
    /// Columns of the address fields: the widest address of the block.
    public static func addressWidth(_ last: UInt64) -> Int {
        let width = hexCount(last)
        return width > 5 ? width : 5
    }

    /// `layout NAME` and the column titles.
    public static func header<Sink: LayoutTextSink>(_ name: UnsafeRawBufferPointer, addressWidth: Int, into sink: inout Sink) {
        text("layout ", into: &sink)
        for byte in name { sink.put(byte) }
        sink.put(10)
        text("  ", into: &sink)
        pad(addressWidth - 5, into: &sink)
        text("first  ", into: &sink)
        pad(addressWidth - 4, into: &sink)
        text("last        size  kind    perm  owner    name\n", into: &sink)
    }

    public static func header<Sink: LayoutTextSink>(_ name: StaticString, addressWidth: Int, into sink: inout Sink) {
        header(UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount), addressWidth: addressWidth, into: &sink)
    }

    public static func footer<Sink: LayoutTextSink>(into sink: inout Sink) {
        text("end layout\n", into: &sink)
    }

    /// One region: first, last, size, kind, perm, owner, name [extra] [state].
    public static func row<Sink: LayoutTextSink>(
        _ line: LayoutLine, name: UnsafeRawBufferPointer, addressWidth: Int, into sink: inout Sink
    ) {
        text("  ", into: &sink)
        pad(addressWidth - hexCount(line.first), into: &sink)
        hex(line.first, into: &sink)
        text("  ", into: &sink)
        pad(addressWidth - hexCount(line.last), into: &sink)
        hex(line.last, into: &sink)
        text("  ", into: &sink)
        size(first: line.first, last: line.last, into: &sink)
        text("  ", into: &sink)
        switch line.kind {
        case .direct: text("direct", into: &sink)
        case .frames: text("frames", into: &sink)
        case .window: text("window", into: &sink)
        case .guardPage: text("guard ", into: &sink)
        case .unused: text("unused", into: &sink)
        }
        text("  ", into: &sink)
        sink.put(line.permissions & 1 != 0 ? UInt8(ascii: "r") : UInt8(ascii: "-"))
        sink.put(line.permissions & 2 != 0 ? UInt8(ascii: "w") : UInt8(ascii: "-"))
        sink.put(line.permissions & 4 != 0 ? UInt8(ascii: "x") : UInt8(ascii: "-"))
        sink.put(line.permissions & 8 != 0 ? UInt8(ascii: "u") : UInt8(ascii: "-"))
        text("  ", into: &sink)
        switch line.owner {
        case .kernel: text("kernel   ", into: &sink)
        case .process: text("process  ", into: &sink)
        case .user: text("user     ", into: &sink)
        }
        for byte in name { sink.put(byte) }
        if line.kind == .direct, let physical = line.physical {
            text(" [at ", into: &sink)
            hex(physical, into: &sink)
            sink.put(UInt8(ascii: "]"))
        }
        if line.slotCount > 0 {
            text(" [", into: &sink)
            decimal(UInt64(line.slotCount), into: &sink)
            text(" slots, ", into: &sink)
            size(bytes: line.slotGuardBytes, into: &sink, numberWidth: 0)
            text(" guard each]", into: &sink)
        }
        switch line.state {
        case .none: break
        case .private: text(" [private]", into: &sink)
        case .lazy: text(" [lazy]", into: &sink)
        case .shared:
            text(" [shared", into: &sink)
            if line.users > 0 {
                text(" by ", into: &sink)
                decimal(line.users, into: &sink)
            }
            sink.put(UInt8(ascii: "]"))
        }
        sink.put(10)
    }

    public static func row<Sink: LayoutTextSink>(_ line: LayoutLine, name: StaticString, addressWidth: Int, into sink: inout Sink) {
        row(line, name: UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount), addressWidth: addressWidth, into: &sink)
    }

    // MARK: numbers

    /// Digits of `value` in hex with "0x", "_" every four digits: 0x8000_1000.
    static func hexCount(_ value: UInt64) -> Int {
        var digits = 1
        var rest = value >> 4
        while rest != 0 {
            digits += 1
            rest >>= 4
        }
        return 2 + digits + (digits - 1) / 4
    }

    public static func hex<Sink: LayoutTextSink>(_ value: UInt64, into sink: inout Sink) {
        var digits = 1
        while digits < 16 && value >> (4 * UInt64(digits)) != 0 { digits += 1 }
        text("0x", into: &sink)
        var index = digits
        while index > 0 {
            index -= 1
            let digit = UInt8((value >> (4 * UInt64(index))) & 0xF)
            sink.put(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
            if index > 0 && index % 4 == 0 { sink.put(UInt8(ascii: "_")) }
        }
    }

    static func decimalCount(_ value: UInt64) -> Int {
        var digits = 1
        var rest = value / 10
        while rest != 0 {
            digits += 1
            rest /= 10
        }
        return digits
    }

    public static func decimal<Sink: LayoutTextSink>(_ value: UInt64, into sink: inout Sink) {
        var scale: UInt64 = 1
        while value / scale >= 10 { scale *= 10 }
        while scale > 0 {
            sink.put(UInt8(ascii: "0") + UInt8((value / scale) % 10))
            scale /= 10
        }
    }

    /// The size of `[first, last]`, right-aligned: "   4 KiB", "~127.5 MiB".
    static func size<Sink: LayoutTextSink>(first: UInt64, last: UInt64, into sink: inout Sink) {
        if first == 0 && last == UInt64.max {
            pad(6 - 2, into: &sink)
            text("16 EiB", into: &sink)  // 2^64 bytes: one more than a UInt64 holds
            return
        }
        size(bytes: last - first + 1, into: &sink, numberWidth: 6)
    }

    /// `bytes` in the largest binary unit it reaches, as the host's maps
    /// write sizes: exact ("4 KiB") or rounded to a tenth and marked with
    /// "~" ("~127.5 MiB"); the number right-aligned in `numberWidth` columns.
    static func size<Sink: LayoutTextSink>(bytes: UInt64, into sink: inout Sink, numberWidth: Int) {
        var unit = 0
        while unit < 6 && bytes >> (10 * UInt64(unit + 1)) != 0 { unit += 1 }
        let shift = 10 * UInt64(unit)
        var whole = bytes >> shift
        let rest = shift == 0 ? 0 : bytes & ((1 << shift) - 1)
        // rest < 2^60, so rest * 10 fits; rounded half up.
        var tenths = rest == 0 ? 0 : (rest * 10 + (1 << (shift - 1))) >> shift
        if tenths == 10 {
            whole += 1
            tenths = 0
        }
        let inexact = rest != 0
        let width = (inexact ? 1 : 0) + decimalCount(whole) + (tenths != 0 ? 2 : 0)
        pad(numberWidth - width, into: &sink)
        if inexact { sink.put(UInt8(ascii: "~")) }
        decimal(whole, into: &sink)
        if tenths != 0 {
            sink.put(UInt8(ascii: "."))
            decimal(tenths, into: &sink)
        }
        switch unit {
        case 0: text(" bytes", into: &sink)
        case 1: text(" KiB", into: &sink)
        case 2: text(" MiB", into: &sink)
        case 3: text(" GiB", into: &sink)
        case 4: text(" TiB", into: &sink)
        case 5: text(" PiB", into: &sink)
        default: text(" EiB", into: &sink)
        }
    }

    static func text<Sink: LayoutTextSink>(_ text: StaticString, into sink: inout Sink) {
        let start = text.utf8Start
        for index in 0..<text.utf8CodeUnitCount { sink.put(start[index]) }
    }

    static func pad<Sink: LayoutTextSink>(_ count: Int, into sink: inout Sink) {
        var left = count
        while left > 0 {
            sink.put(UInt8(ascii: " "))
            left -= 1
        }
    }
}
