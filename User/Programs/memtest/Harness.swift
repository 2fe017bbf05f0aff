// memtest's harness: every case runs in a forked child, because many are
// meant to crash it. The parent waits and judges the child's exit status;
// a child that fails for another reason writes why into a pipe, and the
// parent puts that text in the FAILED line.
import SwiftletUser

/// What the parent expects from a case's child.
enum Outcome {
    /// The kernel kills it for a fault: wait reports -1.
    case killed
    /// It exits with this status (0: every check in it passed).
    case exits(Int32)
}

var passed = 0
var failed = 0
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
    var status: Int32 = 0
    var found = false
    while let (child, childStatus) = Sys.wait() {
        if child == pid {
            status = childStatus
            found = true
            break
        }
    }
    if !found {
        report(name, ok: false, "wait did not return the child")
        return
    }
    // The child's reason, if it wrote one (it has exited: the read cannot block on it).
    var reason: InlineArray<100, UInt8> = .init(repeating: 0)
    var reasonLength = 0
    if let reasons, status > 0 {
        reasonLength = max(0, withUnsafeMutableBytes(of: &reason) { Sys.read(reasons.read, into: $0) })
    }
    withUnsafeBytes(of: &reason) { raw in
        let text = UnsafeRawBufferPointer(rebasing: raw[0..<reasonLength])
        switch expect {
        case .killed:
            if status == -1 {
                report(name, ok: true, "")
            } else if reasonLength > 0 {
                report(name, ok: false, "not killed: \(bytes: text)")
            } else {
                report(name, ok: false, "not killed: exited with status \(status)")
            }
        case .exits(let wanted):
            if status == wanted {
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
