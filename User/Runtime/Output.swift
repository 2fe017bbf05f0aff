// Writing text to file descriptors.

/// Writes all of `bytes` to `fd`, looping over short writes; false on an error.
@discardableResult
public func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    var done = 0
    while done < bytes.count {
        let n = Sys.write(fd, bytes.baseAddress! + done, bytes.count - done)
        if n <= 0 { return false }
        done += n
    }
    return true
}

/// Writes formatted text to `fd`.
public func put(_ fd: Int32, _ text: Format) {
    text.withBytes { _ = writeAll(fd, $0) }
}

/// Writes formatted text to standard output (fd 1).
public func out(_ text: Format) { put(1, text) }

/// Writes formatted text to standard error (fd 2).
public func err(_ text: Format) { put(2, text) }
