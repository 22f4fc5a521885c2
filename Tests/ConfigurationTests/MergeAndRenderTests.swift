import DockerfileSyntax
import Testing
@testable import Configuration

@Suite struct MergeAndRenderTests {
    @Test func mergeAppendsListsAndLetsSetScalarsWin() {
        var base = LintConfig()
        base.ignore = ["DF101", "DF102"]
        base.severity = ["DF101": .off, "DF120": .level(.info)]
        base.trustedRegistries = ["ghcr.io"]
        base.failureThreshold = .level(.error)
        base.secretAllow = ["TEST_*"]
        base.format = "tty"
        base.cisOnly = true
        base.scoredOnly = nil

        var over = LintConfig()
        over.ignore = ["DF102", "root-user", "root-user"]
        over.severity = ["DF120": .level(.error)]
        over.trustedRegistries = ["*.gcr.io", "ghcr.io"]
        over.secretAllow = ["TEST_*", "*_FILE"]
        over.format = "json"
        over.scoredOnly = false

        let m = base.merged(with: over)
        #expect(m.ignore == ["DF101", "DF102", "root-user"])
        #expect(m.severity == ["DF101": .off, "DF120": .level(.error)])
        #expect(m.trustedRegistries == ["ghcr.io", "*.gcr.io"])
        #expect(m.failureThreshold == .level(.error))
        #expect(m.secretAllow == ["TEST_*", "*_FILE"])
        #expect(m.format == "json")
        #expect(m.cisOnly == true)
        #expect(m.scoredOnly == false)
    }

    @Test func mergeWithEmptyIsIdentityUpToDeduplication() {
        var c = LintConfig()
        c.ignore = ["a", "b", "a"]
        c.failureThreshold = FailureThreshold.none
        #expect(c.merged(with: LintConfig()).ignore == ["a", "b"])
        #expect(LintConfig().merged(with: c).failureThreshold == FailureThreshold.none)
        #expect(LintConfig().merged(with: LintConfig()) == LintConfig())
    }

    @Test func rendersTheDocumentedShape() {
        var c = LintConfig()
        c.ignore = ["DF101", "root-user"]
        c.severity = ["latest-tag": .off, "DF120": .level(.warning)]
        c.trustedRegistries = ["ghcr.io", "*.gcr.io"]
        c.failureThreshold = .level(.warning)
        c.secretAllow = ["TEST_*"]
        c.format = "sarif"
        c.cisOnly = false
        c.setuidAllow = ["/usr/bin/newuidmap"]
        #expect(c.yaml() == """
            ignore:
              - DF101
              - root-user
            severity:
              DF120: warning
              latest-tag: off
            trusted-registries:
              - ghcr.io
              - "*.gcr.io"
            failure-threshold: warning
            secrets:
              allow:
                - "TEST_*"
            setuid-allow:
              - /usr/bin/newuidmap
            format: sarif
            cis-only: false

            """)
        #expect(LintConfig().yaml() == "ignore: []\nseverity: {}\ntrusted-registries: []\nsecrets:\n  allow: []\nsetuid-allow: []\n")
        #expect((try? ConfigLoader.parse(c.yaml(), path: "c", knownRules: nil)) == c)
        #expect(throws: ConfigError.self) { try ConfigLoader.parse("setuid-allow: [bin/x]", path: "c", knownRules: nil) }
    }

    static func config(_ build: (inout LintConfig) -> Void) -> LintConfig {
        var c = LintConfig()
        build(&c)
        return c
    }

    static let roundTrips: [LintConfig] = [
        LintConfig(),
        config { $0.ignore = ["DF101"]; $0.cisOnly = true; $0.scoredOnly = true },
        config { $0.severity = ["DF101": .off, "root-user": .level(.style), "x y": .level(.info)]; $0.failureThreshold = FailureThreshold.none },
        config { $0.trustedRegistries = ["localhost:5000", "*.gcr.io", "registry.example.com/team", "?ab"] },
        config { $0.secretAllow = ["null", "~", "true", "- x", "a: b", "#c", "'q'", "\"dq\"", "back\\slash", "tab\there", "é", "[x]", "{y}", "\u{1}\u{85}", "a #b", " lead", "trail "] },
        config { $0.ignore = ["a", "a"]; $0.format = "gitlab" },
        config { $0.failureThreshold = .level(.style); $0.format = "checkstyle"; $0.cisOnly = false },
    ]

    @Test(arguments: roundTrips)
    func renderParsesBack(_ c: LintConfig) throws {
        let text = c.yaml()
        #expect(try ConfigLoader.parse(text, path: "rendered", knownRules: nil) == c, "\(text)")
    }

    @Test func documentedExampleRoundTrips() throws {
        let c = try ConfigLoader.parse(SchemaTests.documentedExample, path: "c.yaml", knownRules: testRules)
        #expect(try ConfigLoader.parse(c.yaml(), path: "c.yaml", knownRules: testRules) == c)
    }
}
