// What a rule sees: the typed Dockerfile, its stages, the variables in scope,
// the shell commands of every RUN (each word mapped back to the file, with
// wrappers such as `sudo` or `env A=1` set aside), the environment each
// command runs in, the package-manager action each command is, ONBUILD
// triggers as the instructions they will become, and what each stage has
// inherited from the stages it is built on.
import DockerfileSyntax
import LayerModel
import ShellSyntax

/// Settings that change what rules look for (not how findings are filtered).
public struct RuleSettings: Sendable {
    /// Registries or registry/repository prefixes allowed in FROM; empty = rule off.
    public var trustedRegistries: [String] = []
    /// Glob patterns of ENV/ARG names or secret values never reported.
    public var secretAllow: [String] = []
    /// True when the Dockerfile was reconstructed from an image (host-level checks run).
    public var imageMode = false
    /// The linting host's environment (only read in image mode).
    public var hostEnvironment: [String: String] = [:]
    /// Image mode: the image's OS and the builds its history is made of (see `ImageFacts`).
    public var image: ImageFacts?
    /// What the image's layers hold (image mode with layers read), for the layer rules.
    public var layers: FileSystemView?
    /// For each layer index, the span of the instruction that wrote it (where layer findings point).
    public var layerAnchors: [Int: Span] = [:]
    /// Set-uid/set-gid programs reported as info rather than warning (config `setuid-allow`).
    public var setuidAllow: [String] = ["/bin/su", "/usr/bin/su", "/bin/mount", "/bin/umount", "/usr/bin/mount", "/usr/bin/umount",
                                        "/usr/bin/passwd", "/usr/bin/chsh", "/usr/bin/chfn", "/usr/bin/gpasswd", "/usr/bin/newgrp",
                                        "/usr/bin/expiry", "/usr/bin/chage", "/usr/lib/openssh/ssh-keysign", "/sbin/unix_chkpwd",
                                        "/usr/sbin/unix_chkpwd", "/bin/ping", "/usr/bin/ping"]
    public init() {}
}

/// One simple command of a RUN (or a heredoc script), with file spans.
public struct Command: Sendable {
    /// The words of the command that runs: wrappers (`sudo`, `env A=1`, `nice -n 5`) removed.
    public var argv: [String]
    /// File span of each word of argv.
    public var wordSpans: [Span]
    /// File span of the whole command, wrappers included.
    public var span: Span
    /// Index of the instruction it belongs to.
    public var instruction: Int
    /// The parsed shell command (nil for exec-form RUN, whose argv is the JSON array). Its
    /// `words` include the wrappers.
    public var shell: SimpleCommand?
    /// Commands of the same RUN that feed this one through a pipe (in order).
    public var pipedFrom: [Int] = []
    /// This command's index in `LintContext.commands`.
    public var index: Int = 0
    /// Wrappers in front of the command (`sudo`, `env`, `xargs`...): name and file span of each.
    public var wrappers: [Wrapper] = []
    /// True for the commands of an `ONBUILD RUN`: they run in images built from this one.
    public var isTrigger = false
    /// True for commands of a heredoc script that starts with a `#!` line (run directly, not by SHELL).
    public var inShebangScript = false
    /// For each word of argv, whether some of it was quoted (so an expansion in it is not split).
    public var quoted: [Bool] = []

    /// Basename of argv[0] (`/usr/bin/curl` -> `curl`).
    public let name: String

    public struct Wrapper: Sendable, Hashable {
        public var name: String
        public var span: Span
    }

    init(argv: [String], wordSpans: [Span], span: Span, instruction: Int, shell: SimpleCommand?) {
        self.argv = argv
        self.wordSpans = wordSpans
        self.span = span
        self.instruction = instruction
        self.shell = shell
        self.name = argv.first.map(Command.basename) ?? ""
    }

    static func basename(_ s: String) -> String {
        guard let slash = s.lastIndex(of: "/") else { return s }
        return String(s[s.index(after: slash)...])
    }

