import FileSystem
import Foundation

/// A host that runs the core the way the kernel does today: several
/// callers (threads standing for processes) on one CPU. A caller runs only
/// while it holds `cpu`; it gives the CPU up only by sleeping on a channel
/// or inside a disk request (the driver sleeps the caller), so the core
/// sees real interleavings and real contention on its sleep locks and log.
/// The spinlock discipline is checked and broken rules are collected:
/// no spinlock taken twice (on one CPU that would spin forever), `sleep`
/// only with the lock it names held and no other, no spinlock held while
/// the disk sleeps the caller.
final class OneCPUHost: FileSystemHost, @unchecked Sendable {
    let cpu = NSCondition()
    private var held: [FileSystemSpinlock] = []
    private var sleepers: [Sleeper] = []
    private(set) var violations: [String] = []
    private(set) var sleeps: [FileSystemChannel.Kind: Int] = [:]

    private final class Sleeper {
        let channel: FileSystemChannel
        var woken = false
        init(_ channel: FileSystemChannel) { self.channel = channel }
    }

    /// Runs `body` as one process: it holds the CPU except while it sleeps.
    func run<R>(_ body: () throws -> R) rethrows -> R {
        cpu.lock()
        defer { cpu.unlock() }
        return try body()
    }

    func acquire(_ lock: FileSystemSpinlock) {
        if held.contains(lock) { violations.append("spinlock \(lock) taken while held") }
        held.append(lock)
    }

    func release(_ lock: FileSystemSpinlock) {
        guard let index = held.lastIndex(of: lock) else {
            violations.append("spinlock \(lock) released but not held")
            return
        }
        held.remove(at: index)
    }

    func sleep(on channel: FileSystemChannel, releasing lock: FileSystemSpinlock) {
        if held != [lock] { violations.append("sleep on \(channel) holding \(held), releasing \(lock)") }
        sleeps[channel.kind, default: 0] += 1
        release(lock)
        let me = Sleeper(channel)
        sleepers.append(me)
        while !me.woken { cpu.wait() }
        acquire(lock)
    }

    func wakeup(_ channel: FileSystemChannel) {
        var any = false
        sleepers.removeAll { sleeper in
            guard sleeper.channel == channel else { return false }
            sleeper.woken = true
            any = true
            return true
        }
        if any { cpu.broadcast() }
    }

    /// The disk sleeps the caller: another caller may run meanwhile.
    func diskRequest() {
        if !held.isEmpty { violations.append("disk request holding spinlocks \(held)") }
        cpu.unlock()
        usleep(UInt32.random(in: 0...200))
        cpu.lock()
    }
}

/// A value handed to the threads of a `OneCPUHost` test: they use it only
/// while holding the CPU.
final class SharedWithCallers<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
