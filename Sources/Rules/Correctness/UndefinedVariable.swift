// UndefinedVariable: a Dockerfile correctness check (documentation, examples and check together).
import DockerfileSyntax

extension CorrectnessRules {
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
}