    /// Arguments after the command name.
    public var args: ArraySlice<String> { argv.dropFirst() }

    /// Whether an option is present: long options (`--insecure`, `--x=y`) and
    /// short options, also inside clusters (`-fsSL` has `-k`? no; `-fsSk` has `-k`).
    public func has(_ options: String...) -> Bool { firstIndex(of: options) != nil }

    /// argv index of the first word carrying any of `options`.
    public func firstIndex(of options: [String]) -> Int? {
        for (i, a) in argv.enumerated().dropFirst() {
            if a == "--" { return nil }
            for o in options {
                if o.hasPrefix("--") {
                    if a == o || a.hasPrefix(o + "=") { return i }
                } else if o.hasPrefix("-"), o.count == 2 {
                    if a == o { return i }
                    if a.hasPrefix("-"), !a.hasPrefix("--"), a.count > 2, a.dropFirst().contains(o.last!) { return i }
                } else if a == o {
                    return i
                }
            }
        }
        return nil
    }

    /// The value of `--name=value`, `--name value` or `-n value`.
    public func value(of options: String...) -> (String, Int)? {
        var i = 1
        while i < argv.count {
            let a = argv[i]
            for o in options {
                if a.hasPrefix(o + "="), o.hasPrefix("--") { return (String(a.dropFirst(o.count + 1)), i) }
                if a == o, i + 1 < argv.count { return (argv[i + 1], i + 1) }
            }
            i += 1
        }
        return nil
    }

    /// Positional (non-option) arguments after `from` (a subcommand index).
    public func operands(after from: Int, optionsWithValue: Set<String> = []) -> [(String, Int)] {
        var out: [(String, Int)] = []
        var i = from + 1
        var endOfOptions = false
        while i < argv.count {
            let a = argv[i]
            if !endOfOptions, a == "--" { endOfOptions = true; i += 1; continue }
            if !endOfOptions, a.hasPrefix("-"), a.count > 1 {
                if optionsWithValue.contains(a) { i += 2; continue }
                i += 1
                continue
            }
            out.append((a, i))
            i += 1
        }
        return out
    }

    public func span(ofWord i: Int) -> Span { i < wordSpans.count ? wordSpans[i] : span }
}

/// A variable a RUN sets for the commands after it: `A=1 cmd` (prefix), `export A=1`,
/// `env A=1 cmd`, or a bare `A=1` (a shell variable, exported only when it already was).
/// The secret rules and the verification rules read these.
public struct RunAssignment: Sendable {
    public enum Kind: Sendable, Hashable { case prefix, export, bare, envCommand }
    public var name: String
    /// The value after quote removal; expansions are kept as written (`$X`).
    public var value: String
    /// `NAME=value` in the file.
    public var span: Span
    public var instruction: Int
    public var kind: Kind
    /// The command a prefix or `env` assignment applies to (index in `LintContext.commands`).
    public var command: Int?
    /// True inside an ONBUILD RUN.
    public var isTrigger: Bool
}

/// A pipeline of two or more commands in a RUN script.
public struct PipelineInfo: Sendable {
    public var instruction: Int
    /// From the first to the last stage, in the file.
    public var span: Span
    /// Indices in `LintContext.commands` of the commands of its stages.
    public var commands: [Int]
    /// The script is a heredoc with a `#!` line (BuildKit runs it directly, not through SHELL).
    public var inShebangScript: Bool
    public var isTrigger: Bool
}

/// The effective settings of a stage, following `FROM <stage>` inheritance.
public struct StageFacts: Sendable {
    /// Last USER instruction in the stage or its ancestor stages.
    public var lastUser: Instruction?
    public var lastHealthcheck: Instruction?
    /// The root image the chain starts from (nil for scratch / unknown).
    public var rootImage: ImageReference?
    public var rootIsScratch: Bool
}

