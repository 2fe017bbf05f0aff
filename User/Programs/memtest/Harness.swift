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

func report(_ name: Format, ok: Bool, _ why: Format) {
    if ok {
        passed += 1
        out("memtest: \(name): ok\n")
    } else {
        failed += 1
        why.withBytes { out("memtest: \(name): FAILED (\(bytes: $0))\n") }
    }
}

/// Runs `body` in a child and checks how the child ended.
func run(_ name: Format, expect: Outcome, _ body: () -> Int32) {
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
    var reason: InlineArray<200, UInt8> = .init(repeating: 0)
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
