import DockerfileSyntax
import Testing
@testable import Configuration

@Suite struct SchemaTests {
    static func config(_ build: (inout LintConfig) -> Void) -> LintConfig {
        var c = LintConfig()
        build(&c)
        return c
    }

    /// The example documented on LintConfig and in README.md.
    static let documentedExample = """
        # .dflint.yaml
        ignore: [DF101, root-user]
        severity:
          DF120: warning
          latest-tag: off
        trusted-registries:
          - ghcr.io
          - registry.example.com/team
          - "*.gcr.io"          # quoted: a plain value cannot start with '*'
        failure-threshold: warning
        secrets:
          allow: ["TEST_*", "*_FILE"]
        format: tty
        cis-only: false
        scored-only: no
        """

    @Test func documentedExampleParses() throws {
        let c = try ConfigLoader.parse(Self.documentedExample, path: ".dflint.yaml", knownRules: testRules)
        #expect(c == Self.config {
            $0.ignore = ["DF101", "root-user"]
            $0.severity = ["DF120": .level(.warning), "latest-tag": .off]
            $0.trustedRegistries = ["ghcr.io", "registry.example.com/team", "*.gcr.io"]
            $0.failureThreshold = .level(.warning)
            $0.secretAllow = ["TEST_*", "*_FILE"]
            $0.format = "tty"
            $0.cisOnly = false
            $0.scoredOnly = false
        })
    }

    /// Each key on its own, in its accepted spellings.
    static let accepted: [(String, LintConfig)] = [
        ("", LintConfig()),
        ("# nothing set\n", LintConfig()),
        ("~", LintConfig()),
        ("{}", LintConfig()),
        ("ignore: [DF101, root-user]", config { $0.ignore = ["DF101", "root-user"] }),
        ("ignore:\n  - DF101\n  - 'root-user'\n", config { $0.ignore = ["DF101", "root-user"] }),
        ("ignore:\n- DF101\nformat: json", config { $0.ignore = ["DF101"]; $0.format = "json" }),
        ("ignore: []", LintConfig()),
        ("ignore:", LintConfig()),
        ("ignore: ~\nformat: null\ncis-only:\nsecrets:\nseverity:", LintConfig()),
        ("severity: {DF101: off, DF102: error}", config { $0.severity = ["DF101": .off, "DF102": .level(.error)] }),
        ("severity:\n  DF101: warning\n  root-user: info\n  latest-tag: style\n  DF120: \"off\"",
         config { $0.severity = ["DF101": .level(.warning), "root-user": .level(.info), "latest-tag": .level(.style), "DF120": .off] }),
        ("severity: {}", LintConfig()),
        ("trusted-registries: [ghcr.io, 'registry.example.com/team', \"*.gcr.io\", localhost:5000]",
         config { $0.trustedRegistries = ["ghcr.io", "registry.example.com/team", "*.gcr.io", "localhost:5000"] }),
        ("failure-threshold: error", config { $0.failureThreshold = .level(.error) }),
        ("failure-threshold: warning", config { $0.failureThreshold = .level(.warning) }),
        ("failure-threshold: info", config { $0.failureThreshold = .level(.info) }),
        ("failure-threshold: style", config { $0.failureThreshold = .level(.style) }),
        ("failure-threshold: none", config { $0.failureThreshold = FailureThreshold.none }),
        ("secrets:\n  allow:\n    - \"TEST_*\"\n    - 'DUMMY_?'", config { $0.secretAllow = ["TEST_*", "DUMMY_?"] }),
        ("secrets: {allow: []}", LintConfig()),
        ("secrets: {allow: }", LintConfig()),
        ("format: tty", config { $0.format = "tty" }),
        ("format: gnu", config { $0.format = "gnu" }),
        ("format: 'json'", config { $0.format = "json" }),
        ("format: sarif", config { $0.format = "sarif" }),
        ("format: checkstyle", config { $0.format = "checkstyle" }),
        ("format: github", config { $0.format = "github" }),
        ("format: gitlab", config { $0.format = "gitlab" }),
        ("cis-only: true", config { $0.cisOnly = true }),
        ("cis-only: YES", config { $0.cisOnly = true }),
        ("cis-only: On", config { $0.cisOnly = true }),
        ("cis-only: False", config { $0.cisOnly = false }),
        ("cis-only: no", config { $0.cisOnly = false }),
        ("cis-only: OFF", config { $0.cisOnly = false }),
        ("scored-only: true\ncis-only: false", config { $0.scoredOnly = true; $0.cisOnly = false }),
        ("{ignore: [DF101], cis-only: yes}", config { $0.ignore = ["DF101"]; $0.cisOnly = true }),
    ]

    @Test(arguments: accepted)
    func parsesKey(_ text: String, _ expected: LintConfig) throws {
        #expect(try ConfigLoader.parse(text, path: "c.yaml", knownRules: testRules) == expected)
    }

    @Test func unknownRulesAreAcceptedWithoutACatalogue() throws {
        let c = try ConfigLoader.parse("ignore: [whatever]\nseverity: {X1: off}", path: "c.yaml", knownRules: nil)
        #expect(c.ignore == ["whatever"])
        #expect(c.severity == ["X1": .off])
    }

    static let validKeys = "ignore, severity, trusted-registries, failure-threshold, secrets, format, cis-only, scored-only, setuid-allow"

    /// Every schema error: position and exact message.
    static let rejected: [(String, Int, Int, String)] = [
        ("ignored: [DF101]", 1, 1, "unknown key 'ignored' (did you mean 'ignore'?)"),
        ("format: json\ntrusted_registries: []", 2, 1, "unknown key 'trusted_registries' (did you mean 'trusted-registries'?)"),
        ("cisOnly: true", 1, 1, "unknown key 'cisOnly' (did you mean 'cis-only'?)"),
        ("Ignore: []", 1, 1, "unknown key 'Ignore' (did you mean 'ignore'?)"),
        ("colour: red", 1, 1, "unknown key 'colour'; valid keys are \(validKeys)"),
        ("colour:", 1, 1, "unknown key 'colour'; valid keys are \(validKeys)"),
        ("- ignore", 1, 1, "the configuration must be a mapping of settings (key: value), found a list"),
        ("ignore", 1, 1, "the configuration must be a mapping of settings (key: value), found 'ignore'"),
        ("ignore: DF101", 1, 9, "'ignore' must be a list, e.g. ignore: [DF101, root-user]; found 'DF101'"),
        ("ignore: \"DF101\"", 1, 9, "'ignore' must be a list, e.g. ignore: [DF101, root-user]; found the string \"DF101\""),
        ("ignore: {DF101: true}", 1, 9, "'ignore' must be a list, e.g. ignore: [DF101, root-user]; found a mapping"),
        ("ignore: [DF11]", 1, 10, "unknown rule 'DF11' in 'ignore' (did you mean 'DF101'?)"),
        ("ignore: [df102]", 1, 10, "unknown rule 'df102' in 'ignore' (did you mean 'DF102'?)"),
        ("ignore:\n  - rot-user", 2, 5, "unknown rule 'rot-user' in 'ignore' (did you mean 'root-user'?)"),
        ("ignore: [nope]", 1, 10, "unknown rule 'nope' in 'ignore'"),
        ("ignore:\n  - [DF101]", 2, 5, "items of 'ignore' must be single values, found a list"),
        ("ignore: [DF101, '']", 1, 17, "empty item in 'ignore'"),
        ("ignore:\n  -\n", 2, 4, "empty item in 'ignore'"),
        ("ignore: [~]", 1, 10, "empty item in 'ignore'"),
        ("severity: [DF101]", 1, 11, "'severity' must be a mapping of rule to level, e.g. severity: {DF101: warning}; found a list"),
        ("severity: off", 1, 11, "'severity' must be a mapping of rule to level, e.g. severity: {DF101: warning}; found 'off'"),
        ("severity:\n  DF101: fatal", 2, 10, "invalid severity 'fatal'; expected one of error, warning, info, style, off"),
        ("severity: {DF101: Error}", 1, 19, "invalid severity 'Error'; expected one of error, warning, info, style, off (did you mean 'error'?)"),
        ("severity: {DF101: warn}", 1, 19, "invalid severity 'warn'; expected one of error, warning, info, style, off"),
        ("severity: {DF101: }", 1, 19, "the severity of 'DF101' must be one of error, warning, info, style, off, found an empty value"),
        ("severity:\n  DF101:\n    - error", 3, 5, "the severity of 'DF101' must be one of error, warning, info, style, off, found a list"),
        ("severity: {DF1O1: off}", 1, 12, "unknown rule 'DF1O1' in 'severity' (did you mean 'DF101'?)"),
        ("failure-threshold: warn", 1, 20, "invalid failure-threshold 'warn'; expected one of error, warning, info, style, none"),
        ("failure-threshold: nnoe", 1, 20, "invalid failure-threshold 'nnoe'; expected one of error, warning, info, style, none (did you mean 'none'?)"),
        ("failure-threshold: off", 1, 20, "invalid failure-threshold 'off'; expected one of error, warning, info, style, none"),
        ("failure-threshold: [error]", 1, 20, "'failure-threshold' must be a single value, found a list"),
        ("format: jsn", 1, 9, "invalid format 'jsn'; expected one of tty, gnu, json, sarif, checkstyle, github, gitlab (did you mean 'json'?)"),
        ("format: JSON", 1, 9, "invalid format 'JSON'; expected one of tty, gnu, json, sarif, checkstyle, github, gitlab (did you mean 'json'?)"),
        ("format: html", 1, 9, "invalid format 'html'; expected one of tty, gnu, json, sarif, checkstyle, github, gitlab"),
        ("format: {}", 1, 9, "'format' must be a single value, found a mapping"),
        ("cis-only: maybe", 1, 11, "'cis-only' must be a boolean (true or false), found 'maybe'"),
        ("cis-only: \"true\"", 1, 11, "'cis-only' must be a boolean (true or false), found the string \"true\"; remove the quotes"),
        ("scored-only: 1", 1, 14, "'scored-only' must be a boolean (true or false), found '1'"),
        ("scored-only: [true]", 1, 14, "'scored-only' must be a single value, found a list"),
        ("secrets: [TEST_*]", 1, 10, "'secrets' must be a mapping, e.g. secrets: {allow: [\"TEST_*\"]}; found a list"),
        ("secrets:\n  allowed: [x]", 2, 3, "unknown key 'allowed' in 'secrets' (did you mean 'allow'?)"),
        ("secrets:\n  deny: [x]", 2, 3, "unknown key 'deny' in 'secrets'; the only key is allow"),
        ("secrets: {allow: x}", 1, 18, "'secrets.allow' must be a list, e.g. allow: [\"TEST_*\"]; found 'x'"),
        ("secrets: {allow: [\" \"]}", 1, 19, "empty item in 'secrets.allow'"),
        ("trusted-registries: [https://ghcr.io]", 1, 22, "write the registry without a scheme: 'ghcr.io'"),
        ("trusted-registries: [ghcr.io/]", 1, 22, "remove the trailing '/' from 'ghcr.io/'"),
        ("trusted-registries: [\"ghcr .io\"]", 1, 22, "a registry cannot contain whitespace: 'ghcr .io'"),
        ("trusted-registries: ghcr.io", 1, 21, "'trusted-registries' must be a list, e.g. trusted-registries: [ghcr.io, \"*.gcr.io\"]; found 'ghcr.io'"),
        // YAML errors carry the path too.
        ("trusted-registries: [*.gcr.io]", 1, 22, "aliases ('*') are not supported; quote values that start with '*', e.g. \"*.example.com\""),
        ("ignore: [a]\nignore: [b]", 2, 1, "duplicate key 'ignore' (first defined at line 1)"),
    ]

    @Test(arguments: rejected)
    func rejectsBadSetting(_ text: String, _ line: Int, _ column: Int, _ message: String) {
        let error = configError(text)
        #expect(error == ConfigError(path: "c.yaml", line: line, column: column, message: message))
    }

    @Test func errorDescriptions() {
        #expect(ConfigError(path: "a/.dflint.yaml", line: 3, column: 7, message: "bad").description == "a/.dflint.yaml:3:7: bad")
        #expect(ConfigError(path: "a/.dflint.yaml", line: 0, column: 0, message: "unreadable").description == "a/.dflint.yaml: unreadable")
        #expect(ConfigError(path: "", line: 2, column: 1, message: "bad").description == "2:1: bad")
        #expect(ConfigError(path: "", line: 0, column: 0, message: "bad").description == "bad")
    }

    static let suggestions: [(String, [String], String?)] = [
        ("ignored", ConfigLoader.keys, "ignore"),
        ("IGNORE", ConfigLoader.keys, "ignore"),
        ("formatt", ConfigLoader.keys, "format"),
        ("sevrity", ConfigLoader.keys, "severity"),
        ("fail", ConfigLoader.keys, nil),
        ("x", ["y"], nil),
        ("ab", ["a"], "a"),
        ("DF103", ["DF101", "DF102"], "DF101"),
        ("", ["a"], nil),
        (String(repeating: "a", count: 65), [String(repeating: "a", count: 65)], nil),
    ]

    @Test(arguments: suggestions)
    func suggestsCloseNames(_ word: String, _ candidates: [String], _ expected: String?) {
        #expect(Suggestions.closest(to: word, in: candidates) == expected)
    }
}
