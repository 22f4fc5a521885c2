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
    /// The peer rule this hit is an instance of, when the rule's descriptor lists several
    /// aliases (e.g. `DL3008` for apt and `DL3013` for pip under one unpinned-package rule).
    /// Must be one of the descriptor's aliases (the generic example test checks).
    public var alias: String?
    public init(_ span: Span, _ message: String, fix: String? = nil, redact: Span? = nil, alias: String? = nil) {
        self.span = span
        self.message = message
        self.fix = fix
        self.redact = redact
        self.alias = alias
    }

    /// The peer ids this hit answers to: its own sub-case, else every alias of the rule.
    func aliases(_ d: RuleDescriptor) -> [String] {
        alias.map { [$0] } ?? d.aliases
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
            if suppressions.suppresses(desc, aliases: aliases, line: range.start.line, span: hit.span) { continue }
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
                                        message: "suppression of \(p.rule) matches no finding", fix: unused.fix))
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

/// Inline suppressions found in a file.
struct Suppressions {
    struct Pragma {
        /// The rule as written (dflint id/name, hadolint DLxxxx, BuildKit rule name or `all`).
        var rule: String
        /// Lines it covers (nil: the whole file).
        var lines: ClosedRange<Int>?
        var span: Span
        var used = false
        /// Reported as unused when it suppresses nothing (BuildKit file-wide skips are not: they
        /// are build configuration, not lint suppressions).
        var reportable: Bool
    }

    var pragmas: [Pragma] = []

    static let none = Suppressions()

    init() {}

    init(_ df: Dockerfile) {
        let src = df.source
        // Instruction line ranges, to extend a pragma over a whole multi-line instruction.
        var instructionAt: [Int: ClosedRange<Int>] = [:]
        for ins in df.instructions { instructionAt[ins.startLine] = ins.startLine...ins.endLine }
        // `# check=skip=...` as a parser directive (file-wide).
        for d in df.directives where d.name == "check" {
            for rule in Suppressions.checkSkips(d.value) {
                pragmas.append(Pragma(rule: rule, lines: nil, span: d.span, reportable: false))
            }
        }
        // Comment lines: walk every physical line outside heredoc bodies.
        var bodyLines = Set<Int>()
        for ins in df.instructions {
            for h in ins.heredocs where h.bodyStartLine > 0 {
                let end = h.terminatorSpan.map { src.position(of: $0.start).line } ?? ins.endLine
                if end >= h.bodyStartLine { for l in h.bodyStartLine...end { bodyLines.insert(l) } }
            }
        }
        let directiveLines = Set(df.directives.map { src.position(of: $0.span.start).line })
        for n in 1...max(1, src.lineCount) where !bodyLines.contains(n) && !directiveLines.contains(n) {
            let line = src.lineBytes(n)
            guard let hash = line.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }), line[hash] == UInt8(ascii: "#") else { continue }
            let text = String(decoding: line[(hash + 1)...], as: UTF8.self).trimmingCharacters(in: [" ", "\t", "\r"])
            let span = Span(hash, line.endIndex)
            // The instruction this comment block sits directly above.
            var target: ClosedRange<Int>?
            var next = n + 1
            while next <= src.lineCount, Suppressions.isComment(src.lineBytes(next)) { next += 1 }
            target = instructionAt[next]
            for (rules, global) in Suppressions.parse(text) {
                for r in rules {
                    if global {
                        pragmas.append(Pragma(rule: r, lines: nil, span: span, reportable: true))
                    } else if let t = target {
                        pragmas.append(Pragma(rule: r, lines: t, span: span, reportable: true))
                    }
                }
            }
        }
    }

    static func isComment(_ line: ArraySlice<UInt8>) -> Bool {
        guard let i = line.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return false }
        return line[i] == UInt8(ascii: "#")
    }

    /// `dflint ignore=A,B`, `dflint global ignore=A`, `hadolint ignore=DL3008`,
    /// `hadolint global ignore=...`, `check=skip=JSONArgsRecommended,...` (per instruction).
    /// Returns (rules, isGlobal) pairs; text after the rule list (` # reason`) is ignored.
    static func parse(_ text: String) -> [([String], Bool)] {
        var t = Substring(text)
        func eat(_ word: String) -> Bool {
            let s = t.drop { $0 == " " || $0 == "\t" }
            if s.lowercased().hasPrefix(word) {
                t = s.dropFirst(word.count)
                return true
            }
            return false
        }
        if eat("check=") || eat("check =") {
            return [(checkSkips(String(t)), false)]
        }
        guard eat("dflint") || eat("hadolint") else { return [] }
        let global = eat("global")
        guard eat("ignore") else { return [] }
        t = t.drop { $0 == " " }
        guard t.first == "=" else { return [] }
        t = t.dropFirst()
        let list = t.split(separator: "#", maxSplits: 1).first ?? ""
        let rules = list.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }).map(String.init).filter { !$0.isEmpty }
        return [(rules, global)]
    }

    /// Rule names in a BuildKit check option string (`skip=A,B;error=true`).
    static func checkSkips(_ value: String) -> [String] {
        let head = value.split(separator: " ", maxSplits: 1).first ?? ""
        for part in head.split(separator: ";") {
            let kv = part.split(separator: "=", maxSplits: 1)
            if kv.count == 2, kv[0].trimmingCharacters(in: [" "]) == "skip" {
                return kv[1].split(separator: ",").map { $0.trimmingCharacters(in: [" "]) }
            }
        }
        return []
    }

    mutating func suppresses(_ d: RuleDescriptor, aliases: [String], line: Int, span: Span) -> Bool {
        var hit = false
        for i in pragmas.indices where Suppressions.matches(pragmas[i].rule, d, aliases: aliases) {
            if let r = pragmas[i].lines, !r.contains(line) { continue }
            pragmas[i].used = true
            hit = true
        }
        return hit
    }

    func globalIgnores(_ d: RuleDescriptor) -> Bool {
        pragmas.contains { $0.lines == nil && Suppressions.matches($0.rule, d, aliases: d.aliases) }
    }

    /// Whether a pragma's rule names this finding: its id, its name, or the peer alias of its
    /// sub-case (`aliases`: see `Hit.aliases`).
    static func matches(_ rule: String, _ d: RuleDescriptor, aliases: [String]) -> Bool {
        if rule == "all" { return true }
        return rule == d.id || rule == d.name || aliases.contains(rule)
    }

    func unused() -> [Pragma] {
        pragmas.filter { !$0.used && $0.reportable && $0.rule != Catalogue.unusedSuppression.id && $0.rule != Catalogue.unusedSuppression.name }
    }
}
