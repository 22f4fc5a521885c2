import Foundation
import Testing
@testable import DockerfileSyntax

/// BuildKit's shell-lexer tables (frontend/dockerfile/shell/envVarTest and wordsTest).
@Suite struct WordExpansionTests {
    struct Row: CustomTestStringConvertible, Sendable {
        var line: Int
        var platform: String
        var source: String
        var expected: String
        var testDescription: String { "envVarTest:\(line) \(source)" }
    }

    static let env: [String: String] = ["PWD": "/home", "SHELL": "bash", "KOREAN": "한국어", "NULL": ""]

    static func envVarRows() -> [Row] {
        let text = String(decoding: Shared.read("corpus/buildkit-testfiles/shell/envVarTest"), as: UTF8.self)
        var rows: [Row] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if raw.hasPrefix("#") { continue }
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let parts = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 3 else { continue }
            rows.append(Row(line: i + 1, platform: parts[0], source: parts[1], expected: parts[2]))
        }
        return rows
    }

    static let rows = envVarRows()

    @Test func tableLoaded() {
        #expect(Self.rows.count > 200)
    }

    /// Unix rows run with case-sensitive names; Windows-only rows are skipped
    /// (BuildKit folds variable names to upper case there).
    @Test(arguments: rows.filter { $0.platform != "W" })
    func envVar(_ row: Row) {
        let lx = WordLexer()
        let env = Self.env
        do {
            let got = try lx.process(row.source, lookup: { env[$0].map { Array($0.utf8) } })
            if row.expected == "error" {
                Issue.record("expected an error, got \(got.word.utf8String)")
            } else {
                #expect(got.word.utf8String == row.expected)
            }
        } catch {
            #expect(row.expected == "error", "unexpected error \(error.message)")
        }
    }

    /// wordsTest: `ENV k=v` lines accumulate; other lines are `input | w1,w2,...`.
    @Test func words() {
        let text = String(decoding: Shared.read("corpus/buildkit-testfiles/shell/wordsTest"), as: UTF8.self)
        var env: [String: String] = [:]
        var checked = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if raw.hasPrefix("#") || raw.isEmpty { continue }
            if raw.hasPrefix("ENV ") {
                let kv = raw.dropFirst(3).drop { $0 == " " }
                if let eq = kv.firstIndex(of: "=") {
                    let k = String(kv[..<eq])
                    if env[k] == nil { env[k] = String(kv[kv.index(after: eq)...]) }
                }
                continue
            }
            let parts = raw.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { Issue.record("bad row \(raw)"); continue }
            let input = parts[0].trimmingCharacters(in: .whitespaces)
            let expected = parts[1].drop { $0 == " " }.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let e = env
            let got: [String]
            do {
                got = try WordLexer().process(input, lookup: { e[$0].map { Array($0.utf8) } }).words.map { $0.utf8String }
            } catch {
                got = ["error"]
            }
            #expect(got == expected, "input \(input)")
            checked += 1
        }
        #expect(checked >= 20)
    }

    @Test(arguments: [
        ("${v#*/}", "a/b/c", "b/c"),
        ("${v##*/}", "a/b/c", "c"),
        ("${v%/*}", "a/b/c", "a/b"),
        ("${v%%/*}", "a/b/c", "a"),
        ("${v/b/X}", "abcb", "aXcb"),
        ("${v//b/X}", "abcb", "aXcX"),
        ("${v#\\*}", "*x", "x"),
        ("${v%.tar.gz}", "app.tar.gz", "app"),
        ("${v:-d}", "", "d"),
        ("${v-d}", "", ""),
        ("${v:+alt}", "x", "alt"),
    ])
    func patterns(_ source: String, _ value: String, _ expected: String) throws {
        let got = try WordLexer().process(source, lookup: { $0 == "v" ? Array(value.utf8) : nil })
        #expect(got.word.utf8String == expected)
    }

    @Test func unsetVariableErrors() {
        #expect(throws: WordLexError.self) { try WordLexer().process("${v?is required}", lookup: { _ in nil }) }
        #expect(throws: WordLexError.self) { try WordLexer().process("${v:#x}", lookup: { _ in Array("a".utf8) }) }
    }
}
