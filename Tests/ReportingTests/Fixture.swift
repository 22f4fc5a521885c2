// The fixed report every golden test renders, and test helpers.
import Foundation
import Testing
@testable import Reporting
import Rules
import DockerfileSyntax

enum Paths {
    /// Tests/ReportingTests
    static let testsDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    /// The folder holding Package.swift.
    static let repoRoot = testsDir.deletingLastPathComponent().deletingLastPathComponent()
    static let golden = testsDir.appendingPathComponent("Golden")
    static let editors = repoRoot.appendingPathComponent("Examples/editors")
    static let sarifSchema = repoRoot.deletingLastPathComponent().appendingPathComponent("shared/schemas/sarif-schema-2.1.0.json")
}

/// Golden files: `DFLINT_UPDATE_GOLDEN=1 swift test --filter ReportingTests` rewrites them.
///
/// They live in `Golden/` with a leading dot (`Golden/.sarif.json`): SwiftPM
/// warns about every non-source file of a target it is not told about, and
/// hidden files are the only ones it skips without a Package.swift entry.
enum Golden {
    static func url(_ name: String) -> URL { Paths.golden.appendingPathComponent("." + name) }

    static var updating: Bool { ProcessInfo.processInfo.environment["DFLINT_UPDATE_GOLDEN"] == "1" }

    static func check(_ name: String, _ actual: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let file = url(name)
        if updating {
            try? FileManager.default.createDirectory(at: Paths.golden, withIntermediateDirectories: true)
            do { try Data(actual.utf8).write(to: file) } catch {
                Issue.record("cannot write \(file.path): \(error)", sourceLocation: sourceLocation)
            }
            return
        }
        guard let data = try? Data(contentsOf: file) else {
            Issue.record("missing golden file \(file.path); run with DFLINT_UPDATE_GOLDEN=1", sourceLocation: sourceLocation)
            return
        }
        if Data(actual.utf8) == data { return }
        let expected = String(decoding: data, as: UTF8.self)
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var line = 0
        while line < min(e.count, a.count), e[line] == a[line] { line += 1 }
        let want = line < e.count ? String(e[line]) : "<end of file>"
        let got = line < a.count ? String(a[line]) : "<end of output>"
        Issue.record("""
            \(name) differs from its golden file \(file.lastPathComponent) at line \(line + 1) \
            (DFLINT_UPDATE_GOLDEN=1 rewrites it):
              expected: \(want.debugDescription)
              actual:   \(got.debugDescription)
            """, sourceLocation: sourceLocation)
    }
}

/// Locates the `occurrence`-th `needle` in `source` (bytes) and returns its
/// range, optionally extended to the end of `through`.
func locate(_ source: SourceFile, _ needle: String, occurrence: Int = 1, through: String? = nil) -> SourceRange {
    func find(_ n: [UInt8], from: Int, occurrence: Int) -> Int {
        var seen = 0
        var i = from
        while i + n.count <= source.bytes.count {
            if Array(source.bytes[i..<(i + n.count)]) == n {
                seen += 1
                if seen == occurrence { return i }
            }
            i += 1
        }
        fatalError("\(needle) not found")
    }
    let start = find(Array(needle.utf8), from: 0, occurrence: occurrence)
    var end = start + needle.utf8.count
    if let through {
        end = find(Array(through.utf8), from: start, occurrence: 1) + through.utf8.count
    }
    return source.range(Span(start, end))
}

func range(_ l1: Int, _ c1: Int, _ l2: Int, _ c2: Int) -> SourceRange {
    SourceRange(start: Position(line: l1, column: c1), end: Position(line: l2, column: c2))
}

enum Fixture {
    static let dockerfileText = Array("""
        FROM ubuntu
        LABEL description="café ☕ image" maintainer=me
        RUN apt-get update && \\
        \tapt-get install -y curl
        USER root
        HEALTHCHECK NONE

        """.utf8)

    /// Line 2 holds invalid UTF-8 (0xFF 0xFE) before the finding's column.
    static let appText: [UInt8] = Array("from alpine:3.20\nRUN echo \"".utf8) + [0xFF, 0xFE]
        + Array("\" && apk add curl\nRUN apt-get update\nRUN apt-get update\nRUN cat <<EOF\nhello\n".utf8)

    static let cleanText = Array("FROM scratch\n".utf8)

