// Format-level checks beyond the goldens: schema validation, parseability,
// required keys, fingerprints and exact escaping.
import Checksums
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Reporting
import Rules
import DockerfileSyntax

private func finding(_ file: String = "Dockerfile", _ r: SourceRange = range(1, 1, 1, 5), id: String = "DF101",
                     name: String = "untagged-image", severity: Severity = .warning, message: String = "msg",
                     cis: String? = nil, scored: Bool = false, fix: String? = nil) -> Finding {
    Finding(file: file, range: r, ruleID: id, ruleName: name, severity: severity, message: message,
            cis: cis, scored: scored, fix: fix)
}

private func finding(_ r: SourceRange, id: String = "DF101", name: String = "untagged-image",
                     severity: Severity = .warning, message: String = "msg", cis: String? = nil,
                     scored: Bool = false, fix: String? = nil) -> Finding {
    finding("Dockerfile", r, id: id, name: name, severity: severity, message: message, cis: cis, scored: scored, fix: fix)
}

private func parseJSON(_ text: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
}

// MARK: - SARIF

@Suite struct SARIFTests {
    /// Inputs whose SARIF must validate: the fixture, an empty run, odd
    /// paths and out-of-range positions.
    static var documents: [(String, String)] {
        let odd = ReportInput(findings: [
            finding("/abs/path/Dockerfile", range(0, 0, 0, 0), id: "DF999", name: "", severity: .style, message: ""),
            finding("a:b/Dockerfile", range(5, 3, 2, 1), id: "DF005", name: "unterminated-heredoc", severity: .error),
            finding("dir with space/ü #1.Dockerfile", range(2, 2, 2, 9), severity: .info, message: "a \"q\" \\ \u{1}"),
            finding("./Dockerfile", range(1, 1, 3, 1), cis: "4.1", scored: true, fix: "fix it"),
        ], rules: Fixture.rules, toolVersion: "1.2.3-beta+7")
        return [
            ("fixture", Reporter.render(.sarif, Fixture.input())),
            ("empty", Reporter.render(.sarif, ReportInput(findings: [], toolVersion: "0.1.0"))),
            ("catalogue-only", Reporter.render(.sarif, ReportInput(findings: [], rules: Fixture.rules, toolVersion: "dev"))),
            ("odd", Reporter.render(.sarif, odd)),
        ]
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: Paths.sarifSchema.path),
                   "needs ../shared/schemas/sarif-schema-2.1.0.json next to the repository"))
    func validatesAgainstTheSchema() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dflint-sarif-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var paths: [String] = []
        for (name, text) in Self.documents {
            let url = dir.appendingPathComponent("\(name).sarif")
            try Data(text.utf8).write(to: url)
            paths.append(url.path)
        }
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
            bad = 0
            for path in sys.argv[2:]:
                for e in validator.iter_errors(json.load(open(path, encoding="utf-8"))):
                    bad += 1
                    print(path, "/".join(map(str, e.absolute_path)), e.message[:300])
            print("invalid" if bad else "valid")
            sys.exit(1 if bad else 0)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, Paths.sarifSchema.path] + paths
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.hasSuffix("valid\n") && !output.contains("invalid"), "\(output)")
    }

    @Test func rulesResultsAndRegions() throws {
        let log = try #require(try parseJSON(Reporter.render(.sarif, Fixture.input())) as? [String: Any])
        #expect(log["version"] as? String == "2.1.0")
        #expect((log["$schema"] as? String)?.contains("sarif-2.1.0") == true)
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        #expect(run["columnKind"] as? String == "unicodeCodePoints")
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["name"] as? String == "dflint")
        #expect(driver["version"] as? String == "0.1.0")
        #expect(driver["informationUri"] as? String == Reporter.informationURI)
        let rules = try #require(driver["rules"] as? [[String: Any]])
        let ids = rules.map { $0["id"] as? String ?? "" }
        // The whole catalogue, in order, then the rules only findings name.
        #expect(Array(ids.prefix(Fixture.rules.count)) == Fixture.rules.map(\.id))
        #expect(Array(ids.dropFirst(Fixture.rules.count)) == ["DF005", "DF402"])
        #expect(Set(ids).count == ids.count)

        let root = try #require(rules.first { $0["id"] as? String == "DF301" })
        #expect((root["shortDescription"] as? [String: Any])?["text"] as? String == "The final user is not root")
        #expect(((root["fullDescription"] as? [String: Any])?["text"] as? String)?.hasPrefix("Containers running") == true)
        let help = try #require((root["help"] as? [String: Any])?["text"] as? String)
        #expect(help.contains("Fix: Add `USER <non-root>`") && help.contains("CIS Docker Benchmark 4.1 (Scored)"))
        #expect((root["defaultConfiguration"] as? [String: Any])?["level"] as? String == "error")
        let props = try #require(root["properties"] as? [String: Any])
        #expect(props["cis"] as? String == "4.1")
        #expect(props["scored"] as? Bool == true)
        #expect(props["tags"] as? [String] == ["dockerfile", "security", "CIS-4.1", "CIS-Scored"])
        #expect(props["security-severity"] as? String == "8.0")

        let results = try #require(run["results"] as? [[String: Any]])
        #expect(results.count == Fixture.findings.count)
        let sorted = Fixture.findings.sorted(by: Finding.ordered)
        var fingerprints: Set<String> = []
        for (r, f) in zip(results, sorted) {
            #expect(r["ruleId"] as? String == f.ruleID)
            let index = try #require(r["ruleIndex"] as? Int)
            #expect(ids[index] == f.ruleID)
            let level = r["level"] as? String
            #expect(level == ["error": "error", "warning": "warning", "info": "note", "style": "note"][f.severity.rawValue])
            #expect((r["message"] as? [String: Any])?["text"] as? String == f.message)
            let location = try #require((r["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
            let region = try #require(location["region"] as? [String: Int])
            #expect(region == ["startLine": f.range.start.line, "startColumn": f.range.start.column,
                               "endLine": f.range.end.line, "endColumn": f.range.end.column])
            let artifact = try #require(location["artifactLocation"] as? [String: String])
            #expect(artifact["uriBaseId"] == "%SRCROOT%")
            #expect(artifact["uri"] == f.file.replacingOccurrences(of: " ", with: "%20"))
            let fp = try #require((r["partialFingerprints"] as? [String: String])?["dflintLineHash/v1"])
            #expect(fp.range(of: "^[0-9a-f]{32}:[0-9]+$", options: .regularExpression) != nil)
            fingerprints.insert(fp)
        }
        #expect(fingerprints.count == results.count)
    }

    @Test func artifactURIs() {
        #expect(PathUtil.artifactURI("Dockerfile") == ("Dockerfile", true))
        #expect(PathUtil.artifactURI("./sub/./Dockerfile") == ("sub/./Dockerfile", true))
        #expect(PathUtil.artifactURI("dir with space/ü#1?.Dockerfile") == ("dir%20with%20space/%C3%BC%231%3F.Dockerfile", true))
        #expect(PathUtil.artifactURI("a:b/Dockerfile") == ("a%3Ab/Dockerfile", true))
        #expect(PathUtil.artifactURI("/abs/a b:c/Dockerfile") == ("file:///abs/a%20b:c/Dockerfile", false))
    }

    /// Inserting lines above a finding (its line number changes) keeps its
    /// fingerprint; the rule, the file and the line's text each change it.
    @Test func fingerprintsSurviveLineShifts() throws {
        func fingerprint(_ source: String, line: Int, id: String = "DF301", file: String = "Dockerfile") throws -> String {
            let input = ReportInput(findings: [finding(file, range(line, 6, line, 10), id: id, name: "root-user",
                                                       message: "The last USER is root (line \(line))")],
                                    sources: [file: Array(source.utf8)], toolVersion: "0.1.0")
            let log = try #require(try parseJSON(Reporter.render(.sarif, input)) as? [String: Any])
            let result = try #require(((log["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]])?.first)
            return try #require((result["partialFingerprints"] as? [String: String])?["dflintLineHash/v1"])
        }
        let base = try fingerprint("FROM ubuntu\nUSER root\n", line: 2)
        #expect(try fingerprint("# a comment\n\nFROM ubuntu\nUSER root\n", line: 4) == base)
        #expect(try fingerprint("FROM ubuntu\n  USER   root  \n", line: 2) == base)
        #expect(try fingerprint("FROM ubuntu\nUSER root\n", line: 2, id: "DF302") != base)
        #expect(try fingerprint("FROM ubuntu\nUSER root\n", line: 2, file: "other/Dockerfile") != base)
        #expect(try fingerprint("FROM ubuntu\nUSER 0\n", line: 2) != base)
        #expect(try fingerprint("FROM ubuntu\nUSER root\n", line: 2, file: "./Dockerfile") == base)
    }
}

