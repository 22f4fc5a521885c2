// Dockerfile correctness checks that users of hadolint and `docker build
// --check` expect, where our typed tree makes them cheap and exact.
import DockerfileSyntax

enum CorrectnessRules {
    static let relativeWorkdir = Rule(RuleDescriptor(
        id: "DF201", name: "relative-workdir", title: "Relative WORKDIR without an absolute one before it",
        defaultSeverity: .warning,
        rationale: "A relative WORKDIR is resolved against whatever directory the base image left, which changes when the base does. After an absolute WORKDIR in the same build (or a base stage) it is well defined, as BuildKit's WorkdirRelativePath check agrees.",
        fix: "Use an absolute path: `WORKDIR /app`.",
        triggering: ["FROM alpine:3.19\nWORKDIR ↓app\n"],
        nonTriggering: ["FROM alpine:3.19\nWORKDIR /srv\nWORKDIR app\n", "FROM alpine:3.19\nARG DIR=/opt/x\nWORKDIR $DIR\n",
                        "FROM alpine:3.19 AS base\nWORKDIR /src\nFROM base\nWORKDIR sub\n"],
        aliases: ["DL3000", "WorkdirRelativePath"]
    )) { ctx in
        var hits: [Hit] = []
        for st in ctx.dockerfile.stages {
            var absolute = false
            for c in ctx.stageChain(st.index).dropFirst() {
                for i in ctx.dockerfile.stages[c].instructionIndices {
                    if case .workdir(let w?) = ctx.instructions[i].value, ctx.expanded(w, at: i).hasPrefix("/") { absolute = true }
                }
            }
            for i in st.instructionIndices {
                guard case .workdir(let w?) = ctx.instructions[i].value else { continue }
                let v = ctx.expanded(w, at: i)
                let isAbs = v.hasPrefix("/") || v.hasPrefix("\\") || (v.count >= 2 && v.dropFirst().first == ":")
                if isAbs { absolute = true; continue }
                if v.isEmpty && w.text.contains("$") { continue }
                if !absolute { hits.append(Hit(w.span, "relative WORKDIR \(v) depends on the working directory the base image left")) }
            }
        }
        return hits
    }

    static let repeated = Rule(RuleDescriptor(
        id: "DF202", name: "repeated-instruction", title: "CMD, ENTRYPOINT or HEALTHCHECK repeated in a stage",
        defaultSeverity: .warning,
        rationale: "Only the last CMD, ENTRYPOINT or HEALTHCHECK of a stage takes effect; the earlier ones are dead code that misleads readers.",
        fix: "Keep only the last one.",
        triggering: ["FROM alpine:3.19\n↓CMD [\"a\"]\nCMD [\"b\"]\n↓HEALTHCHECK CMD true\nHEALTHCHECK CMD false\n"],
        nonTriggering: ["FROM alpine:3.19 AS a\nCMD [\"a\"]\nFROM alpine:3.19\nCMD [\"b\"]\n"],
        aliases: ["DL4003", "DL4004", "DL3012", "MultipleInstructionsDisallowed"]
    )) { ctx in
        var hits: [Hit] = []
        for st in ctx.dockerfile.stages {
            for kw in ["CMD", "ENTRYPOINT", "HEALTHCHECK"] {
                let list = st.instructionIndices.filter { ctx.instructions[$0].keyword == kw }
                guard let last = list.last else { continue }
                for i in list.dropLast() {
                    hits.append(Hit(ctx.instructions[i].keywordSpan,
                                    "this \(kw) is overridden by the one on line \(ctx.instructions[last].startLine); only the last \(kw) of a stage takes effect"))
                }
            }
        }
        return hits
    }

