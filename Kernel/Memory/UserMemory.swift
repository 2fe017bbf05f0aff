/// Moves bytes between the kernel and the current process's memory. Every
/// call checks the whole user range first (mapped, user-accessible, writable
/// for copy-out, inside user space) and reports false/nil instead of faulting.
enum UserMemory {
    static func copyIn(from source: VirtualAddress, into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        do throws(CopyError) {
            try Processes.slots[Processes.current].space!.copyIn(from: source, into: buffer)
            return true
        } catch {
            return false
        }
    }

    static func copyOut(to destination: VirtualAddress, from bytes: UnsafeRawBufferPointer) -> Bool {
        do throws(CopyError) {
            try Processes.slots[Processes.current].space!.copyOut(to: destination, from: bytes)
            return true
        } catch {
            return false
        }
    }

    /// Copies a NUL-terminated string into `buffer`; its length, or nil when
    /// the pointer is bad or no NUL comes within the buffer.
    static func copyInString(from source: VirtualAddress, into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        do throws(CopyError) {
            return try Processes.slots[Processes.current].space!.copyInString(from: source, into: buffer, maxLength: buffer.count)
        } catch {
            return nil
        }
    }

    static func copyIn(from source: VirtualAddress, into chunk: inout KernelBuffer, count: Int) -> Bool {
        withUnsafeMutableBytes(of: &chunk.bytes) { copyIn(from: source, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<count])) }
    }

    static func copyOut(to destination: VirtualAddress, from chunk: inout KernelBuffer, count: Int) -> Bool {
        withUnsafeBytes(of: &chunk.bytes) { copyOut(to: destination, from: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }
}