    static let dockerfile = SourceFile(path: "Dockerfile", bytes: dockerfileText)
    static let app = SourceFile(path: "sub dir/app.Dockerfile", bytes: appText)

    static let sources: [String: [UInt8]] = [
        "Dockerfile": dockerfileText,
        "sub dir/app.Dockerfile": appText,
        "clean/Dockerfile": cleanText,
        // "build/Containerfile" has findings but no source.
    ]

    static let rules: [RuleDescriptor] = [
        RuleDescriptor(id: "DF101", name: "untagged-image", title: "Base images are pinned to a tag or digest",
                       defaultSeverity: .warning,
                       rationale: "An untagged image follows `latest`, so builds change without notice.",
                       fix: "Pin a tag or a digest, e.g. `FROM ubuntu:24.04`.", aliases: ["DL3006"]),
        RuleDescriptor(id: "DF102", name: "missing-digest", title: "Base images name a digest",
                       defaultSeverity: .info, rationale: "Tags move; digests do not.",
                       fix: "Append `@sha256:<digest>` to the image reference."),
        RuleDescriptor(id: "DF103", name: "maintainer-label", title: "Authors use the OCI label",
                       defaultSeverity: .style, rationale: "`maintainer` is a legacy label key.",
                       fix: "Use `org.opencontainers.image.authors`."),
        RuleDescriptor(id: "DF104", name: "stale-position", title: "Example rule reporting past the end of a file",
                       defaultSeverity: .info, rationale: "Exercises positions outside the source.", fix: ""),
        RuleDescriptor(id: "DF201", name: "apt-update-alone", title: "`apt-get update` runs with the install",
                       cis: "4.7", scored: false, defaultSeverity: .warning,
                       rationale: "Caching `apt-get update` alone in its own layer installs stale packages.",
                       fix: "Run `apt-get update && apt-get install …` in one RUN.", aliases: ["DL3009"]),
        RuleDescriptor(id: "DF202", name: "no-install-recommends", title: "apt-get install skips recommended packages",
                       defaultSeverity: .info, rationale: "Recommended packages bloat the image.",
                       fix: "Add `--no-install-recommends`.", aliases: ["DL3015"]),
        RuleDescriptor(id: "DF203", name: "apk-no-cache", title: "apk add uses --no-cache",
                       defaultSeverity: .warning, rationale: "The apk index stays in the layer otherwise.",
                       fix: "Use `apk add --no-cache`.", aliases: ["DL3019"]),
        RuleDescriptor(id: "DF204", name: "update-without-install", title: "Package index updates install something",
                       defaultSeverity: .warning, rationale: "An update on its own only adds a layer.",
                       fix: "Combine the update with the install."),
        RuleDescriptor(id: "DF301", name: "root-user", title: "The final user is not root",
                       cis: "4.1", scored: true, defaultSeverity: .error,
                       rationale: "Containers running as root give an attacker root in the container.",
                       fix: "Add `USER <non-root>` after installing packages.", aliases: ["DL3002"]),
        RuleDescriptor(id: "DF302", name: "healthcheck-none", title: "Images keep a HEALTHCHECK",
                       cis: "4.6", scored: true, defaultSeverity: .warning,
                       rationale: "Without a health check the orchestrator cannot tell a hung container.",
                       fix: "Add a `HEALTHCHECK CMD …` instruction."),
        RuleDescriptor(id: "DF401", name: "instruction-case", title: "Instructions are upper case",
                       defaultSeverity: .style, rationale: "Mixed case is harder to read.",
                       fix: "Write instructions in upper case."),
        RuleDescriptor(id: "DF901", name: "unused-example", title: "A rule with <markup> & \"quotes\"",
                       defaultSeverity: .error, rationale: "Never reported: checks the catalogue is complete.\nSecond line.",
                       fix: "Nothing to fix."),
    ]

