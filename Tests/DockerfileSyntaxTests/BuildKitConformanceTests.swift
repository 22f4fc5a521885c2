import Foundation
import Testing
@testable import DockerfileSyntax

/// BuildKit's own parser test suite (frontend/dockerfile/parser), run against our parser.
@Suite struct BuildKitConformanceTests {
    static let cases = Shared.list("corpus/buildkit-testfiles/testfiles")

    @Test func suiteIsPresent() {
        #expect(Self.cases.count == 33)
    }

    /// `TestParseCases`: `AST.Dump()` must equal the `result` file.
    @Test(arguments: cases)
    func dumpMatchesResult(_ name: String) throws {
        let dir = "corpus/buildkit-testfiles/testfiles/\(name)/"
        let result = RawParser.parse(SourceFile(path: name, bytes: Shared.read(dir + "Dockerfile")))
        #expect(result.buildKitError == nil)
        let expected = String(decoding: Shared.read(dir + "result"), as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        let dumped = BuildKitDump.dump(result)
        let el = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let dl = dumped.split(separator: "\n", omittingEmptySubsequences: false)
        for (i, (e, d)) in zip(el, dl).enumerated() where e != d {
            Issue.record("line \(i + 1): expected \(e)\n got \(d)")
            break
        }
        #expect(el.count == dl.count)
    }

    /// `TestParseErrorCases`: every negative case must fail, with BuildKit's message.
    @Test(arguments: [
        ("empty_dockerfile", "file with no instructions"),
        ("only_comments", "file with no instructions"),
        ("env_no_value", "ENV must have two arguments"),
        ("shykes-nested-json", "when using JSON array syntax, arrays must be comprised of strings only"),
    ])
    func negativeCasesFail(_ name: String, _ message: String) {
        let bytes = Shared.read("corpus/buildkit-testfiles/testfiles-negative/\(name)/Dockerfile")
        let r = parseRaw(bytes: bytes)
        #expect(r.buildKitError?.buildKitMessage == message)
    }

    /// `TestParseIncludesLineNumbers`.
    @Test func lineNumbers() {
        let r = parseRaw(bytes: Shared.read("corpus/buildkit-testfiles/testfile-line/Dockerfile"))
        #expect(r.nodes.count == 3)
        #expect(r.nodes.map { [$0.startLine, $0.endLine] } == [[5, 5], [11, 12], [17, 31]])
    }
}
