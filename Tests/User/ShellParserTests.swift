// Host tests for the shell's parser (User/Programs/sh/Parser.swift), built
// and run by `make user-host-test`. Each parse is rendered back as text:
// commands as [word,word <in >out], joined by " | ", jobs joined by " ; ",
// background jobs ending in " &".

var failures = 0
var checks = 0

func parse(_ text: String) -> Result<String, ParseError> {
    var bytes = Array(text.utf8)
    let length = bytes.count
    bytes.append(0xEE)  // room for the last NUL, filled with junk so a missing NUL shows
    return bytes.withUnsafeMutableBufferPointer { line -> Result<String, ParseError> in
        let parsed: ParsedLine
        do throws(ParseError) {
            parsed = try parseLine(line, length: length)
        } catch {
            return .failure(error)
        }
        func word(_ offset: Int) -> String {
            precondition(offset >= 0 && offset <= length, "offset out of the line")
            var end = offset
            while line[end] != 0 { end += 1; precondition(end <= length, "word without NUL") }
            return String(decoding: line[offset..<end], as: UTF8.self)
        }
        var jobs: [String] = []
        for j in 0..<parsed.jobCount {
            let job = parsed.jobs[j]
            var commands: [String] = []
            for c in 0..<Int(job.commandCount) {
                let command = parsed.command(job, c)
                precondition(command.wordCount > 0)
                var parts: [String] = []
                for w in 0..<Int(command.wordCount) {
                    parts.append(word(parsed.word(command, w)))
                }
                var text = "[" + parts.joined(separator: ",")
                if command.input >= 0 { text += " <" + word(Int(command.input)) }
                if command.output >= 0 { text += " >" + word(Int(command.output)) }
                commands.append(text + "]")
            }
            jobs.append(commands.joined(separator: " | ") + (job.background ? " &" : ""))
        }
        return .success(jobs.joined(separator: " ; "))
    }
}

func expect(_ line: String, _ wanted: String, file: StaticString = #file, lineNumber: UInt = #line) {
    checks += 1
    switch parse(line) {
    case .success(let got) where got == wanted: break
    case .success(let got):
        failures += 1
        print("FAIL line \(lineNumber): parse(\(line.debugDescription)) = \(got.debugDescription), wanted \(wanted.debugDescription)")
    case .failure(let error):
        failures += 1
        print("FAIL line \(lineNumber): parse(\(line.debugDescription)) threw \(error), wanted \(wanted.debugDescription)")
    }
}

func expect(_ line: String, throws wanted: ParseError, lineNumber: UInt = #line) {
    checks += 1
    switch parse(line) {
    case .failure(let error) where error == wanted: break
    case .failure(let error):
        failures += 1
        print("FAIL line \(lineNumber): parse(\(line.debugDescription)) threw \(error), wanted \(wanted)")
    case .success(let got):
        failures += 1
        print("FAIL line \(lineNumber): parse(\(line.debugDescription)) = \(got.debugDescription), wanted error \(wanted)")
    }
}

@main
struct ShellParserTests {
    static func main() {
        // Empty lines and blanks.
        expect("", "")
        expect("   \t ", "")
        expect(";", "")
        expect(" ; ; ", "")
        // Words.
        expect("echo", "[echo]")
        expect("echo hello world", "[echo,hello,world]")
        expect("  echo   a\tb  ", "[echo,a,b]")
        // Pipes, sequences, background.
        expect("a|b|c", "[a] | [b] | [c]")
        expect("cat f | wc", "[cat,f] | [wc]")
        expect("a ; b", "[a] ; [b]")
        expect("a;b", "[a] ; [b]")
        expect("a ;; b ;", "[a] ; [b]")
        expect("a &", "[a] &")
        expect("a&b", "[a] & ; [b]")
        expect("a & b &", "[a] & ; [b] &")
        expect("a | b & c ; d | e", "[a] | [b] & ; [c] ; [d] | [e]")
        // Redirections, with and without blanks, anywhere in the command.
        expect("cat < in > out", "[cat <in >out]")
        expect("cat<in>out", "[cat <in >out]")
        expect("< in cat x", "[cat,x <in]")
        expect("echo a > f b", "[echo,a,b >f]")
        expect("a < x | b > y", "[a <x] | [b >y]")
        expect("a > f1 > f2", "[a >f2]")
        // Quotes keep blanks and operators.
        expect("echo \"a b|c\" d", "[echo,a b|c,d]")
        expect("echo x\"y z\"w", "[echo,xy zw]")
        expect("echo \"\"", "[echo,]")
        expect("echo \";\";x", "[echo,;] ; [x]")
        // Errors.
        expect("| a", throws: .missingCommand)
        expect("a |", throws: .missingCommand)
        expect("a | | b", throws: .missingCommand)
        expect("a | ; b", throws: .missingCommand)
        expect("&", throws: .missingCommand)
        expect("a ; &", throws: .missingCommand)
        expect("< in", throws: .missingCommand)
        expect("a >", throws: .missingFileName)
        expect("a > | b", throws: .missingFileName)
        expect("a < < b", throws: .missingFileName)
        expect("echo \"abc", throws: .unterminatedQuote)
        // Limits.
        let words32 = Array(repeating: "w", count: 32).joined(separator: " ")
        expect(words32, "[" + Array(repeating: "w", count: 32).joined(separator: ",") + "]")
        expect(words32 + " w", throws: .tooManyWords)
        let pipe16 = Array(repeating: "a", count: 16).joined(separator: "|")
        expect(pipe16, Array(repeating: "[a]", count: 16).joined(separator: " | "))
        expect(pipe16 + "|a", throws: .tooManyCommands)
        let jobs16 = Array(repeating: "a", count: 16).joined(separator: ";")
        expect(jobs16, Array(repeating: "[a]", count: 16).joined(separator: " ; "))

        // Random lines over the shell's alphabet: the parser must never trap,
        // and a successful parse must render (which checks every offset and NUL).
        var state: UInt64 = 0x5EED
        let alphabet = Array("ab |;&<>\" \t".utf8)
        for _ in 0..<20_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let length = Int(state >> 59)  // 0..31
            var line: [UInt8] = []
            for _ in 0..<length {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                line.append(alphabet[Int(state >> 33) % alphabet.count])
            }
            checks += 1
            _ = parse(String(decoding: line, as: UTF8.self))
        }

        print("shell parser: \(checks - failures) passed, \(failures) failed")
        if failures > 0 { exit(1) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