/// What a stage holds at one point: its own instructions so far on top of everything inherited
/// from the stages it is built on (`FROM base AS foo` ... `FROM foo` sees foo's state).
/// Variables (ENV and ARG values) are in `Dockerfile.scopes`, which follow the same inheritance.
public struct StageState: Sendable {
    /// SHELL in effect (nil: the default `/bin/sh -c`) and the instruction that set it.
    public var shell: [String]?
    public var shellInstruction: Int?
    /// USER in effect (expanded), nil when none was set in the Dockerfile.
    public var user: String?
    public var workdir: String?
    /// Package indexes downloaded by an earlier RUN: family -> instruction index.
    public var indexUpdated: [PackageFamily: Int] = [:]
    /// Packages installed by an earlier RUN: name -> instruction index.
    public var installed: [String: Int] = [:]
    /// apt configured (a file under /etc/apt written earlier) not to install recommends / to assume yes.
    public var aptNoRecommends: Int?
    public var aptAssumeYes: Int?
    /// yum/dnf configured (`assumeyes=1` in yum.conf or dnf.conf) to assume yes.
    public var rpmAssumeYes: Int?

    public init() {}
}

public struct LintContext: Sendable {
    public let dockerfile: Dockerfile
    public let settings: RuleSettings
    /// Every shell command of every RUN (and ONBUILD RUN), in source order.
    public let commands: [Command]
    /// For each instruction index, the indices of its commands.
    public let commandsByInstruction: [Int: [Int]]
    /// The package-manager action of each command (parallel to `commands`).
    public let actions: [PackageAction?]
    /// Variables set inside RUNs, in source order.
    public let runAssignments: [RunAssignment]
    /// Pipelines (two or more stages) of RUN scripts and their `$(...)`, not of `sh -c` strings.
    public let pipelines: [PipelineInfo]
    /// The inner instructions of ONBUILD triggers (index and stage of their ONBUILD), as the
    /// instructions they become in images built from this one.
    public let triggers: [Instruction]
    /// State before each instruction (parallel to `dockerfile.instructions`).
    public let stateBefore: [StageState]
    /// State at the end of each stage.
    public let stageEnd: [StageState]

    public init(_ dockerfile: Dockerfile, settings: RuleSettings = RuleSettings()) {
        self.dockerfile = dockerfile
        self.settings = settings
        var out = Collected(cmds: [], assignments: [], pipelines: [])
        var byIns: [Int: [Int]] = [:]
        var triggers: [Instruction] = []
        for ins in dockerfile.instructions {
            var run: RunInstruction?
            var trigger = false
            if case .run(let r) = ins.value { run = r }
            if case .onbuild(var inner?) = ins.value {
                inner.stageIndex = ins.stageIndex
                triggers.append(inner)
                if case .run(let r) = inner.value { run = r; trigger = true }
            }
            guard let run else { continue }
            let before = out.cmds.count
            LintContext.collect(run, instruction: ins.index, trigger: trigger, into: &out)
            if out.cmds.count > before { byIns[ins.index] = Array(before..<out.cmds.count) }
        }
        var cmds = out.cmds
        out.cmds = []
        for i in cmds.indices { cmds[i].index = i }
        self.commands = cmds
        self.commandsByInstruction = byIns
        self.runAssignments = out.assignments
        self.pipelines = out.pipelines
        self.triggers = triggers
        let actions = cmds.map(PackageManagers.action)
        self.actions = actions
        (self.stateBefore, self.stageEnd) = LintContext.states(dockerfile, cmds, byIns, actions)
    }

    // MARK: collecting commands

    struct Collected {
        var cmds: [Command]
        var assignments: [RunAssignment]
        var pipelines: [PipelineInfo]
    }

    static let shells: Set<String> = ["sh", "bash", "dash", "ash", "zsh", "ksh", "busybox"]

