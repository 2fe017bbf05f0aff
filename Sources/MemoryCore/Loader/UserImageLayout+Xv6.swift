extension UserImageLayout {
    /// What an executable for the xv6 layout may occupy before its stack is
    /// placed: anything below MAXVA except the trap frame and trampoline.
    public static func xv6Rules() -> UserRegionRules {
        var rules = UserRegionRules(allowed: VirtualRange(start: VirtualAddress(0), end: Xv6UserAddresses.maxVirtualAddress)!)
        rules.reserve(page(at: Xv6UserAddresses.trapFrame))
        rules.reserve(page(at: Xv6UserAddresses.trampoline))
        return rules
    }

    /// The xv6 order: the image at its link addresses, one unmapped guard
    /// page, `stackPages` of stack, then the heap growing up towards the trap
    /// frame; trap frame and trampoline in the top two pages below MAXVA.
    public static func xv6(plan: borrowing LoadPlan, stackPages: UInt64 = 1) throws(UserLayoutError) -> UserImageLayout {
        let trapFrame = page(at: Xv6UserAddresses.trapFrame)
        guard stackPages > 0 else { throw .badStackSize }
        let image = plan.imageRange
        guard image.end <= trapFrame.start else { throw .imageOutsideUserRegion }
        let (stackBytes, overflow) = stackPages.multipliedReportingOverflow(by: pageBytes)
        guard !overflow, let guardEnd = image.end.adding(pageBytes), let stackEnd = guardEnd.adding(stackBytes),
            stackEnd <= trapFrame.start
        else { throw .stackDoesNotFit }
        return UserImageLayout(
            scheme: .xv6, plan: plan, stack: VirtualRange(start: guardEnd, end: stackEnd)!,
            stackGuard: page(at: image.end), heapLimit: trapFrame.start)
    }
}
