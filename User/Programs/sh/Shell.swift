// sh: reads lines from standard input and runs them (grammar in Parser.swift).
// Builtins: `cd DIR` and `exit`. Prompts "$ " on standard error.
import SwiftletUser

let lineCapacity = 512

/// Reads standard input in chunks and hands out one line at a time.
struct LineReader {
    let buffer: UnsafeMutableRawBufferPointer
    var start = 0
    var end = 0

    /// Copies the next line (without its newline) into `line`; its length, or
    /// nil at end of input. A line too long for `line` is cut short.
    mutating func next(into line: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        var n = 0
        while true {
            if start == end {
                let got = Sys.read(0, into: buffer)
                if got <= 0 { return n > 0 ? n : nil }
                start = 0
                end = got
            }
            let c = buffer[start]
            start += 1
            if c == 10 { return n }
            if n < line.count - 1 {
                line[n] = c
                n += 1
            }
        }
    }
}

/// The argument vector of one command: pointers into the line, then NULL.
struct ArgumentList {
    var pointers: InlineArray<33, UnsafeMutablePointer<CChar>?> = .init(repeating: nil)

    init(_ parsed: UnsafePointer<ParsedLine>, _ command: ParsedCommand, base: UnsafeMutablePointer<UInt8>) {
        for i in 0..<Int(command.wordCount) {
            pointers[i] = word(base, parsed.pointee.word(command, i))
        }
    }
}

func word(_ base: UnsafeMutablePointer<UInt8>, _ offset: Int) -> UnsafeMutablePointer<CChar> {
    UnsafeMutableRawPointer(base + offset).assumingMemoryBound(to: CChar.self)
}

/// Replaces standard input or output (`fd`) with the named file.
@inline(never)
func redirect(_ fd: Int32, to path: UnsafeMutablePointer<CChar>, _ flags: OpenFlags) {
    _ = Sys.close(fd)
    let opened = Sys.open(CString(path), flags)
    if opened < 0 {
        err("sh: cannot open \(CString(path))\n")
        Sys.exit(1)
    }
    if opened != fd {
        // Lower descriptors were closed: move it where it belongs.
        _ = Sys.close(fd)
        _ = Sys.dup(opened)
        _ = Sys.close(opened)
    }
}

/// "/NAME" for a bare program name (no "/" in it), or nil.
func rootedCopy(of name: UnsafeMutablePointer<CChar>) -> InlineArray<64, UInt8>? {
    var copy: InlineArray<64, UInt8> = .init(repeating: 0)
    copy[0] = 47  // "/"
    var i = 0
    while name[i] != 0 {
        if name[i] == 47 || i + 2 >= 64 { return nil }
        copy[i + 1] = UInt8(bitPattern: name[i])
        i += 1
    }
    return copy
}

/// In a child: sets up redirections and becomes the command. Never returns.
@inline(never)
func execute(_ parsed: UnsafePointer<ParsedLine>, _ command: ParsedCommand, base: UnsafeMutablePointer<UInt8>) -> Never {
    if command.input >= 0 { redirect(0, to: word(base, Int(command.input)), .readOnly) }
    if command.output >= 0 { redirect(1, to: word(base, Int(command.output)), .writeOnly | .create | .truncate) }
    var arguments = ArgumentList(parsed, command, base: base)
    let path = word(base, parsed.pointee.word(command, 0))
    _ = withUnsafeMutableBytes(of: &arguments.pointers) { raw in
        let argv = raw.baseAddress!.assumingMemoryBound(to: UnsafeMutablePointer<CChar>?.self)
        _ = Sys.exec(CString(path), argv)
        // The programs live in the root directory: a bare name is also
        // looked for there, so they run from any working directory.
        if var rooted = rootedCopy(of: path) {
            _ = withUnsafeMutableBytes(of: &rooted) { Sys.exec(CString($0.baseAddress!.assumingMemoryBound(to: CChar.self)), argv) }
        }
    }
    err("exec \(CString(path)) failed\n")
    Sys.exit(1)
}