    static func collect(_ run: RunInstruction, instruction: Int, trigger: Bool, into out: inout Collected) {
        switch run.command {
        case .shell(let w)?:
            addScript(w.raw, instruction: instruction, trigger: trigger, shebang: false, map: { w.sourceOffset($0) }, into: &out)
        case .exec(let words)?:
            let argv = words.map(\.text)
            let span = words.first!.span.union(words.last!.span)
            var c = Command(argv: argv, wordSpans: words.map(\.span), span: span, instruction: instruction, shell: nil)
            c.isTrigger = trigger
            add(c, into: &out, assignmentsAt: { _ in span })
            // ["sh", "-c", "script"]: the script's commands too, mapped to its JSON string.
            if argv.count >= 3, shells.contains(Command.basename(argv[0])), argv[1].hasPrefix("-"), argv[1].hasSuffix("c") {
                let w = words[2]
                addScript(Array(argv[2].utf8), instruction: instruction, trigger: trigger, shebang: false,
                          map: { _ in w.span.start }, into: &out)
            }
        case nil:
            break
        }
        // Heredoc bodies run as scripts when the RUN feeds them to a shell (`RUN <<EOF`,
        // `RUN bash <<EOF`, `RUN python3 <<EOF` is not shell: only shells and bare heredocs).
        for h in run.heredocs {
            if case .shell(let w)? = run.command {
                let first = w.text.split(separator: " ").first.map(String.init) ?? ""
                let isShell = first.hasPrefix("<<") || shells.contains(Command.basename(first))
                if !isShell { continue }
            }
            let body = h.effectiveContent
            var shebang = false
            if let firstLine = body.split(separator: 0x0A, maxSplits: 1).first, firstLine.starts(with: Array("#!".utf8)) {
                let line = String(decoding: firstLine, as: UTF8.self)
                if !shells.contains(where: { line.hasSuffix("/" + $0) || line.hasSuffix(" " + $0) || line.contains("/" + $0 + " ") }) { continue }
                shebang = true
            }
            let start = h.bodySpan.start
            if h.chomp {
                // Tabs were stripped: offsets inside a line are approximate; map to line starts.
                addScript(body, instruction: instruction, trigger: trigger, shebang: shebang,
                          map: { min(start + $0, h.bodySpan.end) }, into: &out)
            } else {
                addScript(body, instruction: instruction, trigger: trigger, shebang: shebang, map: { start + $0 }, into: &out)
            }
        }
    }

    /// Appends a command with its wrappers set aside, and the assignments it carries.
    static func add(_ raw: Command, into out: inout Collected, prefix: [ShellWord] = [], assignmentsAt: (ShellWord) -> Span) {
        var c = raw
        let s = Wrappers.strip(raw.argv)
        if s.start > 0 {
            c = Command(argv: Array(raw.argv[s.start...]), wordSpans: Array(raw.wordSpans[min(s.start, raw.wordSpans.count)...]),
                        span: raw.span, instruction: raw.instruction, shell: raw.shell)
            c.isTrigger = raw.isTrigger
            c.inShebangScript = raw.inShebangScript
            c.pipedFrom = raw.pipedFrom
            c.wrappers = s.wrappers.map { Command.Wrapper(name: $0.0, span: raw.span(ofWord: $0.1)) }
            c.quoted = raw.quoted.count > s.start ? Array(raw.quoted[s.start...]) : []
        }
        let idx = out.cmds.count
        // Assignments in front of a special built-in (`A=1 set -x`) stay in the shell (POSIX).
        let persists = specialBuiltins.contains(c.name)
        for w in prefix {
            guard let (n, v) = splitAssignment(w.value) else { continue }
            out.assignments.append(RunAssignment(name: n, value: v, span: assignmentsAt(w), instruction: c.instruction,
                                                 kind: persists ? .bare : .prefix, command: persists ? nil : idx,
                                                 isTrigger: c.isTrigger))
        }
        for (n, v, i) in s.assignments {
            out.assignments.append(RunAssignment(name: n, value: v, span: raw.span(ofWord: i), instruction: c.instruction,
                                                 kind: .envCommand, command: idx, isTrigger: c.isTrigger))
        }
        // `export A=1 B=2`, `declare -x A=1`.
        let exporting = c.name == "export" || ((c.name == "declare" || c.name == "typeset") && c.argv.contains { $0.hasPrefix("-") && $0.contains("x") })
        if exporting {
            for (i, a) in c.argv.enumerated().dropFirst() where !a.hasPrefix("-") {
                guard let (n, v) = splitAssignment(a) else { continue }
                out.assignments.append(RunAssignment(name: n, value: v, span: c.span(ofWord: i), instruction: c.instruction,
                                                     kind: .export, command: nil, isTrigger: c.isTrigger))
            }
        }
        out.cmds.append(c)
    }

