// Inline suppressions, read the way each tool reads its own:
// - dflint: `# dflint ignore=ID[,ID]` in the comment block directly above an
//   instruction, `# dflint stage ignore=...` (the stage of that instruction),
//   `# dflint global ignore=...` anywhere. IDs are rule ids, names or peer ids,
//   in any case, as on the command line. A pragma naming an unknown rule is not
//   applied at all, and is reported.
// - hadolint (src/Hadolint/Pragma.hs): `# hadolint ignore=DL3008, DL3015` on the
//   line directly above the instruction (not a comment block), `global ignore`
//   anywhere, `stage ignore` for the lines after the next line up to the next
//   FROM (hadolint's own reading). The grammar is hadolint's: `[DLSC0-9]+` ids
//   separated by commas, spaces around `=` and `,`, an optional `# reason`; a
//   pragma that does not parse is ignored whole by hadolint, so here too, and
//   reported.
// - BuildKit: `# check=skip=A,B` as a parser directive at the top of the file
//   (the whole file), and, as BuildKit's dispatcher does
//   (`WithMergedConfigFromComments(cmd.Comments())`), the first `check=` among the
//   comments directly before an instruction (that instruction). Names are
//   BuildKit check names, case-sensitive; `skip=all` skips every BuildKit check,
//   not dflint's own rules.
// Scanning is linear in the number of lines.
import DockerfileSyntax

struct Suppressions {
    enum Target: Equatable {
        /// Every finding (`dflint ignore=all`).
        case all
        /// A dflint rule, by id.
        case rule(String)
        /// A peer rule (`DL3008`, `JSONArgsRecommended`): only findings of that sub-case.
        case alias(String)
        /// Every BuildKit check (`check=skip=all`).
        case allBuildKit
    }

    struct Pragma {
        /// The rule as written.
        var rule: String
        var target: Target?
        /// Instruction start lines it covers (nil: the whole file).
        var lines: ClosedRange<Int>?
        var span: Span
        var used = false
        /// Reported as unused when it suppresses nothing (the file-wide BuildKit directive is
        /// build configuration, not a lint suppression).
        var reportable: Bool
        /// Why the pragma is not applied at all (unknown rule, malformed), reported as is.
        var problem: String?
    }

    var pragmas: [Pragma] = []
    /// For each line (1-based), the first line of the instruction holding it, else the line.
    var instructionStart: [Int] = []
    /// Lines inspected while reading the file (the linear-time test reads it).
    var work = 0

    static let none = Suppressions()

    init() {}

    /// The first line of the instruction holding `line` (suppressions cover whole instructions).
    func instructionLine(_ line: Int) -> Int {
        line >= 0 && line < instructionStart.count ? instructionStart[line] : line
    }

