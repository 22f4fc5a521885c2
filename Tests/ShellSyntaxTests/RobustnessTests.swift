import Foundation
import Testing
@testable import ShellSyntax

/// Any input must parse without crashing or hanging, and the result must be
/// well formed (see `invariantViolation`).
@Suite struct RobustnessTests {
    /// RUN bodies of the real Dockerfile corpus.
    static let corpus: [[UInt8]] = Shared.files().flatMap { url in
        Shared.runBodies((try? Data(contentsOf: url)).map { [UInt8]($0) } ?? [])
    }

    static func checked(_ bytes: [UInt8], _ label: @autoclosure () -> String) -> ShellScript {
        // Speed is measured by .ci/bench and the hostile-input sweep, not here: wall-clock limits
        // in unit tests fail on a loaded 2-core machine.
        let script = ShellParser.parse(bytes)
        if let v = invariantViolation(bytes, script) {
            Issue.record("\(label()): \(v)\n\(String(decoding: bytes.prefix(300), as: UTF8.self).debugDescription)")
        }
        return script
    }

    @Test func corpusRunBodies() throws {
        try #require(!Self.corpus.isEmpty, "corpus missing at \(Shared.dockerfiles.path)")
        var commands = 0
        for (i, body) in Self.corpus.enumerated() {
            commands += Self.checked(body, "RUN #\(i)").commands.count
        }
        // The corpus is real: most RUNs run at least one command.
        #expect(Self.corpus.count > 1000)
        #expect(commands > Self.corpus.count)
    }

    /// Known shapes from the corpus parse to the expected commands.
    @Test func corpusSpotChecks() throws {
        try #require(!Self.corpus.isEmpty)
        let names = Set(Self.corpus.flatMap { ShellParser.parse($0).commands.compactMap(\.basename) })
        for expected in ["apt-get", "rm", "curl", "tar", "mkdir", "chmod"] {
            #expect(names.contains(expected), "no \(expected) command found in the corpus")
        }
        #expect(!names.contains("&&") && !names.contains("then") && !names.contains("fi") && !names.contains("do"))
    }

