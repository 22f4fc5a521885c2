// The matchers and hook definitions in Examples/editors, run against real
// `gnu` output.
import Foundation
import Testing
@testable import Reporting
import Rules
import DockerfileSyntax

/// One regex and its capture-group numbers, as a matcher file declares them.
struct MatcherPattern {
    var owner: String
    var regex: NSRegularExpression
    var groups: [String: Int]

    init(owner: String, pattern: [String: Any]) throws {
        self.owner = owner
        regex = try NSRegularExpression(pattern: try #require(pattern["regexp"] as? String))
        groups = [:]
        for key in ["file", "line", "column", "severity", "message", "code"] {
            if let n = pattern[key] as? Int { groups[key] = n }
        }
    }

    /// The captured text of each group, "" for a group that did not take part.
    func match(_ line: String) -> [String: String]? {
        guard let m = regex.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) else { return nil }
        return groups.mapValues { n in
            Range(m.range(at: n), in: line).map { String(line[$0]) } ?? ""
        }
    }
}

@Suite struct EditorIntegrationTests {
    static func loadJSON(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: Paths.editors.appendingPathComponent(name))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Fixture findings plus awkward ones: paths with spaces and colons,
    /// messages with colons, brackets and line breaks.
    static var findings: [Finding] {
        Fixture.findings + [
            Finding(file: "my dir/odd: name.Dockerfile", range: range(12, 3, 12, 9), ruleID: "DF301", ruleName: "root-user",
                    severity: .error, message: "expected: a non-root USER: got \"root\" [see DF301]"),
            Finding(file: "C:/work/Dockerfile", range: range(1, 1, 1, 2), ruleID: "DF101", ruleName: "untagged-image",
                    severity: .warning, message: "a:1:2: looks like a location"),
            Finding(file: "x.dockerfile", range: range(7, 10, 7, 11), ruleID: "DF401", ruleName: "instruction-case",
                    severity: .style, message: "line one\nline two: [x]"),
            Finding(file: "x.dockerfile", range: range(8, 1, 8, 2), ruleID: "DF102", ruleName: "missing-digest",
                    severity: .info, message: "  padded  "),
        ]
    }

    static func gnuLines() -> [(Finding, String)] {
        let sorted = sortedFindings(findings)
        let text = Reporter.render(.gnu, ReportInput(findings: findings, toolVersion: "0.1.0"))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(lines.count == sorted.count)
        return Array(zip(sorted, lines))
    }

    static func expectGroups(_ g: [String: String], _ f: Finding, _ line: String) {
        #expect(g["file"] == f.file, "\(line)")
        #expect(g["line"] == "\(f.range.start.line)", "\(line)")
        #expect(g["column"] == "\(f.range.start.column)", "\(line)")
        #expect(g["message"] == TextUtil.message(f), "\(line)")
        #expect(g["code"] == f.ruleID, "\(line)")
    }

    @Test func githubProblemMatcher() throws {
        let json = try Self.loadJSON("dflint-problem-matcher.json")
        let matchers = try #require(json["problemMatcher"] as? [[String: Any]])
        let patterns = try matchers.map { m in
            let pattern = try #require((m["pattern"] as? [[String: Any]])?.first)
            return (try MatcherPattern(owner: try #require(m["owner"] as? String), pattern: pattern), m["severity"] as? String)
        }
        #expect(patterns.map(\.0.owner) == ["dflint", "dflint-notice"])
        #expect(patterns[1].1 == "notice")
        for (f, line) in Self.gnuLines() {
            let hits = patterns.compactMap { p, _ in p.match(line).map { (p.owner, $0) } }
            #expect(hits.count == 1, "exactly one matcher must take \(line)")
            guard let (owner, groups) = hits.first else { continue }
            Self.expectGroups(groups, f, line)
            switch f.severity {
            case .error, .warning:
                #expect(owner == "dflint")
                #expect(groups["severity"] == f.severity.rawValue)
            case .info, .style:
                // GitHub accepts only error/warning/notice from a severity
                // group; the notice matcher has none and sets it itself.
                #expect(owner == "dflint-notice")
                #expect(groups["severity"] == nil)
            }
        }
    }

    @Test func vscodeTask() throws {
        let json = try Self.loadJSON("vscode-tasks.json")
        let task = try #require((json["tasks"] as? [[String: Any]])?.first)
        let command = ([task["command"] as? String ?? ""] + (task["args"] as? [String] ?? [])).joined(separator: " ")
        #expect(command == "dflint --format gnu ${file}")
        let matcher = try #require(task["problemMatcher"] as? [String: Any])
        #expect(matcher["owner"] as? String == "dflint")
        #expect(matcher["severity"] as? String == "info")
        let pattern = try MatcherPattern(owner: "dflint", pattern: try #require(matcher["pattern"] as? [String: Any]))
        for key in ["file", "line", "column", "severity", "message", "code"] {
            #expect(pattern.groups[key] != nil, "\(key)")
        }
        for (f, line) in Self.gnuLines() {
            let groups = try #require(pattern.match(line), "\(line)")
            Self.expectGroups(groups, f, line)
            // VS Code knows error, warning and info; style falls back to the
            // matcher's default severity (info).
            #expect(groups["severity"] == (f.severity == .style ? "" : f.severity.rawValue), "\(line)")
        }
    }

    @Test func preCommitHook() throws {
        let text = try String(contentsOf: Paths.editors.appendingPathComponent("pre-commit-hooks.yaml"), encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.contains("- id: dflint"))
        #expect(lines.contains("entry: dflint"))
        #expect(lines.contains("language: system"))
        let filesLine = try #require(lines.first { $0.hasPrefix("files:") })
        var pattern = filesLine.dropFirst("files:".count).trimmingCharacters(in: .whitespaces)
        #expect(pattern.hasPrefix("'") && pattern.hasSuffix("'"))
        pattern = String(pattern.dropFirst().dropLast())
        let regex = try NSRegularExpression(pattern: pattern)
        // pre-commit uses re.search: a match anywhere in the path.
        func matches(_ path: String) -> Bool {
            regex.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)) != nil
        }
        for path in ["Dockerfile", "Containerfile", "app/Dockerfile", "deploy/Containerfile", "api.Dockerfile",
                     "svc/worker.dockerfile", "Dockerfile.dev", "build/Containerfile.prod", "x.Containerfile",
                     "dir with space/Dockerfile"] {
            #expect(matches(path), "\(path)")
        }
        for path in ["README.md", "docs/README.md", "Dockerfile.dockerignore", "Containerfile.containerignore",
                     "Dockerfile.md", "MyDockerfile", "Dockerfile/notes.txt", "dockerfile-guide.txt", "main.swift"] {
            #expect(!matches(path), "\(path)")
        }
    }
}