    static let specialBuiltins: Set<String> = [":", ".", "break", "continue", "eval", "exec", "exit", "export", "readonly",
                                               "return", "set", "shift", "times", "trap", "unset"]

    /// `NAME=value` (also `NAME+=value`) -> (NAME, value).
    static func splitAssignment(_ s: String) -> (String, String)? {
        guard let eq = s.firstIndex(of: "="), eq != s.startIndex else { return nil }
        var name = s[..<eq]
        if name.hasSuffix("+") { name = name.dropLast() }
        guard let f = name.first, f == "_" || f.isLetter, name.allSatisfy({ $0 == "_" || $0.isLetter || $0.isNumber }) else { return nil }
        return (String(name), String(s[s.index(after: eq)...]))
    }

    static func addScript(_ script: [UInt8], instruction: Int, trigger: Bool, shebang: Bool, map: (Int) -> Int,
                          into out: inout Collected) {
        let parsed = ShellParser.parse(script)
        func fileSpan(_ r: Range<Int>) -> Span {
            if r.isEmpty { let s = map(r.lowerBound); return Span(s, s) }
            return Span(map(r.lowerBound), map(r.upperBound - 1) + 1)
        }
        var byPipeline: [Int: [Int]] = [:]
        var indexOf: [Int: Int] = [:]
        for (k, sc) in parsed.commands.enumerated() {
            guard !sc.words.isEmpty else {
                // A bare `A=1`: a shell variable for what follows.
                for w in sc.assignments {
                    guard let (n, v) = splitAssignment(w.value) else { continue }
                    out.assignments.append(RunAssignment(name: n, value: v, span: fileSpan(w.range), instruction: instruction,
                                                         kind: .bare, command: nil, isTrigger: trigger))
                }
                continue
            }
            var c = Command(argv: sc.words.map(\.value), wordSpans: sc.words.map { fileSpan($0.range) },
                            span: fileSpan(sc.range), instruction: instruction, shell: sc)
            c.isTrigger = trigger
            c.inShebangScript = shebang
            c.quoted = sc.words.map(\.quoted)
            let idx = out.cmds.count
            let earlier = byPipeline[sc.pipeline] ?? []
            if sc.positionInPipeline > 0 { c.pipedFrom = earlier }
            byPipeline[sc.pipeline, default: []].append(idx)
            indexOf[k] = idx
            add(c, into: &out, prefix: sc.assignments, assignmentsAt: { fileSpan($0.range) })
        }
        // Pipelines of the script and of its `$(...)` (a failure there is hidden the same way);
        // an `sh -c` string runs in a shell of its own.
        for p in parsed.pipelines where p.stages.count > 1 && p.origin != .shellDashC {
            let members = p.stages.flatMap(\.commands).compactMap { indexOf[$0] }
            out.pipelines.append(PipelineInfo(instruction: instruction, span: fileSpan(p.range), commands: members,
                                              inShebangScript: shebang, isTrigger: trigger))
        }
    }

    // MARK: stage states