    init(_ df: Dockerfile) {
        let src = df.source
        let n = max(1, src.lineCount)
        instructionStart = Array(0...(n + 1))
        var startsAt = [Instruction?](repeating: nil, count: n + 2)
        for ins in df.instructions where ins.startLine >= 1 && ins.startLine <= n {
            startsAt[ins.startLine] = ins
            for l in ins.startLine...min(max(ins.startLine, ins.endLine), n) { instructionStart[l] = ins.startLine }
        }
        // `# check=...` as a parser directive: the whole file.
        for d in df.directives where d.name == "check" {
            let (rules, problem) = Suppressions.checkSkips(d.value)
            if let problem {
                pragmas.append(Pragma(rule: "check", target: nil, lines: nil, span: d.span, reportable: true, problem: problem))
            }
            for r in rules {
                pragmas.append(Pragma(rule: r, target: Suppressions.buildKitTarget(r), lines: nil, span: d.span, reportable: false))
            }
        }
        // Lines that are heredoc bodies or directives are not comments.
        var skip = [Bool](repeating: false, count: n + 2)
        for ins in df.instructions {
            for h in ins.heredocs where h.bodyStartLine > 0 {
                let end = h.terminatorSpan.map { src.position(of: $0.start).line } ?? ins.endLine
                if end >= h.bodyStartLine { for l in h.bodyStartLine...min(end, n) { skip[l] = true } }
            }
        }
        for d in df.directives { let l = src.position(of: d.span.start).line; if l <= n { skip[l] = true } }
        var isComment = [Bool](repeating: false, count: n + 2)
        for l in 1...n where !skip[l] {
            work += 1
            isComment[l] = Suppressions.isComment(src.lineBytes(l))
        }
        // The first non-comment line at or after each line (one backward pass), and the first
        // instruction starting at or after each line, and the next FROM.
        var nextNonComment = [Int](repeating: n + 1, count: n + 2)
        var nextInstruction = [Instruction?](repeating: nil, count: n + 2)
        var nextFrom = [Int](repeating: n + 1, count: n + 2)
        var l = n
        while l >= 1 {
            work += 1
            nextNonComment[l] = isComment[l] ? nextNonComment[l + 1] : l
            nextInstruction[l] = startsAt[l] ?? nextInstruction[l + 1]
            if let s = startsAt[l], case .from = s.value { nextFrom[l] = l } else { nextFrom[l] = nextFrom[l + 1] }
            l -= 1
        }
        // Per instruction, whether a `check=` among its preceding comments was already taken.
        var checkTaken = Set<Int>()
        for line in 1...n where isComment[line] {
            work += 1
            let bytes = src.lineBytes(line)
            guard let hash = bytes.firstIndex(of: UInt8(ascii: "#")) else { continue }
            // Most comments are prose: only decode those that can be a pragma.
            guard Suppressions.mayBePragma(bytes[(hash + 1)...]) else { continue }
            let text = String(decoding: bytes[(hash + 1)...], as: UTF8.self)
            let span = Span(hash, bytes.endIndex)
            let below = nextNonComment[line + 1 <= n ? line + 1 : n + 1]
            let blockTarget = below <= n ? startsAt[below] : nil
            if let p = Suppressions.parseDflint(text) {
                add(dflint: p, span: span, target: blockTarget, df: df, nextFrom: nextFrom)
            } else if let h = Suppressions.parseHadolint(text) {
                add(hadolint: h, line: line, span: span, startsAt: startsAt, nextFrom: nextFrom, n: n)
            } else if let value = Suppressions.checkComment(text) {
                // BuildKit's PrevComment: the comments before the next instruction.
                let own = text.trimmingCharacters(in: [" ", "\t", "\r"])
                guard line + 1 <= n, let ins = nextInstruction[line + 1], !checkTaken.contains(ins.index),
                      ins.raw.comments.contains(own) else { continue }
                checkTaken.insert(ins.index)
                let (rules, problem) = Suppressions.checkSkips(value)
                if let problem {
                    pragmas.append(Pragma(rule: "check", target: nil, lines: nil, span: span, reportable: true,
                                          problem: problem + "; BuildKit ignores this check comment"))
                    continue
                }
                for r in rules {
                    pragmas.append(Pragma(rule: r, target: Suppressions.buildKitTarget(r), lines: ins.startLine...ins.startLine,
                                          span: span, reportable: true))
                }
            }
        }
    }

    mutating func add(dflint p: (kind: String, rules: [String]), span: Span, target: Instruction?, df: Dockerfile, nextFrom: [Int]) {
        var lines: ClosedRange<Int>?
        switch p.kind {
        case "global": lines = nil
        case "stage":
            guard let t = target, let s = t.stageIndex ?? (t.keyword == "FROM" ? df.stages.firstIndex { $0.from.index == t.index } : nil) else { return }
            let st = df.stages[s]
            let first = df.instructions[st.instructionIndices.first!].startLine
            let last = df.instructions[st.instructionIndices.last!].startLine
            lines = first...last
        default:
            guard let t = target else { return }
            lines = t.startLine...t.startLine
        }
        // An unknown rule makes the whole pragma void (as hadolint treats a bad id): say so once.
        let targets = p.rules.map(Suppressions.dflintTarget)
        if let bad = zip(p.rules, targets).first(where: { $0.1 == nil })?.0 {
            pragmas.append(Pragma(rule: bad, target: nil, lines: lines, span: span, reportable: true,
                                  problem: "unknown rule \(bad) in suppression: the comment is not applied"))
            return
        }
        for (r, t) in zip(p.rules, targets) {
            pragmas.append(Pragma(rule: r, target: t, lines: lines, span: span, reportable: true))
        }
    }

    mutating func add(hadolint h: HadolintPragma, line: Int, span: Span, startsAt: [Instruction?], nextFrom: [Int], n: Int) {
        switch h {
        case .malformed:
            pragmas.append(Pragma(rule: "hadolint", target: nil, lines: nil, span: span, reportable: true,
                                  problem: "hadolint cannot read this pragma (ids are DLnnnn or SCnnnn, separated by commas) and ignores it whole; so does dflint"))
        case .shell:
            break
        case let .ignore(kind, rules):
            var lines: ClosedRange<Int>?
            switch kind {
            case .global: lines = nil
            case .next:
                // hadolint: the finding's line must be the comment's line + 1.
                guard line + 1 <= n, startsAt[line + 1] != nil else {
                    for r in rules {
                        pragmas.append(Pragma(rule: r, target: nil, lines: nil, span: span, reportable: covered(r),
                                              problem: "suppression of \(r) is not directly above an instruction (hadolint reads it for the next line only)"))
                    }
                    return
                }
                lines = (line + 1)...(line + 1)
            case .stage:
                // hadolint: lines after the next one, up to the next FROM.
                let from = line + 2
                let upTo = from <= n ? nextFrom[from] - 1 : line
                if upTo < from { return }
                lines = from...upTo
            }
            for r in rules {
                pragmas.append(Pragma(rule: r, target: .alias(r), lines: lines, span: span, reportable: covered(r)))
            }
        }
    }

