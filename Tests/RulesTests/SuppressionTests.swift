import Testing
@testable import DockerfileSyntax
@testable import Rules

/// Inline suppressions: dflint's own, hadolint's and BuildKit's spellings,
/// scoped to the next instruction or to the whole file; unused ones reported.
@Suite struct SuppressionTests {
    static func ids(_ text: String, only: Set<String> = ["DF102", "DF201", "DF203", "DF300", "DF111", "DF123"]) -> [String] {
        Linter().lint(Dockerfile.parse(text), path: "Dockerfile").filter { only.contains($0.ruleID) }
            .map { "\($0.range.start.line) \($0.ruleID)" }
    }

    @Test(arguments: [
        // No suppression: both findings.
        ("FROM a:1\nWORKDIR app\nUSER root\n", ["2 DF201", "3 DF102"]),
        // By id and by name, directly above.
        ("FROM a:1\n# dflint ignore=DF201\nWORKDIR app\n# dflint ignore=root-user\nUSER root\n", []),
        // A comment block above still counts; a reason after # is fine.
        ("FROM a:1\n# dflint ignore=DF201 # legacy layout\n# another comment\nWORKDIR app\nUSER root\n", ["5 DF102"]),
        // Does not reach past the next instruction.
        ("FROM a:1\n# dflint ignore=DF201\nUSER app\nWORKDIR app\n", ["2 DF300", "4 DF201"]),
        // Global ignore anywhere.
        ("FROM a:1\nWORKDIR app\nUSER root\n# dflint global ignore=root-user,relative-workdir\n", []),
        // hadolint spelling maps to the dflint rule.
        ("FROM a:1\n# hadolint ignore=DL3000\nWORKDIR app\n# hadolint ignore=DL3002\nUSER root\n", []),
        // BuildKit check directive (file-wide) and per-instruction check comment.
        ("# check=skip=WorkdirRelativePath\nFROM a:1\nWORKDIR app\nCMD run\n", ["4 DF203"]),
        ("FROM a:1\n# check=skip=JSONArgsRecommended\nCMD run\n", []),
        // A peer id selects its own sub-case only: DL3008 is apt's pin rule, not pip's (DL3013).
        ("FROM a:1\n# hadolint ignore=DL3008\nRUN apt-get install -y --no-install-recommends curl && pip install --no-cache-dir flask\n",
         ["3 DF123"]),
        ("FROM a:1\n# hadolint ignore=DL3008,DL3013\nRUN apt-get install -y --no-install-recommends curl && pip install --no-cache-dir flask\n",
         []),
        // An alias nothing here is an instance of suppresses nothing.
        ("FROM a:1\n# hadolint ignore=DL3016\nRUN pip install --no-cache-dir flask\n", ["2 DF300", "3 DF123"]),
        // A multi-line instruction is covered whole.
        ("FROM a:1\n# dflint ignore=DF102\nUSER \\\n  root\n", []),
        // Unused suppressions are reported where they are.
        ("FROM a:1\n# dflint ignore=DF102\nUSER app\n", ["2 DF300"]),
        // ...unless DF300 itself is suppressed.
        ("# dflint global ignore=DF300\nFROM a:1\n# dflint ignore=DF102\nUSER app\n", []),
    ])
    func suppression(_ text: String, _ expected: [String]) {
        #expect(Self.ids(text) == expected)
    }

    @Test func pragmasCanBeTurnedOff() {
        var o = LintOptions()
        o.pragmas = false
        let f = Linter(options: o).lint(Dockerfile.parse("FROM a:1\n# dflint ignore=DF102\nUSER root\n"), path: "D")
        #expect(f.contains { $0.ruleID == "DF102" })
        #expect(!f.contains { $0.ruleID == "DF300" })
    }

    @Test func severityOverridesAndIgnore() {
        var o = LintOptions()
        o.severity["DF102"] = .info
        o.severity["missing-healthcheck"] = .some(nil)
        o.ignore = ["DF130"]
        let f = Linter(options: o).lint(Dockerfile.parse("FROM a:1\nUSER root\n"), path: "D")
        #expect(f.first { $0.ruleID == "DF102" }?.severity == .info)
        #expect(!f.contains { $0.ruleID == "DF140" || $0.ruleID == "DF130" })
    }

    /// `--ignore DL3008` / `--severity DL3013=error`: a peer alias selects its sub-case, and the
    /// finding names it (JSON, SARIF and tty show it).
    @Test func aliasesSelectSubCases() {
        let text = "FROM a:1\nRUN apt-get install -y --no-install-recommends curl && pip install --no-cache-dir flask\n"
        var o = LintOptions()
        o.ignore = [Catalogue.settingKey("dl3008")!]
        o.severity[Catalogue.settingKey("DL3013")!] = .error
        let f = Linter(options: o).lint(Dockerfile.parse(text), path: "D").filter { $0.ruleID == "DF123" }
        #expect(f.map(\.aliases) == [["DL3013"]])
        #expect(f.map(\.severity) == [.error])
        #expect(Catalogue.settingKey("unpinned-package") == "DF123")
        #expect(Catalogue.settingKey("DL3002") == "DL3002")
        #expect(Catalogue.settingKey("DL9999") == nil)
    }
}