    static func states(_ df: Dockerfile, _ cmds: [Command], _ byIns: [Int: [Int]],
                       _ actions: [PackageAction?]) -> ([StageState], [StageState]) {
        var before = [StageState](repeating: StageState(), count: df.instructions.count)
        var ends: [StageState] = []
        for st in df.stages {
            var cur = StageState()
            if case .stage(let b) = st.base, b < ends.count { cur = ends[b] }
            for i in st.instructionIndices {
                before[i] = cur
                let ins = df.instructions[i]
                switch ins.value {
                case .shell(let words, _):
                    cur.shell = words.map(\.text)
                    cur.shellInstruction = i
                case .user(let u?):
                    cur.user = (try? df.expand(u.word, at: i).get()) ?? u.word.text
                case .workdir(let w?):
                    let p = (try? df.expand(w, at: i).get()) ?? w.text
                    if p.hasPrefix("/") || p.hasPrefix("$") { cur.workdir = p } else if let wd = cur.workdir {
                        cur.workdir = wd.hasSuffix("/") ? wd + p : wd + "/" + p
                    } else {
                        cur.workdir = "/" + p
                    }
                case .run:
                    for k in byIns[i] ?? [] {
                        let c = cmds[k]
                        if let a = actions[k] {
                            if a.kind == .update { cur.indexUpdated[a.family] = i }
                            if a.kind == .install { for (p, _) in a.packages { cur.installed[p] = i } }
                        }
                        // Configuration written with echo/printf (or through tee).
                        var writer = c
                        if c.name == "tee", let f = c.pipedFrom.last { writer = cmds[f] }
                        if writer.name == "echo" || writer.name == "printf",
                           let target = c.name == "tee" ? c.args.last : c.shell?.redirections.first(where: { $0.op.contains(">") })?.target?.value {
                            let text = writer.args.joined(separator: " ").lowercased()
                            if target.hasPrefix("/etc/apt/apt.conf") {
                                if text.contains("install-recommends"), text.contains("\"0\"") || text.contains("false") { cur.aptNoRecommends = i }
                                if text.contains("assume-yes"), text.contains("\"1\"") || text.contains("true") { cur.aptAssumeYes = i }
                            }
                            if target == "/etc/yum.conf" || target == "/etc/dnf/dnf.conf",
                               text.contains("assumeyes=1") || text.contains("assumeyes=true") { cur.rpmAssumeYes = i }
                        }
                    }
                default:
                    break
                }
            }
            ends.append(cur)
        }
        return (before, ends)
    }

    // MARK: queries

    public var instructions: [Instruction] { dockerfile.instructions }

    /// Every instruction and every ONBUILD trigger's inner instruction (after its ONBUILD), for
    /// rules that judge an instruction on its own: `ONBUILD ADD . /src` is an ADD too.
    public var instructionsAndTriggers: [Instruction] {
        var out: [Instruction] = []
        out.reserveCapacity(instructions.count + triggers.count)
        var t = 0
        for ins in instructions {
            out.append(ins)
            if t < triggers.count, triggers[t].index == ins.index { out.append(triggers[t]); t += 1 }
        }
        return out
    }

    public func commands(of instruction: Int) -> [Command] {
        (commandsByInstruction[instruction] ?? []).map { commands[$0] }
    }

    /// The package-manager action command `k` is, if any.
    public func action(of k: Int) -> PackageAction? { k < actions.count ? actions[k] : nil }

    /// Commands of the instructions of one stage, in order.
    public func commands(inStage s: Int) -> [Command] {
        dockerfile.stages[s].instructionIndices.flatMap { commands(of: $0) }
    }

    /// The chain of stages `s` is built on, nearest first, `s` included.
    public func stageChain(_ s: Int) -> [Int] {
        var out: [Int] = []
        var cur: Int? = s
        while let c = cur, !out.contains(c) {
            out.append(c)
            if case .stage(let b) = dockerfile.stages[c].base { cur = b } else { cur = nil }
        }
        return out
    }