// MARK: - JSON and GitLab

@Suite struct JSONFormatTests {
    @Test func jsonParsesWithTheRequiredKeys() throws {
        let items = try #require(try parseJSON(Reporter.render(.json, Fixture.input())) as? [[String: Any]])
        #expect(items.count == Fixture.findings.count)
        let required: Set = ["file", "line", "column", "end_line", "end_column", "rule", "name", "severity",
                             "message", "cis", "scored", "aliases"]
        var previous: (String, Int, Int)?
        for item in items {
            #expect(required.isSubset(of: Set(item.keys)))
            #expect(Set(item.keys).subtracting(required).isSubset(of: ["fix"]))
            #expect(item["cis"] is NSNull || item["cis"] is String)
            #expect(item["scored"] as? Bool != nil)
            #expect(["error", "warning", "info", "style"].contains(item["severity"] as? String ?? ""))
            let key = (item["file"] as? String ?? "", item["line"] as? Int ?? 0, item["column"] as? Int ?? 0)
            if let previous { #expect(previous <= key) }
            previous = key
        }
        let multi = try #require(items.first { $0["rule"] as? String == "DF201" })
        #expect(multi["message"] as? String == "Don't run \"apt-get update\" & <install> in 100% separate\nlayers: combine them")
        #expect(multi["cis"] as? String == "4.7")
        #expect(multi["end_line"] as? Int == 4)
    }

    @Test func jsonIsAnEmptyArrayWhenClean() {
        #expect(Reporter.render(.json, ReportInput(findings: [], toolVersion: "0.1.0")) == "[]\n")
        #expect(Reporter.render(.gitlab, ReportInput(findings: [], toolVersion: "0.1.0")) == "[]\n")
    }

    @Test func jsonStringEscaping() throws {
        let message = "q\" b\\ n\n r\r t\t nul\u{0} esc\u{1B} del\u{7F} ls\u{2028} é☕"
        let text = Reporter.render(.json, ReportInput(findings: [finding(message: message)], toolVersion: "0.1.0"))
        #expect(text.contains(#""message": "q\" b\\ n\n r\r t\t nul\u0000 esc\u001b del\u007f ls\u2028 é☕","#))
        let items = try #require(try parseJSON(text) as? [[String: Any]])
        #expect(items.first?["message"] as? String == message)
    }

    @Test func gitlabParsesWithUniqueFingerprints() throws {
        // Fixture plus two exactly identical findings.
        var input = Fixture.input()
        let twin = finding("Dockerfile", range(5, 6, 5, 10), id: "DF301", name: "root-user", severity: .error)
        input.findings += [twin, twin]
        let items = try #require(try parseJSON(Reporter.render(.gitlab, input)) as? [[String: Any]])
        #expect(items.count == input.findings.count)
        var fingerprints: Set<String> = []
        for item in items {
            #expect(item["description"] as? String != nil)
            #expect(item["check_name"] as? String != nil)
            let severity = try #require(item["severity"] as? String)
            #expect(["info", "minor", "major", "critical", "blocker"].contains(severity))
            let location = try #require(item["location"] as? [String: Any])
            #expect(location["path"] as? String != nil)
            let begin = try #require((location["lines"] as? [String: Any])?["begin"] as? Int)
            #expect(begin >= 1)
            let fp = try #require(item["fingerprint"] as? String)
            #expect(fp.range(of: "^[0-9a-f]{32}$", options: .regularExpression) != nil)
            fingerprints.insert(fp)
        }
        #expect(fingerprints.count == items.count)

        // Identical findings on different lines differ.
        let updates = items.filter { $0["check_name"] as? String == "DF204" }
        #expect(updates.count == 2)
        #expect(updates[0]["fingerprint"] as? String != updates[1]["fingerprint"] as? String)
        #expect(updates[0]["description"] as? String == updates[1]["description"] as? String)
    }

    @Test func gitlabSeverities() throws {
        let input = ReportInput(findings: Severity.allCases.enumerated().map { i, s in
            finding(range(i + 1, 1, i + 1, 2), severity: s)
        }, toolVersion: "0.1.0")
        let items = try #require(try parseJSON(Reporter.render(.gitlab, input)) as? [[String: Any]])
        #expect(items.map { $0["severity"] as? String ?? "" } == ["critical", "minor", "info", "info"])
    }
}

// MARK: - One-line formats

@Suite struct EscapingTests {
    @Test func githubExactEscaping() {
        let f = finding("dir,x/a:b%.Dockerfile", range(3, 4, 3, 9), id: "DF7", name: "odd:name,here",
                        severity: .warning, message: "50% done\r\nnext: a,b::c")
        #expect(Reporter.render(.github, ReportInput(findings: [f], toolVersion: "0.1.0")) ==
            "::warning file=dir%2Cx/a%3Ab%25.Dockerfile,line=3,col=4,endLine=3,endColumn=9,"
            + "title=DF7 odd%3Aname%2Chere::50%25 done%0D%0Anext: a,b::c\n")
    }

