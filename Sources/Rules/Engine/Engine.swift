// The rule engine: runs every rule over a LintContext, turns hits into
// findings, applies severity overrides, ignore settings and inline
// suppression pragmas (dflint, hadolint and BuildKit spellings), and reports
// suppressions that suppressed nothing.
import DockerfileSyntax

/// What a rule reports: where, what, and optionally a better fix hint.
public struct Hit: Sendable {
    public var span: Span
    public var message: String
    public var fix: String?
    /// Bytes holding a secret, masked in every output.
    public var redact: Span?
    /// The peer rules this hit is an instance of, when the rule's descriptor lists several
    /// aliases (e.g. `DL3008` for apt and `DL3013` for pip under one unpinned-package rule; `DL3032`
    /// and `DS-0015` for a yum cache). Each must be one of the descriptor's aliases (the generic
    /// example test checks). `[]` says the sub-case has no peer; nil means every alias of the rule.
    public var aliases: [String]?
    /// The first of `aliases` (the shape of the shared interface: one peer id per sub-case).
    public var alias: String? { aliases?.first }

    public init(_ span: Span, _ message: String, fix: String? = nil, redact: Span? = nil, alias: String? = nil) {
        self.span = span
        self.message = message
        self.fix = fix
        self.redact = redact
        self.aliases = alias.map { [$0] }
    }

    public init(_ span: Span, _ message: String, fix: String? = nil, redact: Span? = nil, aliases: [String]) {
        self.span = span
        self.message = message
        self.fix = fix
        self.redact = redact
        self.aliases = aliases
    }

    /// The peer ids this hit answers to: its own sub-case, else every alias of the rule.
    func aliases(_ d: RuleDescriptor) -> [String] {
        aliases ?? d.aliases
    }
}

/// A rule: its documentation and a pure function from the context to hits.
public struct Rule: Sendable {
    public let descriptor: RuleDescriptor
    let check: @Sendable (LintContext) -> [Hit]

    public init(_ descriptor: RuleDescriptor, check: @escaping @Sendable (LintContext) -> [Hit]) {
        self.descriptor = descriptor
        self.check = check
    }

    public func run(_ ctx: LintContext) -> [Hit] { check(ctx) }
}

/// How findings are selected and graded.
public struct LintOptions: Sendable {
    /// Rule ids or names never reported; a peer alias (`DL3008`) hides only the findings of
    /// that sub-case.
    public var ignore: Set<String> = []
    /// Rule id, name or peer alias -> severity; nil value turns the rule (or sub-case) off.
    public var severity: [String: Severity?] = [:]
    /// Only CIS findings.
    public var cisOnly = false
    /// Only findings of Scored CIS items.
    public var scoredOnly = false
    /// Honour `# dflint ignore=`, `# hadolint ignore=` and `# check=skip=` comments.
    public var pragmas = true
    public var rules = RuleSettings()
    public init() {}
}

public struct Linter: Sendable {
    public let options: LintOptions
    public let catalogue: [Rule]

    public init(options: LintOptions = LintOptions(), catalogue: [Rule] = Catalogue.rules) {
        self.options = options
        self.catalogue = catalogue
    }

    /// Lints one parsed file; `path` is how findings name it.
    public func lint(_ df: Dockerfile, path: String) -> [Finding] {
        let ctx = LintContext(df, settings: options.rules)
        var raw: [(RuleDescriptor, Hit)] = []
        // Syntax diagnostics are findings like any other.
        for d in df.diagnostics {
            let desc = Catalogue.descriptor(forDiagnostic: d)
            raw.append((desc, Hit(d.span, d.message)))
        }
        for rule in catalogue where isEnabled(rule.descriptor) {
            for hit in rule.run(ctx) { raw.append((rule.descriptor, hit)) }
        }
        var findings: [Finding] = []
        var suppressions = options.pragmas ? Suppressions(df) : Suppressions.none
        for (desc, hit) in raw {
            let aliases = hit.aliases(desc)
            if aliases.contains(where: options.ignore.contains) { continue }
            guard let sev = severity(for: desc, aliases: aliases) else { continue }
            if options.cisOnly && desc.cis == nil { continue }
            if options.scoredOnly && !desc.scored { continue }
            let range = df.range(hit.span)
            if suppressions.suppresses(desc, aliases: aliases, line: suppressions.instructionLine(range.start.line)) { continue }
            findings.append(Finding(file: path, range: range, span: hit.span, ruleID: desc.id, ruleName: desc.name,
                                    severity: sev, message: hit.message, cis: desc.cis, scored: desc.scored,
                                    fix: hit.fix ?? desc.fix, redact: hit.redact, aliases: aliases))
        }
        let unused = Catalogue.unusedSuppression
        if options.pragmas, isEnabled(unused), let sev = severity(for: unused), !options.cisOnly, !options.scoredOnly {
            for p in suppressions.unused() {
                if suppressions.globalIgnores(unused) { break }
                findings.append(Finding(file: path, range: df.range(p.span), span: p.span, ruleID: unused.id,
                                        ruleName: unused.name, severity: sev,
                                        message: p.problem ?? "suppression of \(p.rule) matches no finding", fix: unused.fix))
            }
        }
        return findings.sorted(by: Finding.ordered)
    }

    func isEnabled(_ d: RuleDescriptor) -> Bool {
        !options.ignore.contains(d.id) && !options.ignore.contains(d.name)
    }

    /// The severity of a finding: an override of its sub-case (a peer alias) wins over one of
    /// the whole rule (id or name), which wins over the default.
    func severity(for d: RuleDescriptor, aliases: [String] = []) -> Severity? {
        if aliases.count == 1, let o = options.severity[aliases[0]] { return o }
        if let o = options.severity[d.id] { return o }
        if let o = options.severity[d.name] { return o }
        return d.defaultSeverity
    }
}