    /// Instruction indices whose layers end up in the final image: the final stage and every
    /// stage it is built on, in build order.
    public var finalImageInstructions: [Int] {
        guard let f = finalStage else { return [] }
        return stageChain(f.index).reversed().flatMap { dockerfile.stages[$0].instructionIndices }
    }

    public func facts(ofStage s: Int) -> StageFacts {
        var facts = StageFacts(lastUser: nil, lastHealthcheck: nil, rootImage: nil, rootIsScratch: false)
        for c in stageChain(s) {
            let ins = dockerfile.instructions(in: dockerfile.stages[c])
            if facts.lastUser == nil { facts.lastUser = ins.last { if case .user = $0.value { return true } else { return false } } }
            if facts.lastHealthcheck == nil {
                facts.lastHealthcheck = ins.last { if case .healthcheck = $0.value { return true } else { return false } }
            }
            switch dockerfile.stages[c].base {
            case .image(let r): facts.rootImage = r
            case .scratch: facts.rootIsScratch = true
            default: break
            }
        }
        return facts
    }

    /// The state before instruction `i` (empty before the first FROM).
    public func state(before i: Int) -> StageState { i < stateBefore.count ? stateBefore[i] : StageState() }

    /// The home directory RUN commands of instruction `i` see: `$HOME` when set, else root's or
    /// the USER's.
    public func home(at i: Int) -> String {
        if i < dockerfile.scopes.count, let h = dockerfile.scopes[i].lookup("HOME"), !h.isEmpty { return h.utf8String }
        guard let u = state(before: i).user?.split(separator: ":").first.map(String.init), u != "root", u != "0", !u.isEmpty else {
            return "/root"
        }
        return "/home/" + u
    }

    /// The environment command `c` runs with: ENV and ARG values in scope at its RUN, then what
    /// the RUN exported or assigned before it, then its own prefix assignments (`A=1 cmd`,
    /// `env A=1 cmd`).
    public func environment(for c: Command) -> [String: String] {
        var env: [String: String] = [:]
        let i = c.instruction
        if i < dockerfile.scopes.count {
            let scope = dockerfile.scopes[i]
            for (k, v) in scope.args { if let v { env[k] = v.utf8String } }
            for (k, v) in scope.env { env[k] = v.utf8String }
        }
        for a in runAssignments where a.instruction == i {
            switch a.kind {
            case .export where a.span.start < c.span.start: env[a.name] = a.value
            case .bare where a.span.start < c.span.start && env[a.name] != nil: env[a.name] = a.value
            case .prefix, .envCommand: if a.command == c.index { env[a.name] = a.value }
            default: break
            }
        }
        return env
    }

    /// The value the shell gives `$name` when command `c` runs: the last assignment before it in
    /// its RUN (`name=...`, `export name=...`, its own prefix), else ENV or an ARG value in scope.
    public func shellValue(_ name: String, for c: Command) -> String? {
        lookup(name, instruction: c.instruction, before: c.span.start, command: c.index)?.0
    }

    /// (value, file offset of the assignment; -1 for ENV/ARG).
    func lookup(_ name: String, instruction: Int, before offset: Int, command: Int?) -> (String, Int)? {
        var found: (String, Int)?
        for a in runAssignments where a.instruction == instruction && a.name == name {
            switch a.kind {
            case .bare, .export: if a.span.start < offset { found = (a.value, a.span.start) }
            case .prefix, .envCommand: if command != nil, a.command == command { found = (a.value, a.span.start) }
            }
        }
        if let found { return found }
        guard instruction < dockerfile.scopes.count, let v = dockerfile.scopes[instruction].lookup(name) else { return nil }
        return (v.utf8String, -1)
    }