    static let jsonArgs = Rule(RuleDescriptor(
        id: "DF203", name: "json-args-recommended", title: "CMD or ENTRYPOINT in shell form",
        defaultSeverity: .warning,
        rationale: "In shell form the command runs under `/bin/sh -c`, which becomes PID 1 and does not forward signals: `docker stop` waits for the timeout and kills the process. The exec (JSON) form runs the program directly.",
        fix: "Write `CMD [\"executable\", \"arg\"]`.",
        triggering: ["FROM alpine:3.19\nCMD ↓nginx -g 'daemon off;'\n"],
        nonTriggering: ["FROM alpine:3.19\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n",
                        "FROM alpine:3.19\nSHELL [\"/bin/ash\", \"-c\"]\nCMD nginx\n"],
        aliases: ["DL3025", "JSONArgsRecommended"]
    )) { ctx in
        var hits: [Hit] = []
        for st in ctx.dockerfile.stages {
            let hasShell = st.instructionIndices.contains { if case .shell = ctx.instructions[$0].value { return true } else { return false } }
            if hasShell { continue }
            for i in st.instructionIndices {
                switch ctx.instructions[i].value {
                case .cmd(.shell(let w)?), .entrypoint(.shell(let w)?):
                    hits.append(Hit(w.span, "\(ctx.instructions[i].keyword) in shell form runs under /bin/sh, which does not forward signals"))
                default: break
                }
            }
        }
        return hits
    }

    static let maintainer = Rule(RuleDescriptor(
        id: "DF204", name: "maintainer-deprecated", title: "MAINTAINER is deprecated",
        defaultSeverity: .info,
        rationale: "MAINTAINER was deprecated in favour of a label, which tools can read.",
        fix: "Use `LABEL org.opencontainers.image.authors=\"...\"`.",
        triggering: ["FROM alpine:3.19\n↓MAINTAINER Jane <jane@example.com>\n"],
        nonTriggering: ["FROM alpine:3.19\nLABEL org.opencontainers.image.authors=\"jane@example.com\"\n"],
        aliases: ["DL4000", "MaintainerDeprecated"]
    )) { ctx in
        ctx.instructions.filter { $0.keyword == "MAINTAINER" }.map { Hit($0.keywordSpan, "MAINTAINER is deprecated; use LABEL org.opencontainers.image.authors") }
    }

    static let copyFromUnknown = Rule(RuleDescriptor(
        id: "DF205", name: "copy-from-unknown-stage", title: "COPY --from names no stage",
        defaultSeverity: .warning,
        rationale: "`COPY --from=name` with a name that is no stage is taken as an image name and pulled from Docker Hub: a typo in a stage name silently copies from a stranger's image.",
        fix: "Use the name of an earlier stage (or a full image reference if an image was meant).",
        triggering: ["FROM golang:1.22 AS builder\nFROM alpine:3.19\nCOPY --from=↓buidler /out/app /app\n"],
        nonTriggering: ["FROM golang:1.22 AS builder\nFROM alpine:3.19\nCOPY --from=builder /out/app /app\nCOPY --from=0 /a /a\nCOPY --from=nginx:1.27 /etc/nginx /etc/nginx\n"],
        aliases: ["DL3022"]
    )) { ctx in
        var hits: [Hit] = []
        let names = ctx.dockerfile.stages.compactMap(\.name)
        for ins in ctx.instructions {
            guard case .copy(let c) = ins.value, let f = c.from, let v = f.value, !v.isEmpty, !v.contains("$") else { continue }
            if Int(v) != nil || names.contains(v.lowercased()) { continue }
            if v.contains("/") || v.contains(":") || v.contains(".") || v.contains("@") { continue }
            var msg = "--from=\(v) names no stage, so BuildKit pulls an image called \(v)"
            if let s = names.min(by: { levenshtein($0, v) < levenshtein($1, v) }), levenshtein(s, v) <= 2 { msg += " (did you mean \(s)?)" }
            hits.append(Hit(f.valueSpan, msg))
        }
        return hits
    }

    static func levenshtein(_ a: String, _ b: String) -> Int { EditDistance.levenshtein(a, b) }

