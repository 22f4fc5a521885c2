// Builds the typed tree from BuildKit's raw nodes and checks what BuildKit's
// instruction layer (`instructions.Parse`) and build would reject: unknown
// instructions and flags, FROM arity, stage names, SHELL form, ONBUILD
// triggers, HEALTHCHECK types, COPY --from expansion, stage cycles.

public struct Dockerfile: Sendable {
    public var source: SourceFile
    public var raw: RawParseResult
    public var directives: [ParserDirective]
    public var escapeToken: UInt8
    /// Every instruction in source order (ONBUILD triggers are nested, not listed).
    public var instructions: [Instruction]
    public var stages: [Stage]
    /// Instructions before the first FROM (normally ARGs).
    public var globalInstructionIndices: [Int]
    public var diagnostics: [Diagnostic]
    /// Variables in effect before each instruction (parallel to `instructions`).
    public var scopes: [VariableScope]

    public var finalStage: Stage? { stages.last }

    public static func parse(_ text: String, path: String = "Dockerfile", buildArgs: [String: String] = [:]) -> Dockerfile {
        parse(SourceFile(path: path, text: text), buildArgs: buildArgs)
    }

    public static func parse(_ file: SourceFile, buildArgs: [String: String] = [:]) -> Dockerfile {
        let raw = RawParser.parse(file)
        var b = Builder(raw: raw, buildArgs: buildArgs)
        b.build()
        var diags = b.diagnostics
        diags.sort { ($0.span.start, $0.id) < ($1.span.start, $1.id) }
        return Dockerfile(source: file, raw: raw, directives: raw.directives, escapeToken: raw.escapeToken,
                          instructions: b.instructions, stages: b.stages, globalInstructionIndices: b.globals,
                          diagnostics: diags, scopes: b.scopes)
    }

    public func instructions(in stage: Stage) -> [Instruction] {
        stage.instructionIndices.map { instructions[$0] }
    }

    /// Expands a word as BuildKit would for the instruction at `index`
    /// (quotes removed, escapes applied, variables substituted).
    public func expand(_ word: Word, at index: Int) -> Result<String, WordLexError> {
        let scope = index < scopes.count ? scopes[index] : VariableScope()
        return scope.expand(word.raw, escape: escapeToken).map { $0.utf8String }
    }

    public func range(_ span: Span) -> SourceRange { source.range(span) }
}

/// The variables visible at one point of a Dockerfile.
public struct VariableScope: Sendable, Hashable {
    /// ENV values (win over ARGs of the same name).
    public var env: [String: [UInt8]] = [:]
    /// Declared ARGs: value, or nil when declared without a value.
    public var args: [String: [UInt8]?] = [:]

    public init() {}

    public func lookup(_ name: String) -> [UInt8]? {
        if let v = env[name] { return v }
        if let a = args[name], let v = a { return v }
        return nil
    }

    public func expand(_ raw: [UInt8], escape: UInt8) -> Result<[UInt8], WordLexError> {
        let lx = WordLexer(escapeToken: escape)
        do {
            return .success(try lx.process(raw, lookup: { self.lookup($0) }).word)
        } catch {
            return .failure(error)
        }
    }
}

/// Flags each instruction accepts (BuildKit's BFlags definitions).
enum FlagKind { case string, bool, stringArray }

let knownInstructions = ["add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from", "healthcheck",
                         "label", "maintainer", "onbuild", "run", "shell", "stopsignal", "user", "volume", "workdir"]

let flagTable: [String: [String: FlagKind]] = [
    "from": ["platform": .string],
    "run": ["mount": .stringArray, "network": .string, "security": .string, "device": .stringArray],
    "copy": ["from": .string, "chown": .string, "chmod": .string, "link": .bool, "parents": .bool, "exclude": .stringArray],
    "add": ["chown": .string, "chmod": .string, "checksum": .string, "link": .bool, "keep-git-dir": .bool,
            "unpack": .bool, "exclude": .stringArray],
    "healthcheck": ["interval": .string, "timeout": .string, "start-period": .string, "start-interval": .string,
                    "retries": .string],
]

