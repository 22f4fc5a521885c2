import Foundation
import Testing
@testable import DockerfileSyntax

/// The verified tricky inputs of `reference/dockerfile-syntax.md` §3.14: each
/// `IN :` line is parsed and must give exactly the `GO :` lines (BuildKit's
/// parser output recorded in that file).
struct TrickyCase: CustomTestStringConvertible, Sendable {
    var title: String
    var input: String
    var expected: [String]
    var testDescription: String { title }

    static func load() -> [TrickyCase] {
        let text = String(decoding: Shared.read("reference/dockerfile-syntax.md"), as: UTF8.self)
        var out: [TrickyCase] = []
        var title = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("#### ") { title = String(line.dropFirst(5)) }
            if line.hasPrefix("IN : ") {
                let json = String(line.dropFirst(5))
                let s = (try? JSONDecoder().decode(String.self, from: Data(json.utf8))) ?? ""
                out.append(TrickyCase(title: title, input: s, expected: []))
            }
            if line.hasPrefix("GO : "), !out.isEmpty {
                out[out.count - 1].expected.append(String(line.dropFirst(5)))
            }
        }
        return out
    }

    /// Our parse in the notation of the reference file.
    static func render(_ r: RawParseResult) -> [String] {
        if let e = r.buildKitError { return ["ERROR " + (e.buildKitMessage ?? e.message)] }
        func js(_ v: [UInt8]) -> String { OracleJSON.string(v) }
        func list(_ vs: [String]) -> String { "[" + vs.joined(separator: ", ") + "]" }
        return r.nodes.map { n in
            let inner = n.sub.first ?? n
            var s = n.keywordText
            if let sub = n.sub.first { s += "/" + sub.keywordText }
            s += " L\(n.startLine)-\(n.endLine)"
            if inner.json { s += " json" }
            if !n.flags.isEmpty { s += " flags=" + list(n.flags.map { js($0.bytes) }) }
            if !inner.values.isEmpty { s += " value=" + list(inner.values.map { js($0.bytes) }) }
            if n.sub.isEmpty, !n.heredocs.isEmpty {
                s += " heredocs=" + list(n.heredocs.map { "[\(js($0.name)), \($0.fileDescriptor), \(js($0.content))]" })
            }
            return s
        }
    }
}

@Suite struct TrickyCaseTests {
    static let cases = TrickyCase.load()

    @Test func allCasesLoaded() {
        #expect(Self.cases.count == 35)
    }

    @Test(arguments: cases)
    func matchesBuildKit(_ c: TrickyCase) {
        #expect(!c.expected.isEmpty)
        #expect(TrickyCase.render(parseRaw(c.input)) == c.expected)
    }
}
