import FileSystem

/// The host of single-threaded tests. Nobody else can run, so a wait would
/// never end: `sleep` records it (contention inside one caller is a
/// deadlock) and stops the test. It also checks the spinlock discipline:
/// no lock taken twice, released only by its holder, and `sleep` only with
/// the lock it names held.
final class SingleCallerHost: FileSystemHost, @unchecked Sendable {
    var held: [FileSystemSpinlock] = []
    var sleeps: [FileSystemChannel] = []
    var wakeups = 0
    /// Times each spinlock was taken (what the fast paths save).
    var acquisitions: [FileSystemSpinlock: Int] = [:]

    func acquire(_ lock: FileSystemSpinlock) {
        precondition(!held.contains(lock), "spinlock \(lock) taken twice")
        held.append(lock)
        acquisitions[lock, default: 0] += 1
    }

    func release(_ lock: FileSystemSpinlock) {
        precondition(held.last == lock, "spinlock \(lock) released out of order (held: \(held))")
        held.removeLast()
    }

    func sleep(on channel: FileSystemChannel, releasing lock: FileSystemSpinlock) {
        sleeps.append(channel)
        preconditionFailure("a single caller would wait forever on \(channel) (self-deadlock)")
    }

    func wakeup(_ channel: FileSystemChannel) { wakeups += 1 }
}
