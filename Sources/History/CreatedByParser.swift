import ImageModel

/// Who wrote an image (or one history entry).
public enum Builder: String, Sendable, CaseIterable {
    case dockerLegacy, buildkit, buildah, kaniko, jib, ko, bazel, apko, nix, windows, unknown, opaque
}

/// A build arg leaked by a RUN entry (`|N KEY=VALUE ... /bin/sh -c ...`).
public struct BuildArg: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) { self.name = name; self.value = value }
}

/// One `created_by` turned back into Dockerfile text.
public struct ParsedEntry: Sendable, Hashable {
    /// Upper-case keyword of `text`; nil for an opaque entry.
    public var keyword: String?
    /// One Dockerfile instruction (may span lines for heredocs); nil when opaque.
    public var text: String?
    /// Build args written in front of a RUN.
    public var buildArgs: [BuildArg]
    /// The producer this one entry looks like.
    public var producer: Builder
    /// HEALTHCHECK entries: the check they set (`["NONE"]` for NONE).
    public var health: HealthConfig?
    /// True when the text was recognised only by shape (exec-form RUN, `docker commit`).
    public var lowConfidence: Bool

    public init(keyword: String? = nil, text: String? = nil, buildArgs: [BuildArg] = [], producer: Builder,
                health: HealthConfig? = nil, lowConfidence: Bool = false) {
        self.keyword = keyword
        self.text = text
        self.buildArgs = buildArgs
        self.producer = producer
        self.health = health
        self.lowConfidence = lowConfidence
    }

    public var isOpaque: Bool { text == nil }
}

/// Parses `created_by` strings of every producer (see Grammar/ImageHistory.ebnf).
/// Stateful: a legacy `SHELL` changes the prefix of every later entry.
public struct CreatedByParser: Sendable {
    public var shell: [String]

    public init(shell: [String] = ["/bin/sh", "-c"]) { self.shell = shell }

    public static let keywords: Set<String> = ["RUN", "COPY", "ADD", "ENV", "ARG", "USER", "WORKDIR", "LABEL", "EXPOSE",
        "VOLUME", "CMD", "ENTRYPOINT", "SHELL", "STOPSIGNAL", "HEALTHCHECK", "MAINTAINER", "ONBUILD", "FROM"]

    /// Parses one string with a fresh parser (no SHELL history).
    public static func parse(_ createdBy: String, comment: String? = nil, author: String? = nil) -> ParsedEntry {
        var p = CreatedByParser()
        return p.parse(createdBy: createdBy, comment: comment, author: author)
    }

    public mutating func parse(_ e: HistoryEntry) -> ParsedEntry {
        parse(createdBy: e.createdBy ?? "", comment: e.comment, author: e.author)
    }

    public mutating func parse(createdBy: String, comment: String?, author: String?) -> ParsedEntry {
        let trimmed = createdBy.trimmingSpaces
        if let p = Self.opaqueProducer(trimmed, comment: comment, author: author) {
            return ParsedEntry(producer: p)
        }
        var s = trimmed
        if s.hasSuffix("# buildkit") { s = String(s.dropLast("# buildkit".count)).trimmingSpaces }
        s = Self.stripBuildahSuffixes(s)
        let buildahComment = comment?.hasPrefix("FROM ") == true

        if let r = s.range(of: "#(nop)") {
            let prefix = s[..<r.lowerBound].trimmingSpaces
            var rest = Substring(s[r.upperBound...])
            let twoSpaces = rest.hasPrefix("  ")
            rest = rest.drop { $0 == " " }
            let kw = String(rest.prefix { $0 != " " && $0 != "\t" }).uppercased()
            var body = String(rest.dropFirst(kw.count))
            if body.hasPrefix(" ") { body.removeFirst() }
            let windows = prefix.lowercased().hasPrefix("cmd") || prefix.lowercased().contains("powershell")
            let producer: Builder
            if windows { producer = .windows }
            else if twoSpaces { producer = .dockerLegacy }
            else if ["COPY", "ADD", "WORKDIR"].contains(kw) { producer = buildahComment ? .buildah : .dockerLegacy }
            else { producer = .buildah }
            return instruction(kw, body, producer: producer, verbatim: producer == .buildah)
        }
        let kw = String(s.prefix { $0 != " " })
        if Self.keywords.contains(kw), s.count == kw.count || s.dropFirst(kw.count).first == " " {
            var body = String(s.dropFirst(kw.count))
            if body.hasPrefix(" ") { body.removeFirst() }
            let kaniko = author?.lowercased() == "kaniko"
            return instruction(kw, body, producer: kaniko ? .kaniko : .buildkit, verbatim: kaniko)
        }
        // A legacy RUN: `[|N K=V ...] <shell> <cmd>`, or an exec-form RUN / `docker commit` command.
        let (args, command, hadShell) = splitRun(s)
        let producer: Builder = buildahComment ? .buildah : (command.hasPrefix("cmd") ? .windows : .dockerLegacy)
        if hadShell || !args.isEmpty {
            return run(command, args: args, producer: producer, shellForm: hadShell, lowConfidence: false)
        }
        let first = s.prefix { $0 != " " }
        if first.hasPrefix("/") && !first.hasSuffix(":") {
            return run(command, args: [], producer: producer, shellForm: false, lowConfidence: true)
        }
        return ParsedEntry(producer: .opaque)
    }

