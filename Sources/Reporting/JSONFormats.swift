// `json` (dflint's own array of findings) and `gitlab` (GitLab Code Quality,
// a Code Climate issue array).
import Rules
import DockerfileSyntax

enum JSONFormats {
    /// Keys in this order: file, line, column, end_line, end_column, rule,
    /// name, severity, message, cis (string or null), scored, aliases (the
    /// peer rule ids of the finding's sub-case, possibly empty), then fix when
    /// the finding has one. Positions are 1-based, end exclusive.
    static func json(_ findings: [Finding]) -> String {
        let items: [JSONValue] = findings.map { f in
            var members: [(String, JSONValue)] = [
                ("file", .string(f.file)),
                ("line", .int(f.range.start.line)),
                ("column", .int(f.range.start.column)),
                ("end_line", .int(f.range.end.line)),
                ("end_column", .int(f.range.end.column)),
                ("rule", .string(f.ruleID)),
                ("name", .string(f.ruleName)),
                ("severity", .string(f.severity.rawValue)),
                ("message", .string(f.message)),
                ("cis", .optional(f.cis)),
                ("scored", .bool(f.scored)),
                ("aliases", .array(f.aliases.map { .string($0) })),
            ]
            if let fix = f.fix { members.append(("fix", .string(fix))) }
            return .object(members)
        }
        return JSONValue.array(items).rendered() + "\n"
    }

    /// GitLab reads `description`, `check_name`, `fingerprint`, `severity`,
    /// `location.path` and `location.lines.begin`; `type`, `categories` and
    /// `lines.end` make each object a complete Code Climate issue too.
    /// Severity: error → critical, warning → minor, info and style → info.
    static func gitlab(_ findings: [Finding]) -> String {
        let fingerprints = Fingerprint.gitlab(findings)
        let items: [JSONValue] = zip(findings, fingerprints).map { f, fingerprint in
            let begin = max(1, f.range.start.line)
            return .object([
                ("type", .string("issue")),
                ("check_name", .string(f.ruleID)),
                ("description", .string("\(TextUtil.message(f)) [\(f.ruleID) \(f.ruleName)]")),
                ("categories", .array([.string(category(f))])),
                ("fingerprint", .string(fingerprint)),
                ("severity", .string(SeverityMap.gitlab(f.severity))),
                ("location", .object([
                    ("path", .string(PathUtil.normalised(f.file))),
                    ("lines", .object([("begin", .int(begin)), ("end", .int(max(begin, f.lastLine)))])),
                ])),
            ])
        }
        return JSONValue.array(items).rendered() + "\n"
    }

    /// Code Climate category: CIS items are Security, style findings Style,
    /// the rest Bug Risk.
    static func category(_ f: Finding) -> String {
        if f.cis != nil { return "Security" }
        if f.severity == .style { return "Style" }
        return "Bug Risk"
    }
}
