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

    static func findings(_ text: String) -> [String] {
        Linter().lint(Dockerfile.parse(text), path: "Dockerfile").map { "\($0.range.start.line) \($0.ruleID)" }
    }

    static func messages(_ text: String, _ rule: String) -> [String] {
        Linter().lint(Dockerfile.parse(text), path: "Dockerfile").filter { $0.ruleID == rule }.map(\.message)
    }

    /// hadolint's own reading of its pragmas (src/Hadolint/Pragma.hs, checked against the 2.15.1
    /// binary): ids separated by commas with spaces, `global` and `stage` forms, the line directly
    /// above only, and a malformed pragma ignored whole.
    static let hadolintPragmasCases: [(String, [String], [String])] = [
        // Spaces around `=` and `,`, and a `# reason` after the list.
        ("FROM a:1\n# hadolint ignore=DL3008, DL3015\nRUN apt-get install -y curl\n", ["DF121", "DF123"], [String]()),
        ("FROM a:1\n# hadolint ignore = DL3008 ,DL3015 # why\nRUN apt-get install -y curl\n", ["DF121", "DF123"], []),
        ("#hadolint ignore=DL3008\nFROM a:1\n", [], ["1 DF300"]),
        // Global, anywhere, with spaces.
        ("FROM debian\n# hadolint global ignore = DL3006\n", ["DF111"], []),
        // Only the line directly above: a comment line in between defeats it (and dflint says so).
        ("FROM a:1\n# hadolint ignore=DL3008\n# other\nRUN apt-get install -y --no-install-recommends curl\n", [], ["2 DF300", "4 DF123"]),
        // A malformed id voids the pragma, as in hadolint; dflint reports it.
        ("FROM a:1\n# hadolint ignore=crazy,DL3008\nRUN apt-get install -y --no-install-recommends curl\n", [], ["2 DF300", "3 DF123"]),
        ("FROM a:1\n# hadolint ignore=dl3008\nRUN apt-get install -y --no-install-recommends curl\n", [], ["2 DF300", "3 DF123"]),
        // A peer id dflint has no rule for is left to hadolint, not reported.
        ("FROM a:1\n# hadolint ignore=SC2086\nRUN echo $x\n", ["DF300"], []),
        // `stage ignore`: the lines after the next line, up to the next FROM (hadolint's reading).
        ("# hadolint stage ignore=DL3008,DL3015\nFROM a:1\nRUN apt-get install -y curl\nFROM a:2\nRUN apt-get install -y curl\n",
         [], ["5 DF121", "5 DF123"]),
        ("FROM a:1\nRUN apt-get install -y --no-install-recommends curl\n# hadolint stage ignore=DL3008\nRUN apt-get install -y --no-install-recommends curl\nRUN apt-get install -y --no-install-recommends curl\nFROM a:2\nRUN apt-get install -y --no-install-recommends curl\n",
         [], ["2 DF123", "4 DF123", "7 DF123"]),
    ]

    @Test(arguments: hadolintPragmasCases)
    func hadolintPragmas(_ text: String, _ absent: [String], _ present: [String]) {
        let all = Self.findings(text)
        for r in absent { #expect(!all.contains { $0.hasSuffix(" " + r) }, "\(r) in \(all)") }
        for p in present { #expect(all.contains(p), "\(p) not in \(all)") }
    }

    /// dflint's own pragmas: ids, names and peer ids in any case; `stage` and `global`; an unknown
    /// id voids the whole comment and is reported.
    static let dflintPragmasCases: [(String, [String], [String])] = [
        ("FROM a:1\n# dflint ignore=df123, dl3015\nRUN apt-get install -y curl\n", ["DF121", "DF123", "DF300"], [String]()),
        ("FROM a:1\n# dflint ignore=Unpinned-Package\nRUN apt-get install -y --no-install-recommends curl\n", ["DF123", "DF300"], []),
        ("FROM a:1\n# dflint ignore=DF999,DF123\nRUN apt-get install -y --no-install-recommends curl\n", [], ["2 DF300", "3 DF123"]),
        ("# dflint stage ignore=DF123\nFROM a:1\nRUN apt-get install -y --no-install-recommends curl\nRUN apt-get install -y --no-install-recommends git\nFROM a:2\nRUN apt-get install -y --no-install-recommends vim\n",
         [], ["6 DF123"]),
    ]

    @Test(arguments: dflintPragmasCases)
    func dflintPragmas(_ text: String, _ absent: [String], _ present: [String]) {
        let all = Self.findings(text)
        for r in absent { #expect(!all.contains { $0.hasSuffix(" " + r) }, "\(r) in \(all)") }
        for p in present { #expect(all.contains(p), "\(p) not in \(all)") }
        #expect(Self.findings("# dflint stage ignore=DF123\nFROM a:1\nRUN apt-get install -y --no-install-recommends curl\n").filter { $0.hasSuffix("DF123") }.isEmpty)
    }

    @Test func unknownAndMalformedPragmasSayWhy() {
        #expect(Self.messages("FROM a:1\n# dflint ignore=DF999,DF123\nRUN true\n", "DF300")
            == ["unknown rule DF999 in suppression: the comment is not applied"])
        #expect(Self.messages("FROM a:1\n# hadolint ignore=crazy,DL3008\nRUN true\n", "DF300").first?.contains("ignores it whole") == true)
        #expect(Self.messages("FROM a:1\n# check=skip=JSONArgsRecommended;bogus=1\nCMD run\n", "DF300").first?.contains("invalid check option") == true)
    }

    /// BuildKit reads `# check=` as a directive at the top of the file (every instruction) and, as
    /// its dispatcher does, among the comments directly before an instruction (that one only). Its
    /// names are case-sensitive, and `skip=all` means BuildKit's checks, not every dflint rule.
    static let buildKitCheckCases: [(String, [String], [String])] = [
        ("# check=skip=all\nFROM a:1\nCMD run\n", ["DF203"], ["2 DF101"]),
        ("FROM a:1\n# check=skip=all\nCMD run\nCMD again\n", [], ["4 DF203"]),
        ("FROM a:1\n# check=skip=jsonargsrecommended\nCMD run\n", [], ["2 DF300", "3 DF203"]),
        ("FROM a:1\n# a note\n\n# check=skip=JSONArgsRecommended\nCMD run\n", ["DF203", "DF300"], []),
    ]

    @Test(arguments: buildKitCheckCases)
    func buildKitCheck(_ text: String, _ absent: [String], _ present: [String]) {
        let all = Self.findings(text)
        for r in absent { #expect(!all.contains { $0.hasSuffix(" " + r) }, "\(r) in \(all)") }
        for p in present { #expect(all.contains(p), "\(p) not in \(all)") }
    }

    /// A long comment block is read in linear time (issue 17 item 9: 40k comment lines took 23 s):
    /// the work counter grows with the number of lines, not with its square, and the pragma at the
    /// bottom of the block still applies to the instruction under it.
    @Test(arguments: [1_000, 40_000])
    func longCommentBlocksAreLinear(_ n: Int) {
        var text = "FROM alpine:3.19\n"
        for k in 0..<n { text += "# comment \(k)\n" }
        text += "# dflint ignore=DF123\nRUN apk add --no-cache curl\n"
        let df = Dockerfile.parse(text)
        let s = Suppressions(df)
        #expect(s.work <= 4 * df.source.lineCount)
        #expect(s.pragmas.count == 1 && s.pragmas[0].lines == (n + 3)...(n + 3))
        #expect(!Linter().lint(df, path: "D").contains { $0.ruleID == "DF123" || $0.ruleID == "DF300" })
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