    // MARK: producers without Dockerfile history

    static func opaqueProducer(_ s: String, comment: String?, author: String?) -> Builder? {
        let a = author?.lowercased() ?? ""
        if s.isEmpty {
            if comment?.hasPrefix("store paths:") == true { return .nix }
            if comment?.contains("Jib") == true { return .jib }
            return .opaque
        }
        if a == "jib" || s.hasPrefix("jib") { return .jib }
        if a == "ko" || s.hasPrefix("ko build") || s.hasPrefix("ko publish") { return .ko }
        if a == "bazel" || s.hasPrefix("bazel build") { return .bazel }
        if a == "apko" || s == "apko" { return .apko }
        if s.hasPrefix("Apply image") || s.hasPrefix("Install update") { return .windows }
        if s.hasPrefix("KIWI ") { return .opaque }
        return nil
    }

    static let buildahSuffixNames = ["unsetLabel", "inheritLabels", "unsetAnnotation", "inheritAnnotations",
                                     "force-mtime", "clamp-mtime"]

    /// Removes buildah's `|unsetLabel=K|inheritLabels=false|force-mtime=N` metadata suffixes.
    public static func stripBuildahSuffixes(_ s: String) -> String {
        var s = s
        while let bar = s.range(of: "|", options: .backwards) {
            let tail = s[bar.upperBound...]
            guard let eq = tail.firstIndex(of: "="), buildahSuffixNames.contains(String(tail[..<eq])),
                  !tail.contains(" "), !tail.contains("\t") else { break }
            s = String(s[..<bar.lowerBound]).trimmingTrailingSpaces
        }
        return s.trimmingTrailingSpaces
    }

    // MARK: RUN

    /// `|N K=V ... <shell> <cmd>` → (args, command without shell, had a shell prefix).
    func splitRun(_ s: String) -> ([BuildArg], String, Bool) {
        var rest = Substring(s)
        var args: [BuildArg] = []
        if rest.hasPrefix("|"), let sp = rest.firstIndex(of: " "), let n = Int(rest[rest.index(after: rest.startIndex)..<sp]) {
            rest = rest[rest.index(after: sp)...]
            var toks = rest.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            var current: (String, String)?
            // Where does the command start? The first later token that opens a known shell.
            let shellStarts: Set<String> = Set([shell.first ?? "/bin/sh", "/bin/sh", "sh", "/bin/bash", "bash",
                                                "/bin/ash", "cmd", "powershell", "pwsh"])
            while !toks.isEmpty {
                let t = toks[0]
                if args.count + (current == nil ? 0 : 1) < n, let eq = t.firstIndex(of: "="), Self.isArgName(t[..<eq]) {
                    if let c = current { args.append(BuildArg(c.0, c.1)) }
                    current = (String(t[..<eq]), String(t[t.index(after: eq)...]))
                } else if current != nil, !shellStarts.contains(t),
                          toks.dropFirst().contains(where: { shellStarts.contains($0) }),
                          args.count + 1 == n {
                    current!.1 += " " + t
                } else { break }
                toks.removeFirst()
            }
            if let c = current { args.append(BuildArg(c.0, c.1)) }
            rest = Substring(toks.joined(separator: " "))
        }
        if let cmd = stripShell(String(rest)) { return (args, cmd, true) }
        return (args, String(rest), false)
    }

    static func isArgName<S: StringProtocol>(_ s: S) -> Bool {
        guard let f = s.first, f.isLetter || f == "_" else { return false }
        return s.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }

    /// Removes the current SHELL, `sh -c`-like, `cmd /S /C` or `powershell -Command` prefixes.
    func stripShell(_ s: String) -> String? {
        let cur = shell.joined(separator: " ")
        if !cur.isEmpty, s.hasPrefix(cur + " ") { return String(s.dropFirst(cur.count + 1)) }
        if s == cur { return "" }
        for p in ["cmd /S /C ", "cmd /s /c ", "cmd /C ", "powershell -Command ", "pwsh -Command "] where s.hasPrefix(p) {
            return String(s.dropFirst(p.count))
        }
        // (/usr)?/bin/X?sh, sh, bash ... then options, then -c
        let words = s.split(separator: " ", maxSplits: 6, omittingEmptySubsequences: false)
        guard let w0 = words.first else { return nil }
        let base = w0.split(separator: "/").last.map(String.init) ?? ""
        guard ["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"].contains(base), w0 == base || w0.hasPrefix("/") else { return nil }
        var i = 1
        var used = w0.count
        while i < words.count {
            let w = words[i]
            used += 1 + w.count
            if w == "-c" {
                return used >= s.count ? "" : String(s.dropFirst(used + 1))
            }
            if w == "-o" && i + 1 < words.count { i += 2; used += 1 + words[i - 1].count; continue }
            guard w.hasPrefix("-") || w.hasPrefix("+") else { return nil }
            i += 1
        }
        return nil
    }

