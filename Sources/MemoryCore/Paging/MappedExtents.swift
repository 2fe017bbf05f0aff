/// Where a page table has ever mapped anything: at most four stretches of
/// canonical addresses, ascending and apart. Every entry the table holds
/// lies inside one of them, so a walk looks at the entries there only,
/// instead of all 512 of every table it passes (a process uses a few
/// stretches: its image and heap, its stack, its kernel pages). They only
/// grow: an unmapped page leaves its stretch covered, which costs a walk
/// a look at an empty entry, never a missed one.
///
/// Part of its page table, and touched only through it.
struct MappedExtents {
    static let capacity = 4
    /// First and last address (inclusive) of each stretch, `count` of
    /// them. Plain fields, not an InlineArray: reading an element of an
    /// InlineArray field through a borrowed page table made the compiler
    /// copy the whole table onto the stack, at every table of every walk.
    private var first0: UInt64 = 0, last0: UInt64 = 0
    private var first1: UInt64 = 0, last1: UInt64 = 0
    private var first2: UInt64 = 0, last2: UInt64 = 0
    private var first3: UInt64 = 0, last3: UInt64 = 0
    private(set) var count = 0

    /// The first address of stretch `k` (`k < count`).
    func first(_ k: Int) -> UInt64 {
        switch k {
        case 0: first0
        case 1: first1
        case 2: first2
        default: first3
        }
    }

    /// The last address of stretch `k` (`k < count`).
    func last(_ k: Int) -> UInt64 {
        switch k {
        case 0: last0
        case 1: last1
        case 2: last2
        default: last3
        }
    }

    private mutating func set(_ k: Int, _ low: UInt64, _ high: UInt64) {
        switch k {
        case 0: (first0, last0) = (low, high)
        case 1: (first1, last1) = (low, high)
        case 2: (first2, last2) = (low, high)
        default: (first3, last3) = (low, high)
        }
    }

    /// Covers `[low, high]` (canonical, `low <= high`) too: stretches it
    /// meets or touches merge with it; when there would be more than four,
    /// the two closest become one.
    mutating func cover(_ low: UInt64, _ high: UInt64) {
        // Already covered: the common case of a page mapped beside others.
        for k in 0..<count where first(k) <= low && high <= last(k) { return }
        var merged = (low, high)
        var firsts = InlineArray<5, UInt64>(repeating: 0)
        var lasts = InlineArray<5, UInt64>(repeating: 0)
        var n = 0
        var placed = false
        for k in 0..<count {
            let (low, high) = (first(k), last(k))
            if Self.touch(low, high, merged.0, merged.1) {
                merged = (min(merged.0, low), max(merged.1, high))
                continue
            }
            if !placed && merged.1 < low {
                firsts[n] = merged.0
                lasts[n] = merged.1
                n += 1
                placed = true
            }
            firsts[n] = low
            lasts[n] = high
            n += 1
        }
        if !placed {
            firsts[n] = merged.0
            lasts[n] = merged.1
            n += 1
        }
        if n > Self.capacity {
            // The narrowest gap closes.
            var closest = 0
            for k in 1..<(n - 1) where firsts[k + 1] - lasts[k] < firsts[closest + 1] - lasts[closest] { closest = k }
            lasts[closest] = lasts[closest + 1]
            for k in (closest + 1)..<(n - 1) {
                firsts[k] = firsts[k + 1]
                lasts[k] = lasts[k + 1]
            }
            n -= 1
        }
        for k in 0..<n { set(k, firsts[k], lasts[k]) }
        count = n
    }

    /// True when `[a, b]` and `[c, d]` overlap or are adjacent.
    private static func touch(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> Bool {
        if b < c { return c - b == 1 }
        if d < a { return a - d == 1 }
        return true
    }
}
