// What a rule reports, and what a rule is. Reporting and the CLI consume
// these; rules produce them.
import DockerfileSyntax

/// One problem found in one file.
public struct Finding: Sendable, Hashable {
    /// The path as given on the command line (or `--stdin-filename`).
    public var file: String
    /// 1-based, end exclusive (see README "Positions").
    public var range: SourceRange
    /// Byte span in the file, when the finding comes from a parsed file.
    public var span: Span?
    /// Stable rule id, e.g. `DF101`, or a syntax diagnostic id, e.g. `DF005`.
    public var ruleID: String
    /// Kebab-case rule name, e.g. `root-user`.
    public var ruleName: String
    public var severity: Severity
    /// One sentence; secrets inside it are already masked.
    public var message: String
    /// CIS Docker Benchmark section 4 item, e.g. `4.1`, or nil.
    public var cis: String?
    /// Whether that CIS item is Scored (Automated).
    public var scored: Bool
    /// How to fix it, one short sentence.
    public var fix: String?
    /// Bytes of the file that hold a secret: no output may show them (source
    /// excerpts are masked before they reach a reporter).
    public var redact: Span?
    /// The peer rules (hadolint `DLxxxx`, BuildKit check names, trivy, checkov) this finding is
    /// an instance of: the sub-case that fired when the rule covers several (`DL3008` for an apt
    /// pin, `DL3013` for pip), else every alias of the rule.
    public var aliases: [String]

    public init(file: String, range: SourceRange, span: Span? = nil, ruleID: String, ruleName: String,
                severity: Severity, message: String, cis: String? = nil, scored: Bool = false, fix: String? = nil,
                redact: Span? = nil, aliases: [String] = []) {
        self.file = file
        self.range = range
        self.span = span
        self.ruleID = ruleID
        self.ruleName = ruleName
        self.severity = severity
        self.message = message
        self.cis = cis
        self.scored = scored
        self.fix = fix
        self.redact = redact
        self.aliases = aliases
    }

    /// `bytes` with every redacted span replaced by one `*` per character
    /// (so columns stay where they were); newlines are kept.
    public static func redacting(_ bytes: [UInt8], _ spans: [Span]) -> [UInt8] {
        guard !spans.isEmpty else { return bytes }
        var out = bytes
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var mark = [Bool](repeating: false, count: bytes.count)
        for s in spans where s.start < bytes.count {
            for i in s.start..<min(s.end, bytes.count) where bytes[i] != 0x0A { mark[i] = true }
        }
        for (i, b) in bytes.enumerated() {
            if !mark[i] { result.append(b); continue }
            // One star per scalar: skip UTF-8 continuation bytes.
            if b & 0xC0 != 0x80 { result.append(UInt8(ascii: "*")) }
        }
        out = result
        return out
    }

    /// Sort order of every output: file, line, column, then rule id.
    public static func ordered(_ a: Finding, _ b: Finding) -> Bool {
        (a.file, a.range.start.line, a.range.start.column, a.ruleID, a.message)
            < (b.file, b.range.start.line, b.range.start.column, b.ruleID, b.message)
    }
}

/// The documentation of a rule: everything `dflint rules`, `dflint explain`,
/// SARIF `tool.driver.rules` and the generic example test read.
public struct RuleDescriptor: Sendable, Hashable {
    public var id: String
    public var name: String
    public var title: String
    public var cis: String?
    public var scored: Bool
    public var defaultSeverity: Severity
    public var rationale: String
    public var fix: String
    /// Code that must trigger the rule; `↓` marks where each finding must start
    /// (a second `↓` after it, when present, marks where it must end).
    public var triggering: [String]
    /// Code that must not trigger it.
    public var nonTriggering: [String]
    /// Peer rules this one covers (hadolint, BuildKit, trivy, checkov ids), for lookup, pragmas
    /// and `--ignore`. When a rule covers several, each hit names the one it is (`Hit.alias`),
    /// so an alias selects only its own sub-case.
    public var aliases: [String]

    public init(id: String, name: String, title: String, cis: String? = nil, scored: Bool = false,
                defaultSeverity: Severity, rationale: String, fix: String,
                triggering: [String] = [], nonTriggering: [String] = [], aliases: [String] = []) {
        self.id = id
        self.name = name
        self.title = title
        self.cis = cis
        self.scored = scored
        self.defaultSeverity = defaultSeverity
        self.rationale = rationale
        self.fix = fix
        self.triggering = triggering
        self.nonTriggering = nonTriggering
        self.aliases = aliases
    }

    /// Documentation page for the rule inside the repository.
    public var helpPath: String { "README.md#\(id.lowercased())-\(name)" }
}
