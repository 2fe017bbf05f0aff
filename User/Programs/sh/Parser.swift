// The shell's command-line parser. Plain Swift with fixed buffers: it is
// compiled into `sh` and, unchanged, into a host test (Tests/User).
//
// Grammar:  line     = job { (";" | "&") job }
//           job      = pipeline, run in the background when "&" ends it
//           pipeline = command { "|" command }
//           command  = { word | "<" word | ">" word }, with at least one word
// Words are split at blanks and at | ; & < >; double quotes keep blanks and
// those characters inside a word. Empty jobs between ";" are skipped.

public enum ShellLimits {
    public static let words = 32
    public static let commands = 16
    public static let jobs = 16
}

public enum ParseError: Error, Equatable {
    case tooManyWords
    case tooManyCommands
    case tooManyJobs
    /// "|" or "&" with no command before it, a "|" with none after it, or only redirections.
    case missingCommand
    /// "<" or ">" not followed by a file name.
    case missingFileName
    case unterminatedQuote
}

// The parse is kept small (16-bit fields, about 300 bytes): the shell
// holds it on a user stack that may be a single page.

/// One command of a pipeline: its arguments are `words[firstWord ..< firstWord + wordCount]`.
public struct ParsedCommand {
    public var firstWord: Int16 = 0
    public var wordCount: Int16 = 0
    /// Byte offset of the file name after "<" or ">", or -1.
    public var input: Int16 = -1
    public var output: Int16 = -1
    public init() {}
}

/// A pipeline: `commands[firstCommand ..< firstCommand + commandCount]`.
public struct ParsedJob {
    public var firstCommand: Int16 = 0
    public var commandCount: Int16 = 0
    public var background = false
    public init() {}
}

/// A parsed line. Words stay in the caller's line buffer, each ended by a
/// NUL the parser wrote; `words` holds their byte offsets.
public struct ParsedLine {
    public static let maxLength = Int(Int16.max)
    public var words: InlineArray<32, Int16> = .init(repeating: 0)
    public var wordCount = 0
    public var commands: InlineArray<16, ParsedCommand> = .init(repeating: ParsedCommand())
    public var commandCount = 0
    public var jobs: InlineArray<16, ParsedJob> = .init(repeating: ParsedJob())
    public var jobCount = 0
    public init() {}

    /// Byte offset of argument `index` of `command`.
    public func word(_ command: ParsedCommand, _ index: Int) -> Int { Int(words[Int(command.firstWord) + index]) }
    /// Command `index` of `job`.
    public func command(_ job: ParsedJob, _ index: Int) -> ParsedCommand { commands[Int(job.firstCommand) + index] }
}

enum Token: Equatable {
    case word(Int)  // byte offset
    case op(UInt8)  // | ; & < >
    case end
}

/// Splits a line into tokens, rewriting it in place: quotes are removed and
/// each word gets a terminating NUL.
struct Tokenizer {
    let line: UnsafeMutableBufferPointer<UInt8>
    let length: Int
    var index = 0
    var pending: UInt8 = 0  // an operator whose byte a word's NUL replaced

    static func isBlank(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 10 || c == 13 }
    static func isOperator(_ c: UInt8) -> Bool {
        c == UInt8(ascii: "|") || c == UInt8(ascii: ";") || c == UInt8(ascii: "&")
            || c == UInt8(ascii: "<") || c == UInt8(ascii: ">")
    }

    mutating func next() throws(ParseError) -> Token {
        if pending != 0 {
            let op = pending
            pending = 0
            return .op(op)
        }
        while index < length && Tokenizer.isBlank(line[index]) { index += 1 }
        guard index < length else { return .end }
        let c = line[index]
        if Tokenizer.isOperator(c) {
            index += 1
            return .op(c)
        }
        // A word: copy it onto itself without quotes (the write position never passes the read position).
        let start = index
        var write = index
        var quoted = false
        while index < length {
            let b = line[index]
            if b == UInt8(ascii: "\"") {
                quoted.toggle()
                index += 1
                continue
            }
            if !quoted && (Tokenizer.isBlank(b) || Tokenizer.isOperator(b)) { break }
            line[write] = b
            write += 1
            index += 1
        }
        if quoted { throw .unterminatedQuote }
        let stop: UInt8 = index < length ? line[index] : 0
        line[write] = 0
        if index < length {
            if Tokenizer.isOperator(stop) { pending = stop }
            index += 1
        }
        return .word(start)
    }
}

/// Parses `line[0 ..< length]`; `line` must have room for one more byte
/// (the last word's NUL).
public func parseLine(_ line: UnsafeMutableBufferPointer<UInt8>, length: Int) throws(ParseError) -> ParsedLine {
    var result = ParsedLine()
    try parseLine(line, length: length, into: &result)
    return result
}

/// The same, into `result` (which the shell keeps off its small stack).
public func parseLine(_ line: UnsafeMutableBufferPointer<UInt8>, length: Int, into result: inout ParsedLine) throws(ParseError) {
    precondition(length < line.count, "line buffer needs room for a NUL")
    precondition(length <= ParsedLine.maxLength, "line too long")
    result = ParsedLine()
    var tokens = Tokenizer(line: line, length: length)
    var commandOpen = false  // commands[commandCount] is being filled
    var needCommand = false  // a "|" was seen: a command must follow
    var redirect: UInt8 = 0  // "<" or ">" waiting for its file name
    var jobStart = 0
    var current = ParsedCommand()

    func openCommand() throws(ParseError) {
        if !commandOpen {
            guard result.commandCount < ShellLimits.commands else { throw .tooManyCommands }
            current = ParsedCommand()
            current.firstWord = Int16(result.wordCount)
            commandOpen = true
        }
    }
    func closeCommand() throws(ParseError) {
        guard current.wordCount > 0 else { throw .missingCommand }
        result.commands[result.commandCount] = current
        result.commandCount += 1
        commandOpen = false
    }

    while true {
        let token = try tokens.next()
        switch token {
        case .word(let offset):
            if redirect != 0 {
                if redirect == UInt8(ascii: "<") { current.input = Int16(offset) } else { current.output = Int16(offset) }
                redirect = 0
            } else {
                try openCommand()
                guard result.wordCount < ShellLimits.words else { throw .tooManyWords }
                result.words[result.wordCount] = Int16(offset)
                result.wordCount += 1
                current.wordCount += 1
            }
        case .op(let op) where op == UInt8(ascii: "<") || op == UInt8(ascii: ">"):
            guard redirect == 0 else { throw .missingFileName }
            try openCommand()
            redirect = op
        case .op(let op) where op == UInt8(ascii: "|"):
            guard redirect == 0 else { throw .missingFileName }
            guard commandOpen else { throw .missingCommand }
            try closeCommand()
            needCommand = true
        case .op, .end:
            guard redirect == 0 else { throw .missingFileName }
            var background = false
            if case .op(let op) = token, op == UInt8(ascii: "&") { background = true }
            if commandOpen {
                try closeCommand()
            } else if needCommand || background {
                throw .missingCommand
            }
            needCommand = false
            if result.commandCount > jobStart {
                guard result.jobCount < ShellLimits.jobs else { throw .tooManyJobs }
                var job = ParsedJob()
                job.firstCommand = Int16(jobStart)
                job.commandCount = Int16(result.commandCount - jobStart)
                job.background = background
                result.jobs[result.jobCount] = job
                result.jobCount += 1
                jobStart = result.commandCount
            }
            if token == .end { return }
        }
    }
}