    static let predefinedArgs: Set<String> = ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
                                              "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "BUILDKIT_SYNTAX",
                                              "BUILDKIT_CONTEXT_KEEP_GIT_DIR", "BUILDKIT_INLINE_CACHE", "BUILDKIT_MULTI_PLATFORM",
                                              "SOURCE_DATE_EPOCH", "BUILDKIT_SANDBOX_HOSTNAME", "BUILDKIT_DOCKERFILE_CHECK"]

    static let undefinedVariable = Rule(RuleDescriptor(
        id: "DF206", name: "undefined-variable", title: "Variable used before it is defined",
        defaultSeverity: .warning,
        rationale: "An undefined variable expands to nothing: `FROM ${BASE}` with no global `ARG BASE` builds from an empty name, and a misspelt variable silently empties a path. dflint reports FROM arguments that are not global ARGs, and elsewhere variables that are defined only later or are a near-miss of a defined one (variables from the base image are unknown to a Dockerfile, so other names are not reported).",
        fix: "Declare the ARG (before FROM for FROM lines), or fix the name.",
        triggering: ["FROM alpine:↓${VERSION}\nARG VERSION=3.19\n",
                     "FROM alpine:3.19\nARG APP_HOME=/srv/app\nWORKDIR ↓$APP_HOEM\n"],
        nonTriggering: ["ARG VERSION=3.19\nFROM alpine:${VERSION}\nARG VERSION\nENV PATH=/opt/bin:$PATH\nWORKDIR ${HOME}/x\n",
                        "FROM --platform=$BUILDPLATFORM alpine:3.19\nARG TARGETARCH\nRUN echo $TARGETARCH\n"],
        aliases: ["UndefinedVar", "UndefinedArgInFrom"]
    )) { ctx in
        var hits: [Hit] = []
        let df = ctx.dockerfile
        // All names ever defined (ARG or ENV), with the index where they are first defined.
        var definedAt: [String: Int] = [:]
        for ins in df.instructions {
            switch ins.value {
            case .arg(let ds): for d in ds where definedAt[d.name.text] == nil { definedAt[d.name.text] = ins.index }
            case .env(let kv): for p in kv where definedAt[p.key.text] == nil { definedAt[p.key.text] = ins.index }
            default: break
            }
        }
        func unmatched(_ w: Word, _ i: Int) -> Set<String> {
            let scope = i < df.scopes.count ? df.scopes[i] : VariableScope()
            let lx = WordLexer(escapeToken: df.escapeToken)
            return (try? lx.process(w.raw, lookup: { scope.lookup($0) }).unmatched) ?? []
        }
        func report(_ name: String, _ w: Word, _ i: Int, from: Bool) {
            if predefinedArgs.contains(name) || automaticArgs.contains(name) { return }
            if name.first.map({ $0.isNumber }) == true || name.count == 1 && "@*#?-$!0".contains(name) { return }
            let span = varSpan(name, in: w)
            if from {
                var msg = "FROM uses \(name), which is not a global ARG (declare ARG \(name) before the first FROM)"
                if let d = definedAt[name], d > i { msg = "FROM uses \(name) before ARG \(name) on line \(df.instructions[d].startLine) declares it" }
                hits.append(Hit(span, msg))
                return
            }
            if let d = definedAt[name], d > i {
                hits.append(Hit(span, "\(name) is used before it is defined on line \(df.instructions[d].startLine)"))
            } else if definedAt[name] == nil,
                      let near = definedAt.keys.filter({ levenshtein($0, name) <= 2 && $0 != name }).sorted().first, name.count > 3 {
                hits.append(Hit(span, "\(name) is not defined (did you mean \(near)?)"))
            }
        }
        for ins in df.instructions {
            var words: [Word] = []
            var isFrom = false
            switch ins.value {
            case .from(let f):
                isFrom = true
                if let w = f.image { words.append(w) }
                if let p = f.platform { words.append(Word(raw: Array((p.value ?? "").utf8), span: p.valueSpan)) }
            case .env(let kv), .label(let kv): words = kv.map(\.value)
            case .arg(let ds): words = ds.compactMap(\.defaultValue)
            case .workdir(let w?), .stopSignal(let w?): words = [w]
            case .user(let u?): words = [u.word]
            case .volume(let ws): words = ws
            case .expose(let ps): words = ps.map(\.word)
            case .copy(let c): words = c.sources + (c.destination.map { [$0] } ?? [])
            default: break
            }
            for w in words where w.raw.contains(UInt8(ascii: "$")) {
                for name in unmatched(w, ins.index).sorted() { report(name, w, ins.index, from: isFrom) }
            }
        }
        return hits
    }

    static let automaticArgs: Set<String> = ["BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT", "TARGETPLATFORM",
                                             "TARGETOS", "TARGETARCH", "TARGETVARIANT", "TARGETSTAGE"]

    /// The span of `$name` / `${name...}` inside a word (the word's span when not found).
    static func varSpan(_ name: String, in w: Word) -> Span {
        let raw = w.raw
        let n = Array(name.utf8)
        var i = 0
        while i < raw.count {
            if raw[i] == UInt8(ascii: "$") {
                var j = i + 1
                if j < raw.count, raw[j] == UInt8(ascii: "{") { j += 1 }
                if j + n.count <= raw.count, raw[j..<j + n.count].elementsEqual(n) {
                    var end = j + n.count
                    if raw[i + 1] == UInt8(ascii: "{") {
                        var depth = 1
                        while end < raw.count, depth > 0 {
                            if raw[end] == UInt8(ascii: "{") { depth += 1 }
                            if raw[end] == UInt8(ascii: "}") { depth -= 1 }
                            end += 1
                        }
                    }
                    return w.sourceSpan(i..<end)
                }
            }
            i += 1
        }
        return w.span
    }

    static let invalidPort = Rule(RuleDescriptor(
        id: "DF207", name: "invalid-port", title: "EXPOSE with an invalid port or protocol",
        defaultSeverity: .error,
        rationale: "Ports range from 0 to 65535 and protocols are tcp, udp or sctp; BuildKit rejects anything else when it builds the image config.",
        fix: "Use a port between 0 and 65535, optionally with /tcp, /udp or /sctp.",
        triggering: ["FROM alpine:3.19\nEXPOSE 8080 ↓80000 ↓53/dns\n"],
        nonTriggering: ["FROM alpine:3.19\nARG PORT=8080\nEXPOSE 80 443/tcp 53/udp 8000-8010 $PORT\n"],
        aliases: ["DL3011"]
    )) { ctx in
        var hits: [Hit] = []
        for ins in ctx.instructions {
            guard case .expose(let ports) = ins.value else { continue }
            for p in ports where !p.word.text.contains("$") {
                if !["tcp", "udp", "sctp"].contains(p.proto) {
                    hits.append(Hit(p.word.span, "EXPOSE \(p.word.text): unknown protocol \(p.proto) (use tcp, udp or sctp)"))
                } else if p.lower == nil || p.upper == nil || p.lower! > 65535 || p.upper! > 65535 || p.lower! > p.upper! {
                    hits.append(Hit(p.word.span, "EXPOSE \(p.word.text): ports range from 0 to 65535"))
                }
            }
        }
        return hits
    }

    static let cdInRun = Rule(RuleDescriptor(
        id: "DF208", name: "cd-in-run", title: "cd in RUN instead of WORKDIR",
        defaultSeverity: .info,
        rationale: "A `cd` lasts only until the end of its RUN; later instructions start again from WORKDIR, which surprises readers. WORKDIR states the directory once for every instruction that follows.",
        fix: "Use `WORKDIR /path` before the RUN.",
        triggering: ["FROM alpine:3.19\nRUN ↓cd /src && make\n"],
        nonTriggering: ["FROM alpine:3.19\nWORKDIR /src\nRUN make && (cd docs && make html)\n"],
        aliases: ["DL3003"]
    )) { ctx in
        ctx.commands.filter { c in
            guard c.name == "cd", let sc = c.shell else { return false }
            return sc.depth == 0 && !isInSubshell(c, ctx)
        }.map { Hit($0.span(ofWord: 0), "cd in RUN only lasts until the end of this RUN; use WORKDIR") }
    }

    /// Whether the command sits inside `( ... )` in its RUN text (a subshell cd is fine).
    static func isInSubshell(_ c: Command, _ ctx: LintContext) -> Bool {
        guard case .run(let r) = ctx.instructions[c.instruction].value, case .shell(let w)? = r.command,
              let start = w.raw.indices.first(where: { w.sourceOffset($0) == c.span.start }) else { return false }
        var depth = 0
        var quote: UInt8 = 0
        for b in w.raw[..<start] {
            if quote != 0 { if b == quote { quote = 0 }; continue }
            if b == 0x27 || b == 0x22 { quote = b; continue }
            if b == 0x28 { depth += 1 }
            if b == 0x29 { depth = max(0, depth - 1) }
        }
        return depth > 0
    }

    static let all: [Rule] = [relativeWorkdir, repeated, jsonArgs, maintainer, copyFromUnknown, undefinedVariable, invalidPort, cdInRun]
}
