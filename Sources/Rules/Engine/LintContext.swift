// What a rule sees: the typed Dockerfile, its stages, the variables in scope
// and the shell commands of every RUN, each word mapped back to the file.
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
    public var argv: [String]
    /// File span of each word of argv.
    public var wordSpans: [Span]
    /// File span of the whole command.
    public var span: Span
    /// Index of the instruction it belongs to.
    public var instruction: Int
    /// The parsed shell command (nil for exec-form RUN, whose argv is the JSON array).
    public var shell: SimpleCommand?
    /// Commands of the same RUN that feed this one through a pipe (in order).
    public var pipedFrom: [Int] = []
    /// This command's index in `LintContext.commands`.
    public var index: Int = 0

    /// Basename of argv[0] (`/usr/bin/curl` -> `curl`).
    public let name: String

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

/// The effective settings of a stage, following `FROM <stage>` inheritance.
public struct StageFacts: Sendable {
    /// Last USER instruction in the stage or its ancestor stages.
    public var lastUser: Instruction?
    public var lastHealthcheck: Instruction?
    /// The root image the chain starts from (nil for scratch / unknown).
    public var rootImage: ImageReference?
    public var rootIsScratch: Bool
}

public struct LintContext: Sendable {
    public let dockerfile: Dockerfile
    public let settings: RuleSettings
    /// Every shell command of every RUN (and ONBUILD RUN), in source order.
    public let commands: [Command]
    /// For each instruction index, the indices of its commands.
    public let commandsByInstruction: [Int: [Int]]
    /// Instruction indices of ONBUILD triggers' inner instructions are not
    /// listed in `dockerfile.instructions`; rules that care look into `.onbuild`.

    public init(_ dockerfile: Dockerfile, settings: RuleSettings = RuleSettings()) {
        self.dockerfile = dockerfile
        self.settings = settings
        var cmds: [Command] = []
        var byIns: [Int: [Int]] = [:]
        for ins in dockerfile.instructions {
            var run: RunInstruction?
            if case .run(let r) = ins.value { run = r }
            if case .onbuild(let inner?) = ins.value, case .run(let r) = inner.value { run = r }
            guard let run else { continue }
            let before = cmds.count
            LintContext.collect(run, instruction: ins.index, into: &cmds)
            if cmds.count > before { byIns[ins.index] = Array(before..<cmds.count) }
        }
        for i in cmds.indices { cmds[i].index = i }
        self.commands = cmds
        self.commandsByInstruction = byIns
    }

    static let shells: Set<String> = ["sh", "bash", "dash", "ash", "zsh", "ksh", "busybox"]

    static func collect(_ run: RunInstruction, instruction: Int, into cmds: inout [Command]) {
        switch run.command {
        case .shell(let w)?:
            addScript(w.raw, instruction: instruction, map: { w.sourceOffset($0) }, into: &cmds)
        case .exec(let words)?:
            let argv = words.map(\.text)
            let span = words.first!.span.union(words.last!.span)
            cmds.append(Command(argv: argv, wordSpans: words.map(\.span), span: span, instruction: instruction, shell: nil))
            // ["sh", "-c", "script"]: the script's commands too, mapped to its JSON string.
            if argv.count >= 3, shells.contains(Command.basename(argv[0])), argv[1].hasPrefix("-"), argv[1].hasSuffix("c") {
                let w = words[2]
                addScript(Array(argv[2].utf8), instruction: instruction, map: { _ in w.span.start }, into: &cmds)
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
            if let firstLine = body.split(separator: 0x0A, maxSplits: 1).first, firstLine.starts(with: Array("#!".utf8)) {
                let shebang = String(decoding: firstLine, as: UTF8.self)
                if !shells.contains(where: { shebang.hasSuffix("/" + $0) || shebang.hasSuffix(" " + $0) || shebang.contains("/" + $0 + " ") }) { continue }
            }
            let start = h.bodySpan.start
            if h.chomp {
                // Tabs were stripped: offsets inside a line are approximate; map to line starts.
                addScript(body, instruction: instruction, map: { min(start + $0, h.bodySpan.end) }, into: &cmds)
            } else {
                addScript(body, instruction: instruction, map: { start + $0 }, into: &cmds)
            }
        }
    }

    static func addScript(_ script: [UInt8], instruction: Int, map: (Int) -> Int, into cmds: inout [Command]) {
        let parsed = ShellParser.parse(script)
        let base = cmds.count
        var byPipeline: [Int: [Int]] = [:]
        for sc in parsed.commands {
            guard !sc.words.isEmpty else { continue }
            func fileSpan(_ r: Range<Int>) -> Span {
                if r.isEmpty { let s = map(r.lowerBound); return Span(s, s) }
                return Span(map(r.lowerBound), map(r.upperBound - 1) + 1)
            }
            var c = Command(argv: sc.words.map(\.value), wordSpans: sc.words.map { fileSpan($0.range) },
                            span: fileSpan(sc.range), instruction: instruction, shell: sc)
            let idx = cmds.count
            let earlier = byPipeline[sc.pipeline] ?? []
            if sc.positionInPipeline > 0 { c.pipedFrom = earlier }
            byPipeline[sc.pipeline, default: []].append(idx)
            cmds.append(c)
        }
        _ = base
    }

    // MARK: queries

    public var instructions: [Instruction] { dockerfile.instructions }

    public func commands(of instruction: Int) -> [Command] {
        (commandsByInstruction[instruction] ?? []).map { commands[$0] }
    }

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
