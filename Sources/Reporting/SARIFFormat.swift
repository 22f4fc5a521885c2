// SARIF 2.1.0: one run, the whole rule catalogue in `tool.driver.rules`,
// results with exact regions (columns in Unicode code points, end
// exclusive) and line-shift-stable partial fingerprints.
import Rules
import DockerfileSyntax

enum SARIFFormat {
    static let schema = "https://json.schemastore.org/sarif-2.1.0.json"
    static let fingerprintKey = "dflintLineHash/v1"

    static func render(_ findings: [Finding], _ input: ReportInput) -> String {
        // The catalogue in its order (first of duplicate ids wins), then rules
        // only findings name (syntax diagnostics), sorted by id.
        var rules: [JSONValue] = []
        var index: [String: Int] = [:]
        for r in input.rules where index[r.id] == nil {
            index[r.id] = rules.count
            rules.append(descriptor(r))
        }
        var extra: [String: Finding] = [:]
        for f in findings where index[f.ruleID] == nil && extra[f.ruleID] == nil { extra[f.ruleID] = f }
        for id in extra.keys.sorted() {
            index[id] = rules.count
            rules.append(descriptor(synthesizedFrom: extra[id]!))
        }

        var cache = SourceCache(input.sources)
        let fingerprints = Fingerprint.lineHashes(findings, &cache)
        let results: [JSONValue] = zip(findings, fingerprints).map { f, fingerprint in
            result(f, ruleIndex: index[f.ruleID]!, fingerprint: fingerprint)
        }

        var driver: [(String, JSONValue)] = [
            ("name", .string("dflint")),
            ("version", .string(input.toolVersion)),
        ]
        if isSemanticVersion(input.toolVersion) { driver.append(("semanticVersion", .string(input.toolVersion))) }
        driver += [
            ("informationUri", .string(Reporter.informationURI)),
            ("rules", .array(rules)),
        ]
        let run: JSONValue = .object([
            ("tool", .object([("driver", .object(driver))])),
            ("columnKind", .string("unicodeCodePoints")),
            ("results", .array(results)),
        ])
        let log: JSONValue = .object([
            ("$schema", .string(schema)),
            ("version", .string("2.1.0")),
            ("runs", .array([run])),
        ])
        return log.rendered() + "\n"
    }

    private static func result(_ f: Finding, ruleIndex: Int, fingerprint: String) -> JSONValue {
        let startLine = max(1, f.range.start.line)
        let startColumn = max(1, f.range.start.column)
        var endLine = max(1, f.range.end.line)
        var endColumn = max(1, f.range.end.column)
        if (endLine, endColumn) < (startLine, startColumn) { (endLine, endColumn) = (startLine, startColumn) }
        let (uri, relative) = PathUtil.artifactURI(f.file)
        var artifact: [(String, JSONValue)] = [("uri", .string(uri))]
        if relative { artifact.append(("uriBaseId", .string("%SRCROOT%"))) }
        return .object([
            ("ruleId", .string(f.ruleID)),
            ("ruleIndex", .int(ruleIndex)),
            ("level", .string(SeverityMap.sarif(f.severity))),
            ("message", .object([("text", .string(f.message))])),
            ("locations", .array([.object([
                ("physicalLocation", .object([
                    ("artifactLocation", .object(artifact)),
                    ("region", .object([
                        ("startLine", .int(startLine)),
                        ("startColumn", .int(startColumn)),
                        ("endLine", .int(endLine)),
                        ("endColumn", .int(endColumn)),
                    ])),
                ])),
            ])])),
            ("partialFingerprints", .object([(fingerprintKey, .string(fingerprint))])),
        ] + (f.aliases.isEmpty ? [] : [("properties", .object([("aliases", .array(f.aliases.map { .string($0) }))]))]))
    }