    static let interesting: [UInt8] = Array("'\"\\$`(){}[]|&;<>#\n\t !*?=-cEOF".utf8)

    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = input
        let edits = 1 + Int(rng.next() % 4)
        for _ in 0..<edits {
            let byte: UInt8 = rng.next() % 3 == 0 ? UInt8(truncatingIfNeeded: rng.next())
                : interesting[Int(rng.next() % UInt64(interesting.count))]
            let at = b.isEmpty ? 0 : Int(rng.next() % UInt64(b.count))
            switch rng.next() % 6 {
            case 0 where !b.isEmpty: b[at] = byte
            case 1: b.insert(byte, at: at)
            case 2 where !b.isEmpty: b.remove(at: at)
            case 3 where !b.isEmpty:
                let len = min(b.count - at, 1 + Int(rng.next() % 40))
                b.insert(contentsOf: b[at..<(at + len)], at: at)  // duplicate a chunk
            case 4: b = Array(b.prefix(at))  // truncate
            default: b.insert(contentsOf: [Ch.dollar, Ch.lp], at: at)
            }
        }
        return b
    }

    @Test func mutatedCorpus() throws {
        try #require(!Self.corpus.isEmpty)
        var rng = SplitMix64(seed: 0x5EED_D0C4)
        // Every 3rd RUN body, 3 mutations each.
        for i in stride(from: 0, to: Self.corpus.count, by: 3) {
            for k in 0..<3 {
                let m = Self.mutate(Self.corpus[i], &rng)
                _ = Self.checked(m, "RUN #\(i) mutation \(k)")
            }
        }
    }

    @Test func randomBytes() {
        var rng = SplitMix64(seed: 42)
        for i in 0..<3000 {
            let n = Int(rng.next() % 200)
            let bytes = (0..<n).map { _ in
                rng.next() % 4 == 0 ? UInt8(truncatingIfNeeded: rng.next())
                    : Self.interesting[Int(rng.next() % UInt64(Self.interesting.count))]
            }
            _ = Self.checked(bytes, "random #\(i)")
        }
    }

    static func repeated(_ s: String, _ n: Int, prefix: String = "", suffix: String = "") -> [UInt8] {
        Array((prefix + String(repeating: s, count: n) + suffix).utf8)
    }

    /// Deep nesting and large inputs: bounded recursion, no quadratic blow-up.
    @Test(arguments: [
        "$(", "(", "{ ", "if a; then ", "while a; do ", "for x in a; do ", "case x in a) ", "f() { ",
        "\"${", "${x:-", "\"$(", "<(", "`", "\\`", "$((", "[[ ", "sh -c '", "sh -c \"", "a | ", "! ", "((",
        "<<E ", "cat <<E\n", "@(", "x=$(echo \"", "'", "\"", "\\", ")", "}", "fi ", ";; ", "esac ", "&& ",
    ])
    func adversarial(_ unit: String) {
        for count in [10, 100, 3_000] {
            let open = Self.repeated(unit, count, prefix: "echo ", suffix: " x")
            let s = Self.checked(open, "\(unit.debugDescription) x \(count)")
            #expect(s.commands.allSatisfy { $0.depth <= ShellParser.maxNesting + 1 })
            let balanced = Self.repeated(unit, count, suffix: " ls " + String(repeating: ")}` done fi esac ", count: count))
            _ = Self.checked(balanced, "\(unit.debugDescription) x \(count) closed")
        }
    }

    @Test func deepNestingIsParsedUpToTheBound() {
        let n = 20
        let script = String(repeating: "$(echo ", count: n) + "x" + String(repeating: ")", count: n)
        let p = Parsed(script)
        // The top-level command is the word `$(echo ...)` itself.
        #expect(p.commands.count == n + 1)
        #expect(p.commands.map(\.depth) == Array(0...n))
        #expect(p.commands.last.map { p.text($0.range) } == "echo x")

        // Beyond the bound: the deepest levels are skipped, not recursed into.
        let deep = String(repeating: "$(echo ", count: 500) + "x" + String(repeating: ")", count: 500) + "; ls"
        let q = Parsed(deep)
        #expect(q.commands.count <= ShellParser.maxNesting + 2)
        #expect(q.commands.last?.argv == ["ls"])
        #expect(q.commands.last?.depth == 0)
        #expect(invariantViolation(q.bytes, q.script) == nil)
    }

    /// The nesting bound keeps the stack small: worst cases run on a thread
    /// with a 512 KiB stack (macOS's default for secondary threads), in debug.
    @Test func worstCaseNestingFitsASmallStack() {
        let units = ["$(", "\"$(", "\"${x:-", "<(", "if a; then ", "( ", "{ ", "case a in b) ", "f() { ",
                     "sh -c \"$(", "x=`echo \\`"]
        let inputs = units.map { Self.repeated($0, 2_000, prefix: "sh -c 'echo ", suffix: "'") }
        final class Box: @unchecked Sendable {
            var counts: [Int] = []
            let done = DispatchSemaphore(value: 0)
        }
        let box = Box()
        let thread = Thread {
            box.counts = inputs.map { ShellParser.parse($0).commands.count }
            box.done.signal()
        }
        thread.stackSize = 512 * 1024
        thread.start()
        #expect(box.done.wait(timeout: .now() + 60) == .success)
        #expect(box.counts.count == units.count)
    }

    @Test func largeInputParsesWhole() {
        let unit = "apt-get install -y \"pkg-$V\" $(dpkg --print-architecture) `id -u` && echo 'x' | tee /f; "
        let counts = [2_000, 8_000].map { ShellParser.parse(Self.repeated(unit, $0)).commands.count }
        #expect(counts == [2_000 * 5, 8_000 * 5])
    }
}