/// Platform ARGs BuildKit defines automatically in the global scope.
let automaticPlatformArgs: [String: String] = [
    "BUILDPLATFORM": "linux/amd64", "BUILDOS": "linux", "BUILDARCH": "amd64", "BUILDVARIANT": "",
    "TARGETPLATFORM": "linux/amd64", "TARGETOS": "linux", "TARGETARCH": "amd64", "TARGETVARIANT": "",
]

struct Builder {
    let raw: RawParseResult
    let buildArgs: [String: String]
    var instructions: [Instruction] = []
    var stages: [Stage] = []
    var globals: [Int] = []
    var diagnostics: [Diagnostic]
    var scopes: [VariableScope] = []

    init(raw: RawParseResult, buildArgs: [String: String]) {
        self.raw = raw
        self.buildArgs = buildArgs
        self.diagnostics = raw.diagnostics
    }

    var escape: UInt8 { raw.escapeToken }

    mutating func diag(_ k: DiagnosticKind, _ m: String, _ s: Span) {
        diagnostics.append(Diagnostic(k, m, span: s))
    }

    mutating func build() {
        var globalScope = VariableScope()
        for (k, v) in automaticPlatformArgs { globalScope.args[k] = Array(v.utf8) }
        var stageScope = VariableScope()
        var stageEnvs: [VariableScope] = []
        var names: [String: Int] = [:]

        for (i, node) in raw.nodes.enumerated() {
            var ins = makeInstruction(node, index: i, nested: false)
            ins.stageIndex = stages.isEmpty ? nil : stages.count - 1

            if case .from(let f) = ins.value {
                // Close the previous stage's scope; FROM itself sees only global ARGs.
                if !stages.isEmpty { stageEnvs.append(stageScope) }
                scopes.append(globalScope)
                let idx = stages.count
                ins.stageIndex = idx
                var base = StageBase.missing
                if let image = f.image {
                    let expanded: String
                    switch globalScope.expand(image.raw, escape: escape) {
                    case .success(let b): expanded = b.utf8String
                    case .failure(let e):
                        diag(.expansionError, e.message, image.span)
                        expanded = image.text
                    }
                    if let s = names[expanded.lowercased()] {
                        base = .stage(s)
                    } else if expanded.lowercased() == "scratch" {
                        base = .scratch
                    } else {
                        base = .image(ImageReference(parsing: expanded))
                    }
                }
                var name: String?
                if let n = f.stageName {
                    let lower = n.text.lowercased()
                    name = lower
                    if !Builder.validStageName(lower) {
                        diag(.invalidStageName, "invalid name for build stage: \"\(n.text)\", name can't start with a number or contain symbols", n.span)
                    } else if names[lower] != nil {
                        diag(.duplicateStageName, "duplicate stage name \"\(lower)\"", n.span)
                    } else {
                        names[lower] = idx
                    }
                }
                stages.append(Stage(index: idx, name: name, from: ins, base: base, instructionIndices: [i]))
                // A stage built on another stage inherits its ENV and its ARGs, values and
                // declarations alike (BuildKit: the base's state env and `buildArgs`).
                stageScope = VariableScope()
                if case .stage(let s) = base, s < stageEnvs.count { stageScope = stageEnvs[s] }
                instructions.append(ins)
                continue
            }

            if stages.isEmpty {
                scopes.append(globalScope)
                globals.append(i)
                if case .arg(let decls) = ins.value {
                    for d in decls { declareArg(d, into: &globalScope, global: nil) }
                } else {
                    diag(.noFromFirst, "\(ins.keyword) before the first FROM; only ARG may appear there", ins.keywordSpan)
                }
                instructions.append(ins)
                continue
            }

            scopes.append(stageScope)
            stages[stages.count - 1].instructionIndices.append(i)
            switch ins.value {
            case .arg(let decls):
                for d in decls { declareArg(d, into: &stageScope, global: globalScope) }
            case .env(let pairs):
                // Every pair sees the values from before the instruction.
                let before = stageScope
                for p in pairs {
                    switch before.expand(p.value.raw, escape: escape) {
                    case .success(let v): stageScope.env[p.key.text] = v
                    case .failure(let e):
                        diag(.expansionError, e.message, p.value.span)
                        stageScope.env[p.key.text] = p.value.raw
                    }
                }
            case .copy(let c):
                if let from = c.from, let v = from.value, v.contains("$") {
                    diag(.copyFromExpansion,
                         "variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround",
                         from.span)
                }
            default:
                break
            }
            instructions.append(ins)
        }
        checkStageReferences()
    }

