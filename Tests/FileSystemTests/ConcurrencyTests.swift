import FileSystemTools
import Foundation
import Testing

@testable import FileSystem

/// Several processes inside the core at once, on one CPU: each sleeps in
/// every disk request, so the others run in the middle of its calls.
@Suite struct ConcurrencyTests {
    @Test(.timeLimit(.minutes(1))) func processesInterleavingInsideTheCoreStayConsistent() throws {
        let host = OneCPUHost()
        let disk = makeFileSystemImage()
        disk.duringRequest = { host.diskRequest() }
        let mounted = try host.run { try MountedVolume(disk: disk, host: host) }
        try host.run { try mounted.makeDirectory("/shared") }

        let processes = 4
        let errors = ErrorList()
        // One thread per process (a shared pool might run them one after another).
        let finished = DispatchGroup()
        for index in 0..<processes {
            finished.enter()
            Thread {
                defer { finished.leave() }
                do {
                    try host.run {
                        let data = FileOperation.bytes(count: 9000, seed: UInt8(index))
                        let file = try mounted.open("/f\(index)", create: true, writable: true)
                        for piece in stride(from: 0, to: data.count, by: 1500) {
                            let end = min(piece + 1500, data.count)
                            _ = try mounted.write(file, Array(data[piece..<end]), at: piece)
                        }
                        let back = try mounted.read(file, at: 0, count: data.count)
                        try mounted.volume.close(file)
                        if back != data { throw TestFailure("f\(index) read back differs") }
                        for round in 0..<6 {
                            let name = "/shared/p\(index)r\(round)"
                            try mounted.volume.close(mounted.open(name, create: true, writable: true))
                            try mounted.link(name, name + "L")
                            if round % 2 == 0 { try mounted.unlink(name) }
                        }
                        try mounted.makeDirectory("/d\(index)")
                        try mounted.volume.close(mounted.open("/d\(index)/x", create: true))
                    }
                } catch {
                    errors.append("process \(index): \(error)")
                }
            }.start()
        }
        finished.wait()
        #expect(errors.all == [])
        #expect(host.violations == [])
        // The sleep locks and the log really were contended.
        #expect(host.sleeps[.buffer, default: 0] + host.sleeps[.inode, default: 0] > 0)
        #expect(host.sleeps[.log, default: 0] > 0)

        let names = try host.run { try mounted.list("/shared") }
        #expect(names.count == 2 + processes * 9)
        disk.duringRequest = nil
        #expect(fsckFindings(disk) == [])
        let again = try MountedTestVolume(disk: RAMDisk(image: disk.blocks))
        for index in 0..<processes {
            #expect(try again.contents("/f\(index)") == FileOperation.bytes(count: 9000, seed: UInt8(index)))
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Errors collected from several threads.
final class ErrorList: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func append(_ text: String) { lock.withLock { list.append(text) } }
    var all: [String] { lock.withLock { list } }
}