    @Test func githubLevelsAndMultiLineRanges() {
        let input = ReportInput(findings: [
            finding(range(1, 2, 1, 5), severity: .error),
            finding(range(2, 2, 4, 3), severity: .warning),
            finding(range(5, 2, 6, 1), severity: .info),
            finding(range(7, 1, 7, 1), severity: .style),
        ], toolVersion: "0.1.0")
        #expect(Reporter.render(.github, input) == """
            ::error file=Dockerfile,line=1,col=2,endLine=1,endColumn=5,title=DF101 untagged-image::msg
            ::warning file=Dockerfile,line=2,endLine=4,title=DF101 untagged-image::msg
            ::notice file=Dockerfile,line=5,col=2,endLine=5,title=DF101 untagged-image::msg
            ::notice file=Dockerfile,line=7,col=1,endLine=7,endColumn=1,title=DF101 untagged-image::msg

            """)
    }

    @Test func checkstyleExactEscaping() {
        let message = "a & b < c > d \"e\" 'f'\tg\nh\ri\u{1}j\u{7F}k\u{FFFE}l é"
        let f = finding("x&y/<a>\"b\".Dockerfile", range(2, 3, 2, 4), severity: .style, message: message)
        let text = Reporter.render(.checkstyle, ReportInput(findings: [f], toolVersion: "0.1.0"))
        #expect(text == """
            <?xml version="1.0" encoding="UTF-8"?>
            <checkstyle version="4.3">
              <file name="x&amp;y/&lt;a&gt;&quot;b&quot;.Dockerfile">
                <error line="2" column="3" severity="info" message="a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos;&#9;g&#10;h&#13;i\u{FFFD}j&#127;k\u{FFFD}l é" source="dflint.DF101"/>
              </file>
            </checkstyle>

            """)
    }

    #if canImport(FoundationXML) || os(macOS)
    /// An XML parser reads back exactly the message (minus the characters XML
    /// cannot carry) and the file name.
    @Test func checkstyleRoundTripsThroughAnXMLParser() throws {
        final class Collector: NSObject, XMLParserDelegate {
            var attributes: [[String: String]] = []
            func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                        qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
                attributes.append(["element": elementName].merging(attributeDict) { a, _ in a })
            }
        }
        let message = "a & b < c > d \"e\" 'f'\tg\nh\ri\u{1}j\u{7F}k é]]>"
        var input = Fixture.input()
        input.findings.append(finding("x&y/<a>\"b\".Dockerfile", range(2, 3, 2, 4), message: message))
        let text = Reporter.render(.checkstyle, input)
        let parser = XMLParser(data: Data(text.utf8))
        let collector = Collector()
        parser.delegate = collector
        #expect(parser.parse(), "\(String(describing: parser.parserError))")
        let errors = collector.attributes.filter { $0["element"] == "error" }
        #expect(errors.count == input.findings.count)
        #expect(errors.contains { $0["message"] == message.replacingOccurrences(of: "\u{1}", with: "\u{FFFD}") })
        #expect(collector.attributes.contains { $0["element"] == "file" && $0["name"] == "x&y/<a>\"b\".Dockerfile" })
        #expect(collector.attributes.contains { $0["element"] == "file" && $0["name"] == "clean/Dockerfile" })
        #expect(Set(errors.compactMap { $0["severity"] }).isSubset(of: ["error", "warning", "info"]))
    }
    #endif

    @Test func gnuIsOneLinePerFinding() {
        let input = ReportInput(findings: [
            finding("a\nb/Dockerfile", message: "  two\nlines\r\nand\ttab \u{1B}[31m  "),
            finding(range(2, 1, 2, 2), severity: .style, message: " \n "),
        ], toolVersion: "0.1.0")
        #expect(Reporter.render(.gnu, input) == """
            Dockerfile:2:1: style: untagged-image [DF101]
            a b/Dockerfile:1:1: warning: two lines and tab \u{FFFD}[31m [DF101]

            """)
    }
}

// MARK: - tty

@Suite struct TTYTests {
    @Test func noEscapesWithoutColour() {
        #expect(!Reporter.render(.tty, Fixture.input()).contains("\u{1B}"))
        #expect(!Reporter.summary(Fixture.input(), fileCount: 4).contains("\u{1B}"))
        #expect(Reporter.render(.tty, Fixture.input(color: true)).contains("\u{1B}[1;31merror:\u{1B}[0m"))
    }

    @Test func headerIsGccStyle() throws {
        let regex = try NSRegularExpression(pattern: #"^(.+?):(\d+):(\d+): (error|warning|info|style): (.+) \[([A-Z]+[0-9]+) ([a-z0-9-]+)(?:, [A-Za-z0-9_]+)*\]$"#)
        let text = Reporter.render(.tty, Fixture.input())
        let headers = text.split(separator: "\n").filter { !$0.hasPrefix(" ") && !$0.contains(" | ") && !$0.hasSuffix(" |") }
        #expect(headers.count == Fixture.findings.count)
        for h in headers {
            let s = String(h)
            #expect(regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil, "\(s)")
        }
    }

    @Test func blockShapes() {
        let source: [String: [UInt8]] = ["Dockerfile": Array("FROM a\n\nUSER root\n".utf8)]
        let input = ReportInput(findings: [
            finding(range(3, 6, 3, 10), id: "DF301", name: "root-user", severity: .error, message: "root",
                    cis: "4.1", scored: true, fix: "use\nanother user"),
            finding(range(2, 1, 2, 1), id: "DF102", name: "blank", severity: .info, message: "blank line"),
            finding("missing", range(1, 1, 1, 2), id: "DF103", name: "gone", severity: .style, message: "no source",
                    cis: "4.9"),
        ], sources: source, toolVersion: "0.1.0")
        #expect(Reporter.render(.tty, input) == """
            Dockerfile:2:1: info: blank line [DF102 blank]
            2 |
              | ^

            Dockerfile:3:6: error: root [DF301 root-user]
            3 | USER root
              |      ^~~~
              = fix: use another user
              = CIS 4.1 (Scored)

            missing:1:1: style: no source [DF103 gone]
              = CIS 4.9 (Not Scored)

            """)
    }

    @Test func wideGutter() {
        let text = String(repeating: "\n", count: 11) + "USER root\n"
        let input = ReportInput(findings: [finding(range(12, 6, 12, 10), fix: "f")],
                                sources: ["Dockerfile": Array(text.utf8)], toolVersion: "0.1.0")
        #expect(Reporter.render(.tty, input) == """
            Dockerfile:12:6: warning: msg [DF101 untagged-image]
            12 | USER root
               |      ^~~~
               = fix: f

            """)
    }
}

// MARK: - Source excerpts

@Suite struct ExcerptTests {
    private func render(_ s: String, _ start: Int, _ end: Int?, indent: Int = 0) -> (String, String) {
        let r = Excerpt.render(ArraySlice(Array(s.utf8)), start: start, end: end, indent: indent)
        return (r.source, r.carets)
    }

    @Test func plainRanges() {
        #expect(render("USER root", 6, 10) == ("USER root", "     ^~~~"))
        #expect(render("USER root", 6, 6) == ("USER root", "     ^"))
        #expect(render("USER root", 10, 10) == ("USER root", "         ^"))
        // Past the end: clamped just after the last character.
        #expect(render("USER root", 40, 50) == ("USER root", "         ^"))
        #expect(render("USER root", 6, 99) == ("USER root", "     ^~~~"))
        // To the end of the line (a multi-line range).
        #expect(render("RUN a && \\", 5, nil) == ("RUN a && \\", "    ^~~~~~"))
        #expect(render("", 1, 1) == ("", "^"))
        #expect(render("x", 0, 0) == ("x", "^"))
    }

    @Test func tabsStayInThePrefix() {
        #expect(render("\tapt-get install", 10, 17) == ("\tapt-get install", "\t        ^~~~~~~"))
        #expect(render("a\tb\tc", 5, 6) == ("a\tb\tc", " \t \t^"))
        // Inside the range a tab is underlined to the next 8-cell stop,
        // counted from where the line starts on the terminal.
        #expect(render("\tx", 1, 3) == ("\tx", "^~~~~~~~~"))
        #expect(render("\tx", 1, 3, indent: 4) == ("\tx", "^~~~~"))
    }

    @Test func unicodeWidths() {
        // é is one column and one cell; ☕ one column and two cells.
        #expect(render("café ☕ x", 8, 9) == ("café ☕ x", "        ^"))
        // A combining accent is its own column of zero width.
        #expect(render("e\u{301}x", 3, 4) == ("e\u{301}x", " ^"))
        #expect(render("日本語abc", 4, 7) == ("日本語abc", "      ^~~"))
        #expect(render("日本語", 2, 3) == ("日本語", "  ^~"))
    }

    @Test func invalidUTF8AndControls() {
        let bytes: [UInt8] = [0x61, 0xFF, 0xE2, 0x82, 0x62, 0x1B, 0x5B, 0x7F, 0x63]
        let r = Excerpt.render(ArraySlice(bytes), start: 4, end: 5)
        #expect(r.source == "a\u{FFFD}\u{FFFD}b\u{241B}[\u{2421}c")
        #expect(r.carets == "   ^")
        // Leading continuation bytes do not take a column.
        let lead = Excerpt.render(ArraySlice([0x80, 0x41, 0x42] as [UInt8]), start: 2, end: 3)
        #expect(lead.source == "\u{FFFD}AB")
        #expect(lead.carets == "  ^")
        // Overlong encodings and surrogates are invalid.
        #expect(Excerpt.decodeOne(ArraySlice([0xC0, 0x80] as [UInt8])) == nil)
        #expect(Excerpt.decodeOne(ArraySlice([0xE0, 0x80, 0x80] as [UInt8])) == nil)
        #expect(Excerpt.decodeOne(ArraySlice([0xED, 0xA0, 0x80] as [UInt8])) == nil)
        #expect(Excerpt.decodeOne(ArraySlice([0xF4, 0x90, 0x80, 0x80] as [UInt8])) == nil)
        #expect(Excerpt.decodeOne(ArraySlice([0xF0, 0x9F, 0x90, 0xB3] as [UInt8])) == "🐳")
        // Bidi overrides cannot reorder the terminal line.
        #expect(render("a\u{202E}b", 3, 4) == ("a\u{FFFD}b", "  ^"))
    }

    /// Columns agree with `SourceFile.position(of:)` for every byte offset.
    @Test func columnsMatchTheParser() {
        let bytes: [UInt8] = Array("\té☕x".utf8) + [0xFF, 0x80, 0x41] + Array("e\u{301}日".utf8)
        let file = SourceFile(bytes: bytes)
        let units = Excerpt.units(ArraySlice(bytes))
        // Units start exactly at the non-continuation bytes, numbered as the parser numbers columns.
        let starts = bytes.indices.filter { bytes[$0] & 0xC0 != 0x80 }
        #expect(units.map(\.column) == starts.map { file.position(of: $0).column })
    }
}

// MARK: - Summary, hashing, text helpers

@Suite struct SummaryTests {
    @Test func clean() {
        #expect(Reporter.summary(ReportInput(findings: [], toolVersion: "0.1.0"), fileCount: 3) == "no findings in 3 files")
        #expect(Reporter.summary(ReportInput(findings: [], toolVersion: "0.1.0"), fileCount: 1) == "no findings in 1 file")
        #expect(Reporter.summary(ReportInput(findings: [], toolVersion: "0.1.0"), fileCount: 0) == "no findings in 0 files")
    }

    @Test func countsAndCIS() {
        let input = ReportInput(findings: [
            finding(severity: .warning),
            finding("b", severity: .info, cis: "4.10", scored: true),
            finding("b", severity: .info, cis: "4.9", scored: true),
            finding("b", severity: .info, cis: "4.9", scored: true),
            finding("b", severity: .info, cis: "4.7", scored: false),
        ], toolVersion: "0.1.0")
        #expect(Reporter.summary(input, fileCount: 2)
            == "5 findings (1 warning, 4 info) in 2 files; CIS Scored items failed: 4.9, 4.10")
        #expect(Reporter.summary(ReportInput(findings: [finding(severity: .error)], toolVersion: "0"), fileCount: 7)
            == "1 finding (1 error) in 1 of 7 files")
    }
}

@Suite struct HashTests {
    @Test func sha256Vectors() {
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex(Array(repeating: UInt8(ascii: "a"), count: 1000))
            == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
        let bytes = (0..<768).map { UInt8($0 % 256) }
        #expect(SHA256.hex(bytes) == "f3a25aa93aa2fbba28d79260535bbd6a5eb0fc1c24a8b0f04e12b484c1dfe363")
    }
}