/// Starts every command of a pipeline, each in its own child connected to
/// the next by a pipe, then waits for all of them.
@inline(never)
func runPipeline(_ parsed: UnsafePointer<ParsedLine>, _ job: ParsedJob, base: UnsafeMutablePointer<UInt8>) {
    var pids: InlineArray<16, Int32> = .init(repeating: -1)
    var started = 0
    var previousRead: Int32 = -1
    let count = Int(job.commandCount)
    for k in 0..<count {
        let command = parsed.pointee.command(job, k)
        let last = k == count - 1
        var next: PipeEnds? = nil
        if !last {
            next = Sys.pipe()
            if next == nil {
                err("sh: pipe failed\n")
                break
            }
        }
        let pid = Sys.fork()
        if pid == 0 {
            if previousRead >= 0 {
                _ = Sys.close(0)
                _ = Sys.dup(previousRead)
                _ = Sys.close(previousRead)
            }
            if let next {
                _ = Sys.close(1)
                _ = Sys.dup(next.write)
                _ = Sys.close(next.write)
                _ = Sys.close(next.read)
            }
            execute(parsed, command, base: base)
        }
        if previousRead >= 0 { _ = Sys.close(previousRead) }
        previousRead = -1
        if let next {
            _ = Sys.close(next.write)
            previousRead = next.read
        }
        if pid < 0 {
            err("sh: fork failed\n")
            break
        }
        pids[started] = pid
        started += 1
    }
    if previousRead >= 0 { _ = Sys.close(previousRead) }
    // Wait for exactly our children; anything else reaped here was already finished.
    var remaining = started
    while remaining > 0, let (pid, _) = Sys.wait() {
        for i in 0..<started where pids[i] == pid {
            pids[i] = -1
            remaining -= 1
        }
    }
}

/// Runs a job in the background: a child starts a grandchild that runs the
/// pipeline and exits at once, so the shell reaps it right away and the
/// orphaned grandchild is reaped by init.
@inline(never)
func runInBackground(_ parsed: UnsafePointer<ParsedLine>, _ job: ParsedJob, base: UnsafeMutablePointer<UInt8>) {
    let pid = Sys.fork()
    if pid < 0 {
        err("sh: fork failed\n")
        return
    }
    if pid == 0 {
        let worker = Sys.fork()
        if worker == 0 {
            runPipeline(parsed, job, base: base)
            Sys.exit(0)
        }
        if worker > 0 { out("[\(worker)]\n") }
        Sys.exit(worker < 0 ? 1 : 0)
    }
    while let (reaped, _) = Sys.wait(), reaped != pid {}
}

/// Builtins run in the shell itself; true if `command` was one.
@inline(never)
func runBuiltin(_ parsed: UnsafePointer<ParsedLine>, _ command: ParsedCommand, base: UnsafeMutablePointer<UInt8>) -> Bool {
    let name = CString(word(base, parsed.pointee.word(command, 0)))
    if name.equals("cd") {
        let target: UnsafeMutablePointer<CChar> =
            command.wordCount > 1 ? word(base, parsed.pointee.word(command, 1)) : CString.literal("/")
        if Sys.chdir(CString(target)) < 0 { err("cannot cd \(CString(target))\n") }
        return true
    }
    if name.equals("exit") {
        Sys.exit(0)
    }
    return false
}

func describe(_ error: ParseError) -> StaticString {
    switch error {
    case .tooManyWords: return "too many words"
    case .tooManyCommands: return "too many commands"
    case .tooManyJobs: return "too many jobs"
    case .missingCommand: return "missing command"
    case .missingFileName: return "missing file name"
    case .unterminatedQuote: return "unterminated quote"
    }
}

@_cdecl("main")
func main(_ argc: Int32, _ argv: ArgumentVector) -> Int32 {
    // Standard input, output and error must be open (init gives us the console).
    // Buffers and the parse live on the heap: the user stack may be a single page.
    guard let input = Heap.allocate(bytes: 512), let lineStorage = Heap.allocate(UInt8.self, count: lineCapacity),
        let parsed = Heap.allocate(ParsedLine.self, count: 1)
    else {
        err("sh: out of memory\n")
        return 1
    }
    parsed.initialize(to: ParsedLine())
    var reader = LineReader(buffer: UnsafeMutableRawBufferPointer(start: input, count: 512))
    let line = UnsafeMutableBufferPointer(start: lineStorage, count: lineCapacity)
    while true {
        err("$ ")
        guard let length = reader.next(into: line) else { return 0 }
        do {
            try parseLine(line, length: length, into: &parsed.pointee)
        } catch {
            err("sh: \(describe(error))\n")
            continue
        }
        for j in 0..<parsed.pointee.jobCount {
            let job = parsed.pointee.jobs[j]
            if job.background {
                runInBackground(parsed, job, base: lineStorage)
            } else if job.commandCount == 1,
                runBuiltin(parsed, parsed.pointee.command(job, 0), base: lineStorage)
            {
                continue
            } else {
                runPipeline(parsed, job, base: lineStorage)
            }
        }
    }
}
