extension UserImageLayout {
    public static let emeraldDefaultStackBytes: UInt64 = 64 * 1024

    /// What an executable for the Emerald layout may occupy: the lower
    /// canonical half; the stack, its guard and the metadata page (all in the
    /// upper half) are reserved as well, so a segment there is named as such.
    public static func emeraldRules(stackBytes: UInt64 = emeraldDefaultStackBytes) throws(UserLayoutError) -> UserRegionRules {
        let stack = try emeraldStack(bytes: stackBytes)
        var rules = UserRegionRules(allowed: VirtualRange(start: VirtualAddress(0), end: EmeraldUserAddresses.lowHalfEnd)!)
        rules.reserve(stack)
        rules.reserve(page(at: EmeraldUserAddresses.stackGuard))
        rules.reserve(page(at: EmeraldUserAddresses.metadataPage))
        return rules
    }

    /// The Emerald order: the image at its link addresses in the lower half,
    /// the heap from the image's end upward, the stack of `stackBytes` below
    /// 0xFFFF_FF7F_FFFF_D000, the guard page above it, then the metadata page.
    public static func emerald(plan: LoadPlan, stackBytes: UInt64 = emeraldDefaultStackBytes) throws(UserLayoutError) -> UserImageLayout {
        let rules = try emeraldRules(stackBytes: stackBytes)
        guard plan.imageRange.end <= EmeraldUserAddresses.lowHalfEnd else { throw .imageOutsideUserRegion }
        return UserImageLayout(
            scheme: .emerald, plan: plan, stack: try emeraldStack(bytes: stackBytes),
            stackGuard: page(at: EmeraldUserAddresses.stackGuard),
            heapLimit: EmeraldUserAddresses.lowHalfEnd,
            metadataPage: page(at: EmeraldUserAddresses.metadataPage), rules: rules)
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
