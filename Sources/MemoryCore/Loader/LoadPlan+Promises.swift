/// What every plan `ElfLoader.plan` accepts promises, checked from the plan
/// alone: the fuzzers (the host test and the libFuzzer target) call it on
/// every plan a mutated file gets through.
extension LoadPlan {
    /// The first promise the plan breaks for a file of `fileSize` bytes
    /// under `rules`, or nil when it keeps them all.
    public func brokenPromise(fileSize: UInt64, rules: UserRegionRules) -> StaticString? {
        guard segmentCount >= 1, segmentCount <= LoadPlan.segmentCapacity else { return "has no segment, or too many" }
        var lowest = UInt64.max
        var highest: UInt64 = 0
        var entersExecutable = false
        for i in 0..<segmentCount {
            let s = segment(at: i)
            let (fileEnd, wraps) = s.fileOffset.addingReportingOverflow(s.fileSize)
            if wraps || fileEnd > fileSize { return "reads outside the file" }
            if s.fileSize > s.memorySize { return "has filesz > memsz" }
            if s.memorySize == 0 { return "keeps an empty segment" }
            guard let pages = s.pages else { return "has wrapping pages" }
            if !rules.allowed.contains(pages) { return "leaves the allowed range" }
            for r in 0..<rules.reservedCount where rules.reserved(at: r).overlaps(pages) { return "touches a reserved range" }
            if !s.permissions.contains(.user) { return "lacks .user" }
            for j in 0..<i {
                guard let earlier = segment(at: j).pages else { return "has wrapping pages" }
                if earlier.overlaps(pages) { return "has overlapping segments" }
            }
            lowest = min(lowest, pages.start.raw)
            highest = max(highest, pages.end.raw)
            if s.range.contains(entry) && s.permissions.contains(.execute) { entersExecutable = true }
        }
        if imageStart.raw != lowest || imageEnd.raw != highest { return "has a wrong image range" }
        if !entersExecutable { return "enters outside executable memory" }
        return nil
    }
}