    /// Whether a dflint rule covers peer rule `id`: only those are reported when unused (a
    /// `# hadolint ignore=SC2086` is for hadolint's own checks).
    func covered(_ id: String) -> Bool {
        Catalogue.descriptors.contains { $0.aliases.contains(id) }
    }

    /// Whether comment text holds `lint` (dflint, hadolint) or `check`, in any case.
    static func mayBePragma(_ t: ArraySlice<UInt8>) -> Bool {
        let lint: [UInt8] = Array("lint".utf8), check: [UInt8] = Array("check".utf8)
        var i = t.startIndex
        while i < t.endIndex {
            let b = t[i] | 0x20
            if b == 0x6C, t.endIndex - i >= 4, (0..<4).allSatisfy({ t[i + $0] | 0x20 == lint[$0] }) { return true }
            if b == 0x63, t.endIndex - i >= 5, (0..<5).allSatisfy({ t[i + $0] | 0x20 == check[$0] }) { return true }
            i += 1
        }
        return false
    }

    static func isComment(_ line: ArraySlice<UInt8>) -> Bool {
        guard let i = line.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return false }
        return line[i] == UInt8(ascii: "#")
    }

    // MARK: dflint

    /// `dflint ignore=A,B`, `dflint global ignore=A`, `dflint stage ignore=A` (text after `#`);
    /// text after a further `#` is a reason.
    static func parseDflint(_ text: String) -> (kind: String, rules: [String])? {
        var t = Substring(text)
        func eat(_ word: String) -> Bool {
            let s = t.drop { $0 == " " || $0 == "\t" }
            if s.lowercased().hasPrefix(word) {
                t = s.dropFirst(word.count)
                return true
            }
            return false
        }
        guard eat("dflint") else { return nil }
        let kind = eat("global") ? "global" : eat("stage") ? "stage" : "next"
        guard eat("ignore") else { return nil }
        t = t.drop { $0 == " " || $0 == "\t" }
        guard t.first == "=" else { return nil }
        t = t.dropFirst()
        let list = t.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let rules = list.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init).filter { !$0.isEmpty }
        return rules.isEmpty ? nil : (kind, rules)
    }

    /// A rule named in a dflint pragma: an id, name or peer id in any case, or `all`.
    static func dflintTarget(_ r: String) -> Target? {
        if r.lowercased() == "all" { return .all }
        guard let key = Catalogue.settingKey(r) else { return nil }
        return Catalogue.descriptors.contains { $0.id == key } ? .rule(key) : .alias(key)
    }

    // MARK: hadolint

    enum HadolintKind { case next, global, stage }
    enum HadolintPragma: Equatable {
        case ignore(HadolintKind, [String])
        case shell
        case malformed
    }

    /// hadolint's pragma grammar on the text after `#`: spaces, `hadolint`, spaces, then
    /// `ignore`, `global ignore` or `stage ignore`, spaces, `=`, spaces, ids `[DLSC0-9]+`
    /// separated by `,` with optional spaces, then spaces and an optional `# comment`; or
    /// `shell=NAME`. nil when the text is not addressed to hadolint.
    static func parseHadolint(_ text: String) -> HadolintPragma? {
        let s = Array(text.utf8.filter { $0 != 0x0D })
        var i = 0
        func spaces() { while i < s.count, s[i] == 0x20 || s[i] == 0x09 { i += 1 } }
        func spaces1() -> Bool { let b = i; spaces(); return i > b }
        func word(_ w: String) -> Bool {
            let u = Array(w.utf8)
            guard i + u.count <= s.count, Array(s[i..<i + u.count]) == u else { return false }
            i += u.count
            return true
        }
        spaces()
        guard word("hadolint"), spaces1() else { return nil }
        let kind: HadolintKind
        let afterHadolint = i
        if word("global") {
            guard spaces1(), word("ignore") else { return .malformed }
            kind = .global
        } else if word("stage") {
            guard spaces1(), word("ignore") else { return .malformed }
            kind = .stage
        } else if word("ignore") {
            kind = .next
        } else if word("shell") {
            return .shell
        } else {
            i = afterHadolint
            return String(decoding: s[i...], as: UTF8.self).contains("ignore") ? .malformed : nil
        }
        spaces()
        guard word("=") else { return .malformed }
        spaces()
        var ids: [String] = []
        func isID(_ b: UInt8) -> Bool { b == 0x44 || b == 0x4C || b == 0x53 || b == 0x43 || (b >= 0x30 && b <= 0x39) }
        while true {
            let b = i
            while i < s.count, isID(s[i]) { i += 1 }
            guard i > b else { return .malformed }
            ids.append(String(decoding: s[b..<i], as: UTF8.self))
            let save = i
            spaces()
            if i < s.count, s[i] == UInt8(ascii: ",") {
                i += 1
                spaces()
                continue
            }
            i = save
            break
        }
        spaces()
        guard i == s.count || s[i] == UInt8(ascii: "#") else { return .malformed }
        return .ignore(kind, ids)
    }

    // MARK: BuildKit

    /// The `check=` value of a comment (text after `#`) read as BuildKit reads a directive line
    /// (`# check = skip=A`, key case-insensitive), or nil.
    static func checkComment(_ text: String) -> String? {
        let t = text.drop { $0 == " " || $0 == "\t" }
        guard let eq = t.firstIndex(of: "=") else { return nil }
        let key = t[..<eq].trimmingCharacters(in: [" ", "\t"])
        guard key.lowercased() == "check" else { return nil }
        return t[t.index(after: eq)...].trimmingCharacters(in: [" ", "\t", "\r"])
    }

    /// BuildKit's `ParseLintOptions`: `skip=A,B;error=true`, text after the first space ignored.
    /// Returns the skipped rule names (`all` for `skip=all`) and, for an invalid value, why.
    static func checkSkips(_ value: String) -> ([String], String?) {
        let head = value.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
        if head.isEmpty { return ([], nil) }
        var skips: [String] = []
        for part in head.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false) {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard kv.count == 2 else { return ([], "invalid check option \"\(part)\"") }
            switch kv[0].trimmingCharacters(in: [" "]) {
            case "skip":
                let v = kv[1].trimmingCharacters(in: [" "])
                skips = v == "all" ? ["all"] : v.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: [" "]) }
            case "error":
                let v = kv[1].trimmingCharacters(in: [" "])
                if !["1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"].contains(v) {
                    return ([], "invalid check option \"\(part)\"")
                }
            case "experimental":
                break
            default:
                return ([], "invalid check option \"\(kv[0])\"")
            }
        }
        return (skips, nil)
    }

    static func buildKitTarget(_ r: String) -> Target { r == "all" ? .allBuildKit : .alias(r) }

    /// The 22 checks of `docker build --check` (frontend/dockerfile/linter/ruleset.go).
    static let buildKitChecks: Set<String> = [
        "StageNameCasing", "FromAsCasing", "NoEmptyContinuation", "ConsistentInstructionCasing", "DuplicateStageName",
        "ReservedStageName", "JSONArgsRecommended", "MaintainerDeprecated", "UndefinedArgInFrom", "WorkdirRelativePath",
        "UndefinedVar", "MultipleInstructionsDisallowed", "LegacyKeyValueFormat", "InvalidBaseImagePlatform",
        "RedundantTargetPlatform", "SecretsUsedInArgOrEnv", "InvalidDefaultArgInFrom", "FromPlatformFlagConstDisallowed",
        "CopyIgnoredFile", "InvalidDefinitionDescription", "ExposeProtoCasing", "ExposeInvalidFormat",
    ]

    // MARK: matching

    mutating func suppresses(_ d: RuleDescriptor, aliases: [String], line: Int) -> Bool {
        var hit = false
        for i in pragmas.indices {
            guard let t = pragmas[i].target, Suppressions.matches(t, d, aliases: aliases) else { continue }
            if let r = pragmas[i].lines, !r.contains(line) { continue }
            pragmas[i].used = true
            hit = true
        }
        return hit
    }

    func globalIgnores(_ d: RuleDescriptor) -> Bool {
        pragmas.contains { $0.lines == nil && $0.target.map { Suppressions.matches($0, d, aliases: d.aliases) } == true }
    }

    /// Whether a pragma's target names this finding: its rule, or the peer alias of its sub-case
    /// (`aliases`: see `Hit.aliases`).
    static func matches(_ t: Target, _ d: RuleDescriptor, aliases: [String]) -> Bool {
        switch t {
        case .all: return true
        case .rule(let id): return id == d.id
        case .alias(let a): return aliases.contains(a)
        case .allBuildKit: return aliases.contains(where: buildKitChecks.contains)
        }
    }

    func unused() -> [Pragma] {
        pragmas.filter { p in
            guard (!p.used || p.problem != nil) && p.reportable else { return false }
            if let t = p.target, t == .rule(Catalogue.unusedSuppression.id) { return false }
            return true
        }
    }
}
