import Foundation
import Testing
@testable import DockerfileSyntax

/// Random mutations of real Dockerfiles and hand-made pathological inputs must
/// never crash or hang the parser, and every span it reports must lie inside
/// the file and be well ordered. (The long differential sweep against BuildKit
/// lives in Tests/Differential/fuzz.py, run by .ci/run.)
@Suite struct RobustnessTests {
    /// SplitMix64: a small deterministic generator so failures reproduce.
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
    }

    static let tokens: [[UInt8]] = ["\\", "\\\n", "`", "<<", "<<EOF", "<<-EOF", "\nEOF\n", "<<'EOF'", "3<<EOF",
        "[", "]", "[\"a\", 1]", "\"", "'", "\n", "\r\n", "\r", "#", "# escape=`\n", " ", "\t", "--", "--mount=type=cache ",
        "=", "${A:-b}", "${A#*/}", "$", "{", "}", "\u{0}", "é", "\u{a0}", "ONBUILD ", "RUN ", "ENV ", "LABEL ", "HEALTHCHECK ",
        "COPY ", "ARG ", "FROM "].map { Array($0.utf8) } + [[0xFF], [0xC3], [0xED, 0xA0, 0x80]]

    static func mutate(_ data: [UInt8], _ rng: inout Rng) -> [UInt8] {
        var d = data
        for _ in 0..<(1 + rng.below(6)) {
            let pos = rng.below(d.count + 1)
            switch rng.below(5) {
            case 0: d.removeSubrange(pos...)
            case 1: if !d.isEmpty { d[rng.below(d.count)] = UInt8(truncatingIfNeeded: rng.next()) }
            case 2: d.insert(contentsOf: tokens[rng.below(tokens.count)], at: pos)
            case 3: d.removeSubrange(pos..<min(d.count, pos + 1 + rng.below(20)))
            default:
                let i = rng.below(d.count + 1), j = min(d.count, i + rng.below(200))
                d.insert(contentsOf: d[i..<j], at: pos)
            }
        }
        return d
    }

    static func checkInvariants(_ bytes: [UInt8]) {
        let file = SourceFile(bytes: bytes)
        let df = Dockerfile.parse(file)
        _ = OracleJSON.line(path: "x", result: df.raw)
        _ = ASTPrinter.print(df)
        let n = bytes.count
        func ok(_ s: Span) -> Bool { s.start >= 0 && s.start <= s.end && s.end <= n }
        var lastLine = 0
        for node in df.raw.nodes {
            #expect(ok(node.span) && ok(node.keywordSpan))
            #expect(node.startLine <= node.endLine && node.startLine > lastLine)
            lastLine = node.endLine
            for v in node.values + node.flags { #expect(ok(v.span)) }
            for h in node.heredocs { #expect(ok(h.markerSpan) && ok(h.bodySpan)) }
        }
        for d in df.diagnostics { #expect(ok(d.span), "\(d.id) \(d.span) in \(n) bytes") }
        for ins in df.instructions {
            if case .run(let r) = ins.value, case .shell(let w)? = r.command, !w.raw.isEmpty {
                #expect(ok(w.sourceSpan(0..<w.raw.count)))
            }
        }
    }

    @Test func mutatedCorpusNeverCrashes() {
        let names = Shared.list("corpus/dockerfiles")
        #expect(names.count > 1000)
        var rng = Rng(state: 20261123)
        for k in 0..<600 {
            let data = Shared.read("corpus/dockerfiles/" + names[(k * 7919) % names.count])
            Self.checkInvariants(Self.mutate(data, &rng))
        }
    }

    @Test(arguments: [
        "deep JSON", "deep substitution", "long pattern", "onbuild chain", "only continuations",
        "NUL and invalid UTF-8", "CR only", "many heredocs", "empty",
    ])
    func pathologicalInputs(_ name: String) {
        var b: [UInt8] = []
        switch name {
        case "deep JSON": b = Array("FROM a\nCMD ".utf8) + [UInt8](repeating: 0x5B, count: 30000)
        case "deep substitution":
            b = Array("FROM a\nRUN x ".utf8) + Array(String(repeating: "${a:-", count: 5000).utf8) + Array(" <<EOF\n".utf8)
        case "long pattern":
            b = Array("FROM a\nARG V=x\nENV A=${V#".utf8) + [UInt8](repeating: UInt8(ascii: "*"), count: 50000) + Array("}\n".utf8)
        case "onbuild chain": b = Array("FROM a\n".utf8) + Array(String(repeating: "ONBUILD ", count: 8000).utf8) + Array("RUN x\n".utf8)
        case "only continuations": b = Array(String(repeating: "\\\n", count: 5000).utf8)
        case "NUL and invalid UTF-8": b = [0, 0xFF, 0x0A, 0x46, 0x52, 0x4F, 0x4D, 0x20, 0xC3, 0x0A, 0xED, 0xA0, 0x80]
        case "CR only": b = Array("FROM a\rRUN b\r".utf8)
        case "many heredocs": b = Array("FROM a\nRUN ".utf8) + Array(String(repeating: "<<E ", count: 3000).utf8) + Array("\n".utf8)
        default: b = []
        }
        Self.checkInvariants(b)
    }
}
