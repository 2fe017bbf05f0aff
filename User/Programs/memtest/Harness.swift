// memtest's harness: every case runs in a forked child, because many are
// meant to crash it. The parent waits (waitinfo) and judges how the child
// ended: its exit status, or the kind and address of the fault that killed it;
// a child that fails for another reason writes why into a pipe, and the
// parent puts that text in the FAILED line.
import SwiftletUser

/// What the parent expects from a case's child.
enum Outcome {
    /// The kernel kills it for a fault of this kind at an address in
    /// `addresses`: waitinfo reports status -1, the cause and the address.
    case killed(EndCause, at: AddressRange)
    /// It exits with this status (0: every check in it passed).
    case exits(Int32)
}

/// The fault addresses a case accepts: `low..<high`.
struct AddressRange {
    let low: UInt
    let high: UInt
    static func exactly(_ address: UInt) -> AddressRange { AddressRange(low: address, high: address &+ 1) }
    func contains(_ address: UInt64) -> Bool { address >= UInt64(low) && address < UInt64(high) }
}

var passed = 0
var failed = 0
var skipped = 0
/// `memtest strict` (as init runs it in the check images): a case that
/// cannot run here fails instead of being skipped.
var strict = false
/// A case's exit status when it cannot run in this image.
let skippedStatus: Int32 = 77
/// In a child: where `fail` writes its reason.
var reasonFD: Int32 = -1

/// In a child: records why the case failed; returns the exit status for that.
func fail(_ why: Format) -> Int32 {
    if reasonFD >= 0 { put(reasonFD, why) }
    return 1
}

/// A case's name: a literal, and a second literal some names add (Targets' names).
struct CaseName {
    let first: StaticString
    let second: StaticString
}

/// Prints the case's line, in pieces (a reason can be long; the stack is small).
func report(_ name: CaseName, ok: Bool, _ why: Format) {
    out("memtest: \(name.first)\(name.second): ")
    if ok {
        passed += 1
        out("ok\n")
    } else {
        failed += 1
        out("FAILED (")
        why.withBytes { _ = writeAll(1, $0) }
        out(")\n")
    }
}

/// Runs `body` in a child and checks how the child ended.
func run(_ first: StaticString, _ second: StaticString = "", expect: Outcome, _ body: () -> Int32) {
    let name = CaseName(first: first, second: second)
    let reasons = Sys.pipe()
    let pid = Sys.fork()
    if pid == 0 {
        if let reasons {
            _ = Sys.close(reasons.read)
            reasonFD = reasons.write
        }
        Sys.exit(body())
    }
    if let reasons { _ = Sys.close(reasons.write) }
    defer { if let reasons { _ = Sys.close(reasons.read) } }
    if pid < 0 {
        report(name, ok: false, "fork failed")
        return
    }
    var ending: ExitInfo? = nil
    while let info = Sys.waitInfo() {
        if info.pid == pid {
            ending = info
            break
        }
    }
    guard let ending else {
        report(name, ok: false, "waitinfo did not return the child")
        return
    }
    let status = ending.status
    // The child's reason, if it wrote one (it has exited: the read cannot block on it).
    var reason: InlineArray<100, UInt8> = .init(repeating: 0)
    var reasonLength = 0
    if let reasons, status > 0 {
        reasonLength = max(0, withUnsafeMutableBytes(of: &reason) { Sys.read(reasons.read, into: $0) })
    }
    withUnsafeBytes(of: &reason) { raw in
        let text = UnsafeRawBufferPointer(rebasing: raw[0..<reasonLength])
        switch expect {
        case .killed(let cause, let addresses):
            if status == -1 && ending.cause == cause.rawValue && addresses.contains(ending.address) {
                report(name, ok: true, "")
            } else if status == -1 {
                report(
                    name, ok: false,
                    "killed with cause \(ending.cause) at \(hex: UInt(ending.address)), expected cause \(cause.rawValue) in \(hex: addresses.low)..<\(hex: addresses.high)"
                )
            } else if reasonLength > 0 {
                report(name, ok: false, "not killed: \(bytes: text)")
            } else {
                report(name, ok: false, "not killed: exited with status \(status)")
            }
        case .exits(let wanted):
            if status == skippedStatus && !strict {
                skipped += 1
                out("memtest: \(name.first)\(name.second): skipped (its file is only in the check images)\n")
            } else if status == wanted {
                report(name, ok: true, "")
            } else if status == -1 {
                report(name, ok: false, "killed, expected exit status \(wanted)")
            } else if reasonLength > 0 {
                report(name, ok: false, "\(bytes: text)")
            } else {
                report(name, ok: false, "exit status \(status), expected \(wanted)")
            }
        }
    }
}
