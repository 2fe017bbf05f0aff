/// A field that makes a generic `~Copyable` owner non-trivial, so that its
/// `deinit` runs. Swift 6.3's runtime skips the deinit of a generic
/// `~Copyable` struct whose stored fields are all plain data when another
/// module destroys it through the type's value witness table (fixed upstream
/// in swiftlang/swift PR 89809): on the host a `PageTable` made in a test
/// would never free its tables. A field of this type (zero bytes) prevents
/// that. Embedded builds call deinits directly and need it only for symmetry.
public struct DeinitAnchor: ~Copyable {
    public init() {}
    deinit {}
}
