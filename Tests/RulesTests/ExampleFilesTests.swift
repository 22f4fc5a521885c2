import Foundation
import Testing
@testable import DockerfileSyntax
@testable import Rules

/// The deliberately bad Dockerfiles in Examples/cis (one per CIS section 4
/// item) and the clean one: each must give exactly the findings listed here.
@Suite struct ExampleFilesTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples")

    static func lint(_ rel: String, _ options: LintOptions = LintOptions()) throws -> [String] {
        let url = examples.appendingPathComponent(rel)
        let bytes = [UInt8](try Data(contentsOf: url))
        let df = Dockerfile.parse(SourceFile(path: rel, bytes: bytes))
        return Linter(options: options).lint(df, path: rel).map { "\($0.range.start.line):\($0.range.start.column) \($0.ruleID)" }
    }

    @Test(arguments: [
        ("cis/4.1-user.Dockerfile", ["6:5 DF103", "9:6 DF102"]),
        ("cis/4.2-trusted-base.Dockerfile", ["2:6 DF111", "2:6 DF112", "2:6 DF130", "5:6 DF111", "5:6 DF130"]),
        ("cis/4.3-packages.Dockerfile", ["4:13 DF121", "4:24 DF120", "4:49 DF120"]),
        ("cis/4.4-rebuild.Dockerfile", ["3:9 DF122", "3:17 DF123"]),
        ("cis/4.5-provenance.Dockerfile", ["2:6 DF130"]),
        ("cis/4.6-healthcheck.Dockerfile", ["4:13 DF141"]),
        ("cis/4.7-update-alone.Dockerfile", ["3:5 DF150", "3:13 DF122", "4:13 DF151"]),
        ("cis/4.8-setuid.Dockerfile", ["3:14 DF160", "4:11 DF160"]),
        ("cis/4.9-add.Dockerfile", ["3:5 DF170", "3:12 DF170"]),
        ("cis/4.10-secrets.Dockerfile", ["3:5 DF180", "3:15 DF181", "4:5 DF180", "6:6 DF182", "7:26 DF181"]),
        ("cis/4.11-verified-packages.Dockerfile", ["4:48 DF191", "5:5 DF190", "5:5 DF217", "7:5 DF193", "8:5 DF214", "8:5 DF215",
                                                   "8:10 DF191", "8:47 DF192"]),
        ("clean.Dockerfile", []),
    ])
    func cisExample(_ file: String, _ expected: [String]) throws {
        #expect(try Self.lint(file) == expected)
    }

    @Test func trustedRegistriesExample() throws {
        var o = LintOptions()
        o.rules.trustedRegistries = ["docker.io"]
        #expect(try Self.lint("cis/4.2-trusted-base.Dockerfile", o).contains("2:6 DF110"))
        #expect(!(try Self.lint("cis/4.2-trusted-base.Dockerfile", o).contains("5:6 DF110")))
    }

    /// Every file of the real corpus lints without a crash, every finding lies inside its file.
    @Test func wholeCorpusLints() throws {
        let dir = Shared.url("corpus/dockerfiles")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(names.count > 1000)
        let linter = Linter()
        var total = 0
        for n in names {
            let bytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent(n)))
            let file = SourceFile(path: n, bytes: bytes)
            let findings = linter.lint(Dockerfile.parse(file), path: n)
            for f in findings {
                #expect(f.range.start.line >= 1 && f.range.start.line <= max(1, file.lineCount))
                #expect(f.range.start <= f.range.end)
            }
            total += findings.count
        }
        #expect(total > 1000)
    }
}

enum Shared {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared")
    static func url(_ rel: String) -> URL { root.appendingPathComponent(rel) }
}
