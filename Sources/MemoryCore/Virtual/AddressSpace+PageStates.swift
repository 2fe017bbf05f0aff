/// The state of each user page, for vmmap: private, shared (and by how
/// many address spaces) or lazy. AddressSpace+Clone.swift says what each
/// state means and which events move a page between them.
public enum UserPageState: Equatable, Sendable {
    /// Mapped, and this address space is its frame's only user.
    case `private`
    /// Mapped, its frame used by `users` address spaces (fork); a writable
    /// page is copy-on-write.
    case shared(users: UInt64)
    /// Reserved (the heap below its break, the stack's reserve) but not
    /// touched yet: no frame, the first access maps a zeroed one.
    case lazy
}

extension AddressSpace {
    /// Calls `body` for everything a walk of the page table finds, in
    /// address order: each mapped page (its start, size, translation and,
    /// inside the user window, its state; kernel pages outside the window
    /// have none) and, between them, each lazy range (its start, size, no
    /// translation, `.lazy`). Shared kernel subtables are not walked.
    public func forEachPageState(_ body: (VirtualAddress, UInt64, Translation?, UserPageState?) -> Void) {
        var heap: VirtualRange? = nil
        if let top = heapBreak.alignedUp(), let range = VirtualRange(start: heapStart, end: top), !range.isEmpty { heap = range }
        // The lower of the two lazy reservations first.
        let swapped = heap != nil && stackReserve != nil && stackReserve!.start < heap!.start
        let lower = swapped ? stackReserve : heap
        let upper = swapped ? heap : stackReserve
        var covered: UInt64 = 0
        pageTable.forEachMapping(includeShared: false) { va, translation in
            Self.reportLazy(lower, upper, from: covered, below: va.raw, body)
            body(va, translation.pageSize.bytes, translation, pageState(at: va, translation))
            covered = va.raw &+ translation.pageSize.bytes
            if covered == 0 { covered = .max }  // the last page of the address space
            return true
        }
        Self.reportLazy(lower, upper, from: covered, below: .max, body)
    }

    /// The lazy pieces of `[covered, limit)`, where nothing is mapped: the
    /// parts of `lower` and of `upper` (ascending) that lie in it.
    private static func reportLazy(
        _ lower: VirtualRange?, _ upper: VirtualRange?, from covered: UInt64, below limit: UInt64,
        _ body: (VirtualAddress, UInt64, Translation?, UserPageState?) -> Void
    ) {
        if let lower, case let start = max(lower.start.raw, covered), start < min(lower.end.raw, limit) {
            body(VirtualAddress(start), min(lower.end.raw, limit) - start, nil, .lazy)
        }
        if let upper, case let start = max(upper.start.raw, covered), start < min(upper.end.raw, limit) {
            body(VirtualAddress(start), min(upper.end.raw, limit) - start, nil, .lazy)
        }
    }

    /// The state of the mapped page at `va`; nil outside the user window.
    public func pageState(at va: VirtualAddress, _ translation: Translation) -> UserPageState? {
        guard userWindow.contains(va), translation.isOwned else { return nil }
        let users = frames.pointee.users(of: translation.pageStart.frame)
        return users > 1 ? .shared(users: users) : .private
    }
}
