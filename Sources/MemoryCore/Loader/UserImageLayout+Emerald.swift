extension UserImageLayout {
    /// The stack pages exec maps; the rest of the reserve is lazy.
    public static let emeraldDefaultStackBytes: UInt64 = 16 * 1024
    /// How far the stack may grow down from its top, page by page as it is touched.
    public static let emeraldStackLimitBytes: UInt64 = 8 * 1024 * 1024
    /// The unmapped gap below the stack's limit: a fault there is an overflow.
    public static let emeraldStackGuardGapBytes: UInt64 = 64 * 1024

    /// What an executable for the Emerald layout may occupy: the lower
    /// canonical half; the stack, its guard and the metadata page (all in the
    /// upper half) are reserved as well, so a segment there is named as such.
    public static func emeraldRules(stackBytes: UInt64 = emeraldDefaultStackBytes) throws(UserLayoutError) -> UserRegionRules {
        emeraldRules(around: try emeraldStack(bytes: stackBytes))
    }

    /// The Emerald rules for an initial stack at `stack`.
    static func emeraldRules(around stack: VirtualRange) -> UserRegionRules {
        var rules = UserRegionRules(allowed: VirtualRange(start: VirtualAddress(0), end: EmeraldUserAddresses.lowHalfEnd)!)
        let reserve = emeraldStackReserve(stack)
        rules.reserve(reserve)
        if let gap = emeraldStackGuardGap(below: reserve) { rules.reserve(gap) }
        rules.reserve(page(at: EmeraldUserAddresses.stackGuard))
        rules.reserve(page(at: EmeraldUserAddresses.metadataPage))
        return rules
    }

    /// The Emerald order: the image at its link addresses in the lower half,
    /// the heap from the image's end upward, the stack of `stackBytes` below
    /// 0xFFFF_FF7F_FFFF_D000 in a reserve that it grows into down to
    /// `emeraldStackLimitBytes` (an unmapped guard gap below that), the
    /// guard page above it, then the metadata page.
    public static func emerald(plan: borrowing LoadPlan, stackBytes: UInt64 = emeraldDefaultStackBytes) throws(UserLayoutError) -> UserImageLayout {
        let stack = try emeraldStack(bytes: stackBytes)
        guard plan.imageRange.end <= EmeraldUserAddresses.lowHalfEnd else { throw .imageOutsideUserRegion }
        return UserImageLayout(
            scheme: .emerald, plan: plan, stack: stack, stackGuard: page(at: EmeraldUserAddresses.stackGuard),
            heapLimit: EmeraldUserAddresses.lowHalfEnd)
    }

    /// The stack's limit: `emeraldStackLimitBytes` below its top (or the
    /// initial stack, if that is larger), never below the upper half.
    static func emeraldStackReserve(_ stack: VirtualRange) -> VirtualRange {
        guard let limit = stack.end.subtracting(emeraldStackLimitBytes),
            limit >= EmeraldUserAddresses.highHalfStart, limit < stack.start
        else { return stack }
        return VirtualRange(start: limit, end: stack.end)!
    }

    /// The guard gap below the reserve, when the upper half has room for it.
    static func emeraldStackGuardGap(below reserve: VirtualRange) -> VirtualRange? {
        guard let start = reserve.start.subtracting(emeraldStackGuardGapBytes),
            start >= EmeraldUserAddresses.highHalfStart
        else { return nil }
        return VirtualRange(start: start, end: reserve.start)
    }

    /// The stack hangs below the guard page and must stay in the upper half.
    static func emeraldStack(bytes: UInt64) throws(UserLayoutError) -> VirtualRange {
        guard bytes > 0, bytes % pageBytes == 0 else { throw .badStackSize }
        guard let bottom = EmeraldUserAddresses.stackTop.subtracting(bytes),
            bottom >= EmeraldUserAddresses.highHalfStart
        else { throw .stackDoesNotFit }
        return VirtualRange(start: bottom, end: EmeraldUserAddresses.stackTop)!
    }
}