    mutating func declareArg(_ d: ArgDeclaration, into scope: inout VariableScope, global: VariableScope?) {
        let name = d.name.text
        if let v = buildArgs[name] {
            scope.args[name] = Array(v.utf8)
        } else if let def = d.defaultValue {
            switch scope.expand(def.raw, escape: escape) {
            case .success(let v): scope.args[name] = v
            case .failure(let e):
                diag(.expansionError, e.message, def.span)
                scope.args[name] = def.raw
            }
        } else if let g = global, let gv = g.args[name] {
            // `ARG X` in a stage takes the value of a global `ARG X` (or an automatic platform ARG).
            scope.args[name] = gv
        } else if global == nil, let auto = automaticPlatformArgs[name] {
            scope.args[name] = Array(auto.utf8)
        } else if let inherited = scope.args[name], inherited != nil {
            // Declared again without a value: the value it already has (from an earlier ARG of
            // the stage or the stage it is built on) stays, as in BuildKit's state env.
        } else {
            scope.args[name] = .some(nil)
        }
    }

    static func validStageName(_ s: String) -> Bool {
        // ^[a-z][a-z0-9-_.]*$
        guard let f = s.utf8.first, f >= 0x61, f <= 0x7A else { return false }
        for c in s.utf8 {
            let ok = (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x5F || c == 0x2E
            if !ok { return false }
        }
        return true
    }

    /// `COPY --from` / `RUN --mount from=` naming stages: cycles are errors.
    mutating func checkStageReferences() {
        var byName: [String: Int] = [:]
        for s in stages { if let n = s.name, byName[n] == nil { byName[n] = s.index } }
        var deps = [[Int]](repeating: [], count: stages.count)
        var refSpan = [Int: Span]()
        for s in stages {
            if case .stage(let b) = s.base { deps[s.index].append(b) }
            for i in s.instructionIndices {
                let ins = instructions[i]
                var refs: [(String, Span)] = []
                if case .copy(let c) = ins.value, let f = c.from, let v = f.value { refs.append((v, f.valueSpan)) }
                if case .run(let r) = ins.value {
                    for m in r.mounts { if let f = m.value("from") { refs.append((f, m.span)) } }
                }
                for (ref, span) in refs {
                    let target: Int?
                    if let n = Int(ref), ref.allSatisfy(\.isNumber) {
                        target = n < stages.count ? n : nil
                    } else {
                        target = byName[ref.lowercased()]
                    }
                    if let t = target {
                        deps[s.index].append(t)
                        if t == s.index { refSpan[s.index] = span }
                    }
                }
            }
        }
        // Depth-first search for a cycle.
        var state = [Int](repeating: 0, count: stages.count)
        var reported = Set<Int>()
        func visit(_ n: Int, _ b: inout Builder) {
            state[n] = 1
            for d in deps[n] {
                if state[d] == 1 {
                    if !reported.contains(d) {
                        reported.insert(d)
                        let st = b.stages[d]
                        let span = refSpan[d] ?? st.from.span
                        b.diag(.circularStageDependency, "circular dependency detected on stage: \(st.name ?? String(d))", span)
                    }
                } else if state[d] == 0 {
                    visit(d, &b)
                }
            }
            state[n] = 2
        }
        for i in 0..<stages.count where state[i] == 0 { visit(i, &self) }
    }

    // MARK: instructions

    mutating func makeInstruction(_ node: RawNode, index: Int, nested: Bool) -> Instruction {
        let cmd = node.command
        let keyword = node.keywordText.uppercased()
        let known = knownInstructions.contains(cmd)
        if !known && !node.keyword.isEmpty {
            var msg = "unknown instruction: \(node.keywordText)"
            if let s = Builder.suggest(cmd) { msg += " (did you mean \(s)?)" }
            diag(.unknownInstruction, msg, node.keywordSpan)
        }
        let flags = parseFlags(node, cmd: cmd)
        let heredocs = node.heredocs.map(Heredoc.init)
        let words = node.values.map(Word.init)
        var value = InstructionValue.unknown

        func commandForm() -> CommandForm? {
            if words.isEmpty { return nil }
            return node.json ? .exec(words) : .shell(words[0])
        }
        func single(_ name: String) -> Word? {
            if words.isEmpty {
                diag(.missingArguments, "\(name) requires exactly one argument", node.keywordSpan)
                return nil
            }
            return words[0]
        }

        switch cmd {
        case "from":
            var f = FromInstruction(image: nil, stageName: nil, platform: flags.first { $0.name == "platform" })
            if words.count == 1 || words.count == 3 {
                f.image = words[0]
                if words.count == 3 {
                    if words[1].text.lowercased() != "as" {
                        diag(.fromArity, "FROM requires either one or three arguments", words[1].span)
                    } else {
                        f.stageName = words[2]
                    }
                }
            } else {
                diag(.fromArity, "FROM requires either one or three arguments", words.isEmpty ? node.keywordSpan : words[0].span.union(words[words.count - 1].span))
                f.image = words.first
            }
            if nested { diag(.onbuildForbidden, "FROM isn't allowed as an ONBUILD trigger", node.keywordSpan) }
            value = .from(f)
        case "run":
            var mounts: [Mount] = []
            for fl in flags where fl.name == "mount" {
                mounts.append(Mount(parsing: fl.value ?? "", span: fl.span))
            }
            if words.isEmpty && heredocs.isEmpty {
                diag(.missingArguments, "RUN requires at least one argument", node.keywordSpan)
            }
            value = .run(RunInstruction(command: commandForm(), mounts: mounts,
                                        network: flags.last { $0.name == "network" }?.value,
                                        security: flags.last { $0.name == "security" }?.value,
                                        heredocs: heredocs))
            if let n = flags.last(where: { $0.name == "network" }), let v = n.value, !["default", "none", "host"].contains(v) {
                diag(.invalidFlagValue, "network mode \"\(v)\" not supported by buildkit", n.valueSpan)
            }
            if let n = flags.last(where: { $0.name == "security" }), let v = n.value, !["sandbox", "insecure"].contains(v) {
                diag(.invalidFlagValue, "security mode \"\(v)\" not supported by buildkit", n.valueSpan)
            }
        case "copy", "add":
            let isAdd = cmd == "add"
            var sources = words
            var dest: Word?
            if words.count >= 2 {
                dest = sources.removeLast()
            } else if words.count == 1 && !heredocs.isEmpty {
                dest = sources.removeLast()
            } else {
                diag(.missingArguments, "\(keyword) requires at least two arguments, but only \(words.count) \(words.count == 1 ? "was" : "were") provided. Destination could not be determined",
                     words.first?.span ?? node.keywordSpan)
            }
            if let d = dest, RawParser.parseHeredoc(d.raw).isHeredoc, !node.json {
                diag(.heredocDestination, "\(keyword) cannot accept a heredoc as a destination", d.span)
            }
            value = .copy(CopyInstruction(isAdd: isAdd, sources: sources, destination: dest, heredocs: heredocs,
                                          from: flags.last { $0.name == "from" }, chown: flags.last { $0.name == "chown" },
                                          chmod: flags.last { $0.name == "chmod" },
                                          link: flags.contains { $0.name == "link" && $0.value?.lowercased() != "false" },
                                          json: node.json))
        case "user":
            if let w = single("USER") {
                let t = w.text
                if let c = t.firstIndex(of: ":") {
                    value = .user(UserInstruction(word: w, user: String(t[..<c]), group: String(t[t.index(after: c)...])))
                } else {
                    value = .user(UserInstruction(word: w, user: t, group: nil))
                }
            } else {
                value = .user(nil)
            }
        case "healthcheck":
            if words.isEmpty {
                value = .healthcheck(.empty)
                diag(.missingArguments, "HEALTHCHECK requires at least one argument", node.keywordSpan)
            } else {
                let typ = words[0].text.uppercased()
                if typ == "NONE" {
                    if words.count > 1 || !flags.isEmpty {
                        diag(.tooManyArguments, "HEALTHCHECK NONE takes no arguments", words[0].span)
                    }
                    value = .healthcheck(.none(words[0]))
                } else if typ == "CMD" {
                    let rest = Array(words.dropFirst())
                    if rest.isEmpty {
                        diag(.missingArguments, "Missing command after HEALTHCHECK CMD", words[0].span)
                        value = .healthcheck(.cmd(nil, options: flags))
                    } else {
                        value = .healthcheck(.cmd(node.json ? .exec(rest) : .shell(rest[0]), options: flags))
                    }
                    if let r = flags.last(where: { $0.name == "retries" }), let v = r.value, Int(v) == nil {
                        diag(.invalidFlagValue, "invalid --retries value \"\(v)\": must be an integer", r.valueSpan)
                    }
                    for d in flags where d.name != "retries" {
                        if let v = d.value, !Builder.isDuration(v) {
                            diag(.invalidFlagValue, "invalid --\(d.name) duration \"\(v)\"", d.valueSpan)
                        }
                    }
                } else {
                    diag(.healthcheckType, "Unknown type \"\(words[0].text)\" in HEALTHCHECK (try CMD)", words[0].span)
                    value = .healthcheck(.other(words[0]))
                }
            }
        case "expose":
            if words.isEmpty { diag(.missingArguments, "EXPOSE requires at least one argument", node.keywordSpan) }
            value = .expose(words.map(Builder.port))
        case "env", "label":
            var pairs: [KeyValue] = []
            var k = 0
            while k + 1 < words.count {
                pairs.append(KeyValue(key: words[k], value: words[k + 1]))
                k += 2
            }
            if words.isEmpty, !raw.diagnostics.contains(where: { $0.span.start >= node.span.start && $0.span.end <= node.span.end && $0.fatalInBuildKit }) {
                diag(.missingArguments, "\(keyword) requires at least one argument", node.keywordSpan)
            }
            value = cmd == "env" ? .env(pairs) : .label(pairs)
        case "arg":
            var decls: [ArgDeclaration] = []
            for w in words {
                if let eq = w.raw.firstIndex(of: UInt8(ascii: "=")) {
                    let name = Word(raw: Array(w.raw[..<eq]), span: Span(w.span.start, w.span.start + eq))
                    let def = Word(raw: Array(w.raw[(eq + 1)...]), span: Span(w.span.start + eq + 1, w.span.end))
                    decls.append(ArgDeclaration(name: name, defaultValue: def, span: w.span))
                } else {
                    decls.append(ArgDeclaration(name: w, defaultValue: nil, span: w.span))
                }
            }
            if words.isEmpty { diag(.missingArguments, "ARG requires at least one argument", node.keywordSpan) }
            value = .arg(decls)
        case "shell":
            if !words.isEmpty && !node.json {
                diag(.shellNotJSON, "SHELL requires the arguments to be in JSON form", words[0].span)
            } else if words.isEmpty {
                diag(.missingArguments, "SHELL requires at least one argument", node.keywordSpan)
            }
            value = .shell(words, json: node.json)
        case "workdir": value = .workdir(single("WORKDIR"))
        case "volume":
            if words.isEmpty { diag(.missingArguments, "VOLUME requires at least one argument", node.keywordSpan) }
            value = .volume(words)
        case "stopsignal": value = .stopSignal(single("STOPSIGNAL"))
        case "cmd": value = .cmd(commandForm())
        case "entrypoint": value = .entrypoint(commandForm())
        case "maintainer":
            if nested { diag(.onbuildForbidden, "MAINTAINER isn't allowed as an ONBUILD trigger", node.keywordSpan) }
            value = .maintainer(single("MAINTAINER"))
        case "onbuild":
            if nested {
                // The parser keeps one level of the chain; what follows is not typed.
                diag(.onbuildChained, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed", node.keywordSpan)
                value = .onbuild(nil)
            } else if let sub = node.sub.first {
                var inner = makeInstruction(sub, index: index, nested: true)
                inner.heredocs = heredocs
                if case .run(var r) = inner.value {
                    r.heredocs = heredocs
                    inner.value = .run(r)
                }
                value = .onbuild(inner)
            } else {
                diag(.missingArguments, "ONBUILD requires at least one argument", node.keywordSpan)
                value = .onbuild(nil)
            }
        default:
            value = .unknown
        }
        return Instruction(raw: node, keyword: keyword, value: value, flags: flags, heredocs: heredocs,
                           stageIndex: nil, index: index)
    }

    /// Splits and validates flags as BuildKit's BFlags would.
    mutating func parseFlags(_ node: RawNode, cmd: String) -> [Flag] {
        var out: [Flag] = []
        var seen = Set<String>()
        let ignoresFlags = cmd == "arg" || cmd == "stopsignal"
        let allowed = flagTable[cmd] ?? [:]
        for f in node.flags {
            var body = f.bytes
            if body.starts(with: [0x2D, 0x2D]) { body.removeFirst(2) }
            let flag: Flag
            if let eq = body.firstIndex(of: UInt8(ascii: "=")) {
                let name = Array(body[..<eq]).utf8String
                let value = Array(body[(eq + 1)...]).utf8String
                // The value's span: the flag word's span minus `--name=` (quotes may shift it; clamp).
                let vs = min(f.span.end, f.span.start + 2 + eq + 1)
                flag = Flag(name: name, value: value, span: f.span, valueSpan: Span(vs, f.span.end))
            } else {
                flag = Flag(name: body.utf8String, value: nil, span: f.span, valueSpan: f.span)
            }
            out.append(flag)
            if ignoresFlags || !knownInstructions.contains(cmd) { continue }
            guard let kind = allowed[flag.name] else {
                var msg = "unknown flag: \(flag.name)"
                if let s = Builder.closest(flag.name, among: Array(allowed.keys)) { msg += " (did you mean \(s)?)" }
                diag(.unknownFlag, msg, f.span)
                continue
            }
            if kind != .stringArray {
                if seen.contains(flag.name) { diag(.duplicateFlag, "duplicate flag specified: \(flag.name)", f.span) }
                seen.insert(flag.name)
            }
            switch kind {
            case .string, .stringArray:
                if flag.value == nil { diag(.flagMissingValue, "missing a value on flag: \(flag.name)", f.span) }
            case .bool:
                if let v = flag.value, !["true", "false"].contains(v.lowercased()) {
                    diag(.invalidFlagValue, "expecting boolean value for flag \(flag.name), not: \(v)", flag.valueSpan)
                }
            }
        }
        return out
    }

    static func port(_ w: Word) -> PortSpec {
        let t = w.text
        var spec = t
        var proto = "tcp"
        if let slash = t.lastIndex(of: "/") {
            spec = String(t[..<slash])
            proto = String(t[t.index(after: slash)...]).lowercased()
        }
        // `ip:host:container` forms are not valid in EXPOSE; keep the last part.
        if let c = spec.lastIndex(of: ":") { spec = String(spec[spec.index(after: c)...]) }
        var lower: Int?, upper: Int?
        if let dash = spec.firstIndex(of: "-") {
            lower = Int(spec[..<dash])
            upper = Int(spec[spec.index(after: dash)...])
        } else {
            lower = Int(spec)
            upper = lower
        }
        return PortSpec(word: w, lower: lower, upper: upper, proto: proto)
    }

    /// Go `time.ParseDuration` syntax: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, or `0`.
    static func isDuration(_ s: String) -> Bool {
        var c = Substring(s)
        if c.first == "-" || c.first == "+" { c.removeFirst() }
        if c == "0" { return true }
        if c.isEmpty { return false }
        let units = ["ns", "us", "µs", "μs", "ms", "s", "m", "h"]
        while !c.isEmpty {
            let num = c.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            if num.isEmpty || num == "." { return false }
            c = c.dropFirst(num.count)
            let unit = c.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            if !units.contains(String(unit)) { return false }
            c = c.dropFirst(unit.count)
        }
        return true
    }

    static func suggest(_ cmd: String) -> String? { closest(cmd, among: knownInstructions) }

    static func closest(_ s: String, among candidates: [String]) -> String? {
        EditDistance.closest(to: s, in: candidates)
    }
}

extension RawParser.HeredocMatch {
    var isHeredoc: Bool { if case .heredoc = self { return true } else { return false } }
}