    /// A `reportingDescriptor` for a catalogue rule.
    static func descriptor(_ r: RuleDescriptor) -> JSONValue {
        let cisLine = r.cis.map { "CIS Docker Benchmark \($0) (\(r.scored ? "Scored" : "Not Scored"))" }
        var text = r.rationale
        if !r.fix.isEmpty { text += "\n\nFix: " + r.fix }
        if let cisLine { text += "\n\n" + cisLine }
        if !r.aliases.isEmpty { text += "\n\nCovers: " + r.aliases.joined(separator: ", ") }

        var markdown = "**\(r.title)**\n\n\(r.rationale)"
        if !r.fix.isEmpty { markdown += "\n\n**Fix:** " + r.fix }
        if let cisLine { markdown += "\n\n" + cisLine }
        if !r.aliases.isEmpty { markdown += "\n\nCovers: " + r.aliases.map { "`\($0)`" }.joined(separator: ", ") }

        var tags: [JSONValue] = [.string("dockerfile")]
        var properties: [(String, JSONValue)] = []
        if let cis = r.cis {
            tags += [.string("security"), .string("CIS-\(cis)"), .string(r.scored ? "CIS-Scored" : "CIS-Not-Scored")]
        }
        properties.append(("tags", .array(tags)))
        if let cis = r.cis { properties.append(("cis", .string(cis))) }
        properties.append(("scored", .bool(r.scored)))
        if r.cis != nil { properties.append(("security-severity", .string(securitySeverity(r.defaultSeverity)))) }
        if !r.aliases.isEmpty { properties.append(("aliases", .array(r.aliases.map { .string($0) }))) }

        return .object([
            ("id", .string(r.id)),
            ("name", .string(r.name)),
            ("shortDescription", .object([("text", .string(r.title))])),
            ("fullDescription", .object([("text", .string(r.rationale))])),
            ("helpUri", .string(helpURI(r.helpPath))),
            ("help", .object([("text", .string(text)), ("markdown", .string(markdown))])),
            ("defaultConfiguration", .object([("level", .string(SeverityMap.sarif(r.defaultSeverity)))])),
            ("properties", .object(properties)),
        ])
    }

    /// A descriptor for a rule id missing from the catalogue (a syntax
    /// diagnostic such as DF005), from the first finding that names it.
    static func descriptor(synthesizedFrom f: Finding) -> JSONValue {
        let isSyntax = DiagnosticKind.allCases.contains { $0.id == f.ruleID }
        let title = sentence(fromKebab: f.ruleName.isEmpty ? f.ruleID : f.ruleName)
        var tags: [JSONValue] = [.string("dockerfile")]
        if isSyntax { tags.append(.string("syntax")) }
        if let cis = f.cis {
            tags += [.string("security"), .string("CIS-\(cis)"), .string(f.scored ? "CIS-Scored" : "CIS-Not-Scored")]
        }
        var members: [(String, JSONValue)] = [
            ("id", .string(f.ruleID)),
            ("name", .string(f.ruleName)),
            ("shortDescription", .object([("text", .string(title))])),
        ]
        if let fix = f.fix {
            members.append(("help", .object([("text", .string("Fix: " + fix)), ("markdown", .string("**Fix:** " + fix))])))
        }
        members.append(("defaultConfiguration", .object([("level", .string(SeverityMap.sarif(f.severity)))])))
        var properties: [(String, JSONValue)] = [("tags", .array(tags))]
        if let cis = f.cis { properties.append(("cis", .string(cis))) }
        properties.append(("scored", .bool(f.scored)))
        members.append(("properties", .object(properties)))
        return .object(members)
    }

    /// GitHub code scanning's `security-severity` (0.0–10.0) for CIS rules:
    /// error high, warning medium, info and style low.
    static func securitySeverity(_ s: Severity) -> String {
        switch s {
        case .error: return "8.0"
        case .warning: return "5.0"
        case .info: return "3.0"
        case .style: return "1.0"
        }
    }

    /// The rule's README section on the project page.
    static func helpURI(_ helpPath: String) -> String {
        let parts = helpPath.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        var uri = Reporter.informationURI + "/blob/main/" + PathUtil.uriPath(String(parts[0]), allowColon: false)
        if parts.count > 1 { uri += "#" + PathUtil.uriPath(String(parts[1]), allowColon: true) }
        return uri
    }

    /// `unterminated-heredoc` -> `Unterminated heredoc`.
    static func sentence(fromKebab s: String) -> String {
        let words = s.split(separator: "-").joined(separator: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    /// `MAJOR.MINOR.PATCH` with optional pre-release/build suffix.
    static func isSemanticVersion(_ v: String) -> Bool {
        let core = v.split(whereSeparator: { $0 == "-" || $0 == "+" }).first.map(String.init) ?? ""
        let parts = core.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }
}