    static let findings: [Finding] = {
        let d = dockerfile, a = app
        var list: [Finding] = [
            Finding(file: "Dockerfile", range: locate(d, "ubuntu"), ruleID: "DF101", ruleName: "untagged-image",
                    severity: .warning, message: "Image 'ubuntu' has no tag",
                    fix: "Pin a tag or a digest, e.g. `FROM ubuntu:24.04`."),
            Finding(file: "Dockerfile", range: range(1, 12, 1, 12), ruleID: "DF102", ruleName: "missing-digest",
                    severity: .info, message: "No digest after the image reference"),
            Finding(file: "Dockerfile", range: locate(d, "maintainer=me"), ruleID: "DF103", ruleName: "maintainer-label",
                    severity: .style, message: "Label `maintainer` is deprecated",
                    fix: "Use `org.opencontainers.image.authors`."),
            Finding(file: "Dockerfile", range: locate(d, "apt-get update", through: "curl"), ruleID: "DF201",
                    ruleName: "apt-update-alone", severity: .warning,
                    message: "Don't run \"apt-get update\" & <install> in 100% separate\nlayers: combine them",
                    cis: "4.7", scored: false, fix: "Run `apt-get update && apt-get install …` in one RUN."),
            Finding(file: "Dockerfile", range: locate(d, "install"), ruleID: "DF202", ruleName: "no-install-recommends",
                    severity: .info, message: "apt-get install without --no-install-recommends",
                    fix: "Add `--no-install-recommends`."),
            // Not in the catalogue either; its range starts with a tab.
            Finding(file: "Dockerfile", range: locate(d, "\tapt-get"), ruleID: "DF402", ruleName: "tab-indent",
                    severity: .style, message: "Continuation line indented with a tab"),
            Finding(file: "Dockerfile", range: locate(d, "root"), ruleID: "DF301", ruleName: "root-user",
                    severity: .error, message: "The last USER is root", cis: "4.1", scored: true,
                    fix: "Add `USER <non-root>` after installing packages.", aliases: ["DL3002"]),
            Finding(file: "Dockerfile", range: locate(d, "HEALTHCHECK NONE"), ruleID: "DF302", ruleName: "healthcheck-none",
                    severity: .warning, message: "HEALTHCHECK NONE disables the health check", cis: "4.6", scored: true),

            Finding(file: "sub dir/app.Dockerfile", range: locate(a, "from"), ruleID: "DF401", ruleName: "instruction-case",
                    severity: .style, message: "Instruction `from` is not upper case", fix: "Write `FROM`."),
            Finding(file: "sub dir/app.Dockerfile", range: locate(a, "apk add"), ruleID: "DF203", ruleName: "apk-no-cache",
                    severity: .warning, message: "apk add without --no-cache", fix: "Use `apk add --no-cache`."),
            Finding(file: "sub dir/app.Dockerfile", range: locate(a, "apt-get update", occurrence: 1), ruleID: "DF204",
                    ruleName: "update-without-install", severity: .warning, message: "`apt-get update` installs nothing"),
            Finding(file: "sub dir/app.Dockerfile", range: locate(a, "apt-get update", occurrence: 2), ruleID: "DF204",
                    ruleName: "update-without-install", severity: .warning, message: "`apt-get update` installs nothing"),
            Finding(file: "sub dir/app.Dockerfile", range: locate(a, "<<EOF", through: "hello"), ruleID: "DF005",
                    ruleName: "unterminated-heredoc", severity: .error,
                    message: "Unterminated heredoc <<EOF: no line \"EOF\" before the end of the file"),
            Finding(file: "sub dir/app.Dockerfile", range: range(99, 1, 99, 1), ruleID: "DF104", ruleName: "stale-position",
                    severity: .info, message: "Finding on a line the file does not have"),

            Finding(file: "build/Containerfile", range: range(3, 5, 3, 12), ruleID: "DF202", ruleName: "no-install-recommends",
                    severity: .info, message: "apt-get install without --no-install-recommends",
                    fix: "Add `--no-install-recommends`."),
            Finding(file: "build/Containerfile", range: range(12, 6, 12, 10), ruleID: "DF301", ruleName: "root-user",
                    severity: .error, message: "The last USER is root", cis: "4.1", scored: true,
                    fix: "Add `USER <non-root>` after installing packages.", aliases: ["DL3002"]),
        ]
        // Any input order must give the same report.
        list.reverse()
        list.swapAt(0, 7)
        return list
    }()

    static func input(color: Bool = false) -> ReportInput {
        ReportInput(findings: findings, rules: rules, sources: sources, toolVersion: "0.1.0", color: color)
    }

    /// Number of files the fixture "checked": the three with sources and build/Containerfile.
    static let fileCount = 4
}