    func run(_ command: String, args: [BuildArg], producer: Builder, shellForm: Bool, lowConfidence: Bool) -> ParsedEntry {
        ParsedEntry(keyword: "RUN", text: Self.renderRun(command, shell: shellForm ? shell : nil), buildArgs: args,
                    producer: producer, lowConfidence: lowConfidence)
    }

    /// Shell-form RUN text; heredocs when the command spans lines.
    static func renderRun(_ command: String, shell: [String]?) -> String {
        let cmd = command.trimmingTrailingSpaces
        if cmd.isEmpty { return "RUN " + Render.json((shell ?? ["/bin/sh", "-c"]) + [""]) }
        if !cmd.contains("\n") {
            if cmd.hasSuffix("\\") || cmd.hasPrefix("[") { return "RUN " + Render.json((shell ?? ["/bin/sh", "-c"]) + [cmd]) }
            return "RUN " + cmd
        }
        let lines = cmd.split(separator: "\n", omittingEmptySubsequences: false)
        if lines[0].contains("<<") { return "RUN " + cmd }
        var delim = "EOF"
        while lines.contains(where: { $0.trimmingSpaces == delim }) { delim += "_" }
        return "RUN <<" + delim + "\n" + cmd + "\n" + delim
    }

    // MARK: other instructions

    mutating func instruction(_ kw: String, _ rawBody: String, producer: Builder, verbatim: Bool) -> ParsedEntry {
        let body = rawBody.trimmingTrailingSpaces
        func e(_ text: String, health: HealthConfig? = nil) -> ParsedEntry {
            ParsedEntry(keyword: kw, text: text, producer: producer, health: health)
        }
        switch kw {
        case "RUN":
            let (args, command, hadShell) = splitRun(body)
            return run(command, args: args, producer: producer, shellForm: hadShell, lowConfidence: false)
        case "COPY", "ADD":
            return e(kw + " " + Render.copyBody(body))
        case "ENV", "LABEL":
            if verbatim || body.contains("\"") && producer == .buildah { return e(kw + " " + Render.oneLine(body)) }
            return e(kw + " " + Render.pairs(body, env: kw == "ENV"))
        case "ARG":
            if verbatim { return e("ARG " + Render.oneLine(body)) }
            return e("ARG " + Render.args(body))
        case "CMD", "ENTRYPOINT":
            if verbatim { return e(kw + " " + Render.oneLine(body)) }
            return e(kw + " " + Render.execForm(body))
        case "SHELL":
            let words: [String]
            if let j = Render.parseJSONArray(body) { words = j }
            else if body.hasPrefix("[") && body.hasSuffix("]") {
                words = body.dropFirst().dropLast().split(separator: " ").map(String.init)
            } else { words = body.split(separator: " ").map(String.init) }
            if !words.isEmpty { shell = words }
            return e("SHELL " + Render.json(words))
        case "VOLUME":
            if Render.parseJSONArray(body) != nil || !body.hasPrefix("[") { return e("VOLUME " + Render.oneLine(body)) }
            return e("VOLUME " + Render.json(body.dropFirst().dropLast().split(separator: " ").map(String.init)))
        case "USER":
            var u = body.trimmingSpaces
            if u.hasPrefix("[") && u.hasSuffix("]") { u = String(u.dropFirst().dropLast()) }
            return e("USER " + u)
        case "EXPOSE":
            if verbatim { return e("EXPOSE " + Render.oneLine(body)) }
            return e("EXPOSE " + Render.ports(body).joined(separator: " "))
        case "HEALTHCHECK":
            let h = Health.parse(body)
            if let h, body.hasPrefix("&{") || body.hasPrefix("{") { return e("HEALTHCHECK " + Health.render(h), health: h) }
            return e("HEALTHCHECK " + Render.oneLine(body), health: h)
        case "WORKDIR", "STOPSIGNAL", "MAINTAINER", "ONBUILD":
            return e(kw + " " + Render.oneLine(body))
        default:
            // FROM (charliecloud) or an unknown keyword: keep it as a comment only.
            return ParsedEntry(producer: producer, lowConfidence: true)
        }
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }.reversed())
    }
    var trimmingTrailingSpaces: String {
        var s = String(self)
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s.removeLast() }
        return s
    }
}