    /// `s` with `$NAME` and `${NAME}` replaced by their values for command `c` (see
    /// `shellValue`); nil when a variable is unknown or the text holds other expansions
    /// (`$(...)`, `${X:-y}`, backquotes). With `unknownAsEmpty`, what cannot be known becomes
    /// `LintContext.unknown` instead (a list like `"$EXTRA_DEPS gcc make"` still shows gcc and
    /// make; a word holding the marker is not known).
    public func shellExpand(_ s: String, for c: Command, unknownAsEmpty: Bool = false) -> String? {
        expand(s, instruction: c.instruction, before: c.span.start, command: c.index, depth: 6, unknownAsEmpty: unknownAsEmpty)
    }

    /// Stands for an expansion whose value is not known (see `shellExpand`).
    public static let unknown = "\u{1}"
    static let unknownByte: UInt8 = 1

    func expand(_ s: String, instruction: Int, before offset: Int, command: Int?, depth: Int, unknownAsEmpty: Bool) -> String? {
        guard s.contains("$") else { return s }
        guard depth > 0, !s.contains("`") else { return nil }
        let u = Array(s.utf8)
        var out: [UInt8] = []
        var i = 0
        func isStart(_ b: UInt8) -> Bool { b == 0x5F || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }
        func isName(_ b: UInt8) -> Bool { isStart(b) || (b >= 0x30 && b <= 0x39) }
        while i < u.count {
            guard u[i] == UInt8(ascii: "$"), i + 1 < u.count else { out.append(u[i]); i += 1; continue }
            var j = i + 1
            let braced = u[j] == UInt8(ascii: "{")
            /// Past the `}` or `)` closing what opens at `k` (nil when unclosed).
            func closing(_ k: Int, _ open: UInt8, _ close: UInt8) -> Int? {
                var depth = 0, m = k
                while m < u.count {
                    if u[m] == open { depth += 1 } else if u[m] == close { depth -= 1; if depth == 0 { return m + 1 } }
                    m += 1
                }
                return nil
            }
            // `$(...)` and `${X%%y}`-style forms: unknown (nothing, when asked to read them so).
            if u[j] == UInt8(ascii: "(") {
                guard unknownAsEmpty, let end = closing(j, UInt8(ascii: "("), UInt8(ascii: ")")) else { return nil }
                out.append(LintContext.unknownByte)
                i = end
                continue
            }
            if braced { j += 1 }
            guard j < u.count, isStart(u[j]) else { return nil }
            let start = j
            while j < u.count, isName(u[j]) { j += 1 }
            let name = String(decoding: u[start..<j], as: UTF8.self)
            if braced {
                guard j < u.count, u[j] == UInt8(ascii: "}") else {
                    guard unknownAsEmpty, let end = closing(i + 1, UInt8(ascii: "{"), UInt8(ascii: "}")) else { return nil }
                    out.append(LintContext.unknownByte)
                    i = end
                    continue
                }
                j += 1
            }
            guard let (raw, at) = lookup(name, instruction: instruction, before: offset, command: command) else {
                if unknownAsEmpty { out.append(LintContext.unknownByte); i = j; continue }
                return nil
            }
            // The value as it was when assigned: `deps="$deps more"` sees the earlier `deps`.
            let v: String?
            if at < 0 {
                v = raw.contains("$") ? nil : raw
            } else {
                v = expand(raw, instruction: instruction, before: at, command: nil, depth: depth - 1, unknownAsEmpty: unknownAsEmpty)
            }
            guard let v else { return nil }
            out += Array(v.utf8)
            i = j
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The word with variables expanded as BuildKit would, or its raw text when expansion fails.
    public func expanded(_ w: Word, at instruction: Int) -> String {
        (try? dockerfile.expand(w, at: instruction).get()) ?? w.text
    }

    /// The final stage (the one `docker build` exports without `--target`).
    public var finalStage: Stage? { dockerfile.stages.last }

    /// True for instruction indices that belong to the final stage.
    public func isInFinalStage(_ instruction: Int) -> Bool {
        guard let f = finalStage else { return false }
        return dockerfile.instructions[instruction].stageIndex == f.index
    }
}

extension Array where Element == UInt8 {
    var utf8String: String { String(decoding: self, as: UTF8.self) }
}
