import Foundation
@testable import ShellSyntax

/// A parsed script with its bytes, for checking `script[range]` texts.
struct Parsed {
    let bytes: [UInt8]
    let script: ShellScript

    init(_ text: String) {
        bytes = Array(text.utf8)
        script = ShellParser.parse(bytes)
    }

    init(bytes: [UInt8]) {
        self.bytes = bytes
        script = ShellParser.parse(bytes)
    }

    var commands: [SimpleCommand] { script.commands }
    var argvs: [[String]] { commands.map(\.argv) }
    /// `script[range]` of every command.
    var texts: [String] { commands.map { text($0.range) } }

    func text(_ r: Range<Int>) -> String { String(decoding: bytes[r], as: UTF8.self) }

    /// The first command named `name`.
    func command(_ name: String) -> SimpleCommand? { commands.first { $0.name == name } }
}

/// Paths of the shared corpus (a sibling of the repository).
enum Shared {
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let root: URL = repoRoot.deletingLastPathComponent().appendingPathComponent("shared")
    static let dockerfiles: URL = root.appendingPathComponent("corpus/dockerfiles")

    static func files() -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dockerfiles.path)) ?? []
        return names.sorted().map { dockerfiles.appendingPathComponent($0) }
    }

    /// The text after `RUN` of every RUN instruction of a Dockerfile, with
    /// backslash-continued lines appended (continuations kept as written).
    static func runBodies(_ data: [UInt8]) -> [[UInt8]] {
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        var result: [[UInt8]] = []
        var i = 0
        func continued(_ b: [UInt8]) -> Bool {
            var e = b.count
            while e > 0 && (b[e - 1] == 0x20 || b[e - 1] == 0x09 || b[e - 1] == 0x0D) { e -= 1 }
            return e > 0 && b[e - 1] == 0x5C
        }
        while i < lines.count {
            let line = Array(lines[i].drop { $0 == 0x20 || $0 == 0x09 })
            i += 1
            guard line.count > 4, line[0] | 0x20 == 0x72, line[1] | 0x20 == 0x75, line[2] | 0x20 == 0x6E,
                  line[3] == 0x20 || line[3] == 0x09 else { continue }
            var body = Array(line[4...])
            while continued(body) && i < lines.count {
                body.append(0x0A)
                body.append(contentsOf: lines[i])
                i += 1
            }
            result.append(body)
        }
        return result
    }
}

/// Deterministic PRNG (SplitMix64).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Structural invariants every parse must satisfy, whatever the input.
/// Returns a description of the first violation, or nil.
func invariantViolation(_ bytes: [UInt8], _ s: ShellScript) -> String? {
    let n = bytes.count
    func inside(_ r: Range<Int>) -> Bool { r.lowerBound >= 0 && r.upperBound <= n }
    var previousStart = 0
    for (i, c) in s.commands.enumerated() {
        guard inside(c.range) else { return "command \(i) range \(c.range) outside 0..<\(n)" }
        guard c.range.lowerBound >= previousStart else { return "command \(i) out of order" }
        previousStart = c.range.lowerBound
        var last = c.range.lowerBound
        for w in c.assignments + c.words {
            guard inside(w.range) else { return "word range \(w.range) outside input" }
            guard w.range.lowerBound >= last, w.range.upperBound <= c.range.upperBound else {
                return "command \(i): word \(w.range) not ordered inside \(c.range)"
            }
            last = w.range.upperBound
        }
        for r in c.redirections {
            guard inside(r.range), r.range.lowerBound >= c.range.lowerBound, r.range.upperBound <= c.range.upperBound
            else { return "command \(i): redirection \(r.range) outside \(c.range)" }
            if let t = r.target, !(r.range.lowerBound <= t.range.lowerBound && t.range.upperBound <= r.range.upperBound) {
                return "command \(i): redirection target outside redirection"
            }
        }
        guard s.pipelines.indices.contains(c.pipeline) else { return "command \(i): bad pipeline \(c.pipeline)" }
        guard c.positionInPipeline < c.pipelineLength, c.pipelineLength == s.pipelines[c.pipeline].stages.count else {
            return "command \(i): position \(c.positionInPipeline) / \(c.pipelineLength)"
        }
        guard c.depth >= 0, c.depth <= ShellParser.maxNesting + 1 else { return "command \(i): depth \(c.depth)" }
    }
    // Commands of the same depth and origin never overlap.
    var lastEnd: [String: Int] = [:]
    for (i, c) in s.commands.enumerated() {
        let key = "\(c.depth)/\(c.origin)"
        if let e = lastEnd[key], c.range.lowerBound < e {
            return "command \(i) \(c.range) overlaps an earlier command at \(key)"
        }
        lastEnd[key] = c.range.upperBound
    }
    for (i, p) in s.pipelines.enumerated() {
        guard p.index == i, inside(p.range), !p.stages.isEmpty else { return "pipeline \(i) malformed" }
        guard p.operators.count == p.stages.count - 1 else { return "pipeline \(i): operators" }
        var last = p.range.lowerBound
        for st in p.stages {
            guard st.range.lowerBound >= last, st.range.upperBound <= p.range.upperBound else {
                return "pipeline \(i): stage \(st.range) not ordered inside \(p.range)"
            }
            last = st.range.upperBound
            for k in st.commands where !(st.range.lowerBound <= s.commands[k].range.lowerBound
                                         && s.commands[k].range.upperBound <= st.range.upperBound) {
                return "pipeline \(i): stage command \(k) outside the stage"
            }
            if let k = st.command, s.commands[k].pipeline != i { return "pipeline \(i): stage command \(k) elsewhere" }
        }
    }
    return nil
}
