/// The page sizes both paging schemes support: a 4 KiB base page and the
/// 2 MiB and 1 GiB large pages that an upper-level entry can map directly.
public enum PageSize: Sendable, Equatable {
    case size4K
    case size2M
    case size1G

    public var bytes: UInt64 {
        switch self {
        case .size4K: return 0x1000
        case .size2M: return 0x20_0000
        case .size1G: return 0x4000_0000
        }
    }

    /// The page-table level whose entries map pages of this size (0 = leaf table).
    public var level: Int {
        switch self {
        case .size4K: return 0
        case .size2M: return 1
        case .size1G: return 2
        }
    }

    /// log2 of `bytes`.
    public var shift: UInt64 {
        switch self {
        case .size4K: return 12
        case .size2M: return 21
        case .size1G: return 30
        }
    }
}

extension PageSize {
    /// The largest page, not above `largest` and among those `allowed`, that
    /// maps `va` to `pa` (both aligned to it) within `remaining` bytes: how a
    /// run of memory is cut into the fewest pages.
    public static func largest(
        at va: VirtualAddress, to pa: PhysicalAddress, remaining: UInt64, upTo largest: PageSize,
        allowed: (PageSize) -> Bool = { _ in true }
    ) -> PageSize {
        func fits(_ size: PageSize) -> Bool {
            size.bytes <= largest.bytes && remaining >= size.bytes && va.isAligned(to: size) && pa.isAligned(to: size) && allowed(size)
        }
        if fits(.size1G) { return .size1G }
        if fits(.size2M) { return .size2M }
        return .size4K
    }
}

/// The base page size, 4 KiB, used wherever "a page" or "a frame" is meant.
public let pageBytes: UInt64 = PageSize.size4K.bytes
