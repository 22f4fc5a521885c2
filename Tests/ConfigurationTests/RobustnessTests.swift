import Foundation
import Testing
@testable import Configuration

/// Random mutations of a valid configuration must never crash or hang the parser; every error
/// must point inside the text, and everything accepted must render and parse back unchanged.
@Suite struct RobustnessTests {
    /// SplitMix64: deterministic, so a failure reproduces.
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

    static let seed = """
        --- # dflint
        ignore: [DF101, root-user]
        severity:
          DF120: warning
          latest-tag: off
        trusted-registries:
          - ghcr.io
          - "*.gcr.io"
        failure-threshold: warning
        secrets:
          allow: ['TEST_*', "\\u00e9*"]
        format: json
        cis-only: yes
        scored-only: false
        ...

        """

    static let tokens: [String] = ["\n", "\r\n", "\r", " ", "  ", "\t", "-", "- ", ":", ": ", "#", " #", "[", "]", "{", "}", ",",
        "\"", "'", "''", "\\", "\\u", "&a ", "*a", "!t ", "|", ">", "? ", "%", "@", "`", "~", "---", "...", "\u{FEFF}", "é",
        "\u{0}", "\u{85}", "x", "0", "null", "true", "DF101", "ignore", "format: ", "cis-only: "]

    static func mutate(_ text: String, _ rng: inout Rng) -> String {
        var s = Array(text.unicodeScalars)
        for _ in 0..<(1 + rng.below(4)) {
            let pos = rng.below(s.count + 1)
            switch rng.below(5) {
            case 0:
                s.insert(contentsOf: tokens[rng.below(tokens.count)].unicodeScalars, at: pos)
            case 1:
                s.removeSubrange(pos..<min(s.count, pos + 1 + rng.below(8)))
            case 2:
                if !s.isEmpty { s[rng.below(s.count)] = tokens[rng.below(tokens.count)].unicodeScalars.first ?? "x" }
            case 3:
                let i = rng.below(s.count + 1), j = min(s.count, i + rng.below(40))
                s.insert(contentsOf: s[i..<j], at: pos)
            default:
                s.removeSubrange(pos...)
            }
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: s)
        return String(out)
    }

    @Test func randomMutationsNeverCrashOrHang() throws {
        var rng = Rng(state: 0xDF11_2024)
        let rules: Set<String> = ["DF101", "DF120", "root-user", "latest-tag"]
        let clock = ContinuousClock()
        let start = clock.now
        var accepted = 0, rejected = 0
        for _ in 0..<4000 {
            let text = Self.mutate(Self.seed, &rng)
            let lines = text.unicodeScalars.reduce(1) { $1 == "\n" || $1 == "\r" ? $0 + 1 : $0 }
            do {
                let config = try ConfigLoader.parse(text, path: "fuzz", knownRules: rng.below(2) == 0 ? rules : nil)
                accepted += 1
                let again = try ConfigLoader.parse(config.yaml(), path: "rendered", knownRules: nil)
                #expect(again == config, "\(text)")
            } catch {
                rejected += 1
                #expect(error.path == "fuzz" || error.path == "rendered")
                #expect(error.line >= 1 && error.line <= lines + 1, "\(error) in \(text.debugDescription)")
                #expect(error.column >= 1, "\(error) in \(text.debugDescription)")
                #expect(!error.message.isEmpty)
            }
        }
        #expect(accepted > 100)
        #expect(rejected > 100)
        #expect(clock.now - start < .seconds(10))
    }

    @Test(arguments: [
        String(repeating: "[", count: 50_000),
        String(repeating: "{a: ", count: 20_000),
        String(repeating: "- ", count: 20_000),
        String(repeating: "a:\n", count: 20_000),
        String(repeating: "#", count: 100_000),
        String(repeating: " ", count: 100_000) + "x",
        String(repeating: "\n", count: 100_000),
        String(repeating: "\"", count: 100_001),
        "ignore: [" + String(repeating: "a,", count: 50_000) + "]",
        "k: " + String(repeating: "x", count: 200_000) + ":",
        String(repeating: "x", count: 10_000) + ": 1",
    ])
    func pathologicalInputsTerminate(_ text: String) {
        let clock = ContinuousClock()
        let start = clock.now
        _ = try? ConfigLoader.parse(text, path: "p", knownRules: ["DF101"])
        #expect(clock.now - start < .seconds(5))
    }
}
