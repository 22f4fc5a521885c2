// Recursive-descent parser over the token stream. Recursion is bounded by
// `ShellParser.maxNesting` and `ShellParser.stackBudget` (see `atLimit`);
// every loop consumes at least one token per turn,
// and stray closers (`fi`, `)`, `}`...) are skipped at the outermost level
// of a (sub)script, so any input terminates.

struct PendingHeredoc {
    var delim: [UInt8]
    var strip: Bool
}

/// Shared output of a parse and its nested parses.
final class Collector {
    var commands: [SimpleCommand] = []
    var pipelines: [PipelineDraft] = []
    /// Outer offsets of `$(` / backquotes already parsed, so that the script
    /// of `sh -c "...$(x)..."` does not report `x` a second time.
    var substitutionStarts: Set<Int> = []
}

struct StageDraft {
    var range: Range<Int>
    var command: Int?
}

struct PipelineDraft {
    var stages: [StageDraft] = []
    var operators: [String] = []
    var negated = false
    var range: Range<Int> = 0..<0
    var connector: Connector?
    var depth: Int
    var origin: CommandOrigin
}

struct Parser {
    let buf: [UInt8]
    var pos = 0
    var end: Int
    let map: ByteMap
    var depth: Int
    var origin: CommandOrigin
    /// Inside an `sh -c` script: no second level of `sh -c`.
    let inDashC: Bool
    var nest: Int
    let out: Collector
    /// Stack address when the outermost parse started.
    let stackBase: Int

    var look: Token?
    /// The text of `look` when it is a word token.
    var lookWord: LexedWord?
    /// The last word lexed had no quoting, escape, continuation or expansion.
    var lastWordPlain = false
    var lastEnd = 0
    var heredocs: [PendingHeredoc] = []
    /// Inside `[[ ... ]]`.
    var condMode = false
    /// Record value-to-source maps for the next words (possible `sh -c` scripts).
    var wantMap = false

    init(buf: [UInt8], map: ByteMap, depth: Int, origin: CommandOrigin, inDashC: Bool, nest: Int, out: Collector,
         stackBase: Int) {
        self.stackBase = stackBase
        self.buf = buf
        self.end = buf.count
        self.map = map
        self.depth = depth
        self.origin = origin
        self.inDashC = inDashC
        self.nest = nest
        self.out = out
    }

    /// No deeper recursion: `maxNesting` levels, or `stackBudget` bytes of
    /// stack used since the parse started (frames are much larger in debug
    /// and sanitizer builds than in release ones).
    var atLimit: Bool {
        nest >= ShellParser.maxNesting || abs(stackBase - stackAddress()) > ShellParser.stackBudget
    }

    // MARK: Lists

    /// A whole (sub)script: lists, skipping stray closers, to the end of input.
    mutating func parseProgram() {
        while true {
            parseList()
            if peek().kind == .eof { return }
            advance()
        }
    }

    func canStartCommand(_ t: Token) -> Bool {
        switch t.kind {
        case .word: return !t.kw.isCloser
        case .redir, .dparen: return true
        case .op: return t.op == .lparen
        case .newline, .eof: return false
        }
    }

    func isCloser(_ t: Token) -> Bool {
        switch t.kind {
        case .word: return t.kw.isCloser
        case .op: return t.op == .rparen || t.op == .dsemi || t.op == .semiAnd || t.op == .dsemiAnd
        case .eof: return true
        default: return false
        }
    }

    /// A compound list; returns at end of input or at a closer (not consumed).
    mutating func parseList() {
        var pending: Connector?
        var seen = false
        while true {
            let t = peek()
            if isCloser(t) { return }
            if canStartCommand(t) {
                parseAndOr(seen ? pending : nil)
                pending = nil
                seen = true
                continue
            }
            advance()
            if seen && pending == nil { pending = Self.separator(t) }
        }
    }

    /// The connector a separator token makes; nil for stray `&&`, `|`...
    @inline(never)
    static func separator(_ t: Token) -> Connector? {
        switch t.kind {
        case .newline: return .newline
        case .op where t.op == .semi: return .semicolon
        case .op where t.op == .amp: return .background
        default: return nil
        }
    }

    mutating func parseAndOr(_ connector: Connector?) {
        parsePipeline(connector)
        while true {
            let t = peek()
            guard t.kind == .op, t.op == .andIf || t.op == .orIf else { return }
            advance()
            skipNewlines()
            guard canStartCommand(peek()) else { return }
            parsePipeline(t.op == .andIf ? .and : .or)
        }
    }

    mutating func parsePipeline(_ connector: Connector?) {
        let pid = out.pipelines.count
        out.pipelines.append(PipelineDraft(connector: connector, depth: depth, origin: origin))
        var start = parseNegation(pid)
        var stageEnd = 0
        var position = 0
        while true {
            let t = peek()
            guard canStartCommand(t) else { break }
            if start < 0 { start = t.start }
            let simple = parseCommand(pipeline: pid, position: position, connector: connector)
            stageEnd = max(t.start, lastEnd)
            position += 1
            if !addStage(pid, t.start, stageEnd, simple) { break }
        }
        if start >= 0 { out.pipelines[pid].range = map.range(start, max(start, stageEnd)) }
    }

    /// Leading `!` words. Returns the start of the first, or -1.
    @inline(never)
    mutating func parseNegation(_ pid: Int) -> Int {
        var start = -1
        while true {
            let t = peek()
            guard t.kind == .word, t.kw == .bang else { return start }
            if start < 0 { start = t.start }
            out.pipelines[pid].negated = true
            advance()
        }
    }

    /// Records a stage; consumes a following `|` or `|&`, returning whether there was one.
    @inline(never)
    mutating func addStage(_ pid: Int, _ start: Int, _ end: Int, _ simple: Int?) -> Bool {
        out.pipelines[pid].stages.append(StageDraft(range: map.range(start, end), command: simple))
        let n = peek()
        guard n.kind == .op, n.op == .pipe || n.op == .pipeAmp else { return false }
        advance()
        skipNewlines()
        guard canStartCommand(peek()) else { return false }  // a trailing `|`
        out.pipelines[pid].operators.append(n.op == .pipe ? "|" : "|&")
        return true
    }

    /// A pipeline of exactly one command (a function body).
    mutating func parseSingleStagePipeline() {
        let t = peek()
        guard canStartCommand(t) else { return }
        let pid = out.pipelines.count
        out.pipelines.append(PipelineDraft(connector: nil, depth: depth, origin: origin))
        let simple = parseCommand(pipeline: pid, position: 0, connector: nil)
        let r = map.range(t.start, max(t.start, lastEnd))
        out.pipelines[pid].stages = [StageDraft(range: r, command: simple)]
        out.pipelines[pid].range = r
    }

    // MARK: Commands

    /// One pipeline stage. Returns the index of the simple command, if it is one.
    mutating func parseCommand(pipeline pid: Int, position: Int, connector: Connector?) -> Int? {
        let t = peek()
        switch t.kind {
        case .op:
            advance()  // `(`
            if !atLimit {
                nest += 1
                parseList()
                if peek().isOp(.rparen) { advance() }
                nest -= 1
            }
            parseTrailingRedirections()
            return nil
        case .dparen:
            advance()
            scanArithmetic()  // (( arithmetic ))
            lastEnd = pos
            parseTrailingRedirections()
            return nil
        case .word:
            switch t.kw {
            case .ifK, .whileK, .untilK, .forK, .selectK, .caseK, .lbrace, .functionK:
                advance()
                // Beyond the nesting bound the opener is dropped and its body
                // is read as ordinary lists by the enclosing levels.
                guard !atLimit else { return nil }
                nest += 1
                defer { nest -= 1 }
                switch t.kw {
                case .ifK: parseIf()
                case .whileK, .untilK: parseWhile()
                case .forK, .selectK: parseFor()
                case .caseK: parseCase()
                case .lbrace:
                    parseList()
                    if peek().kw == .rbrace { advance() }
                default: parseFunctionKeyword()
                }
                parseTrailingRedirections()
                return nil
            default:
                return parseSimpleCommand(pipeline: pid, position: position, connector: connector)
            }
        case .redir:
            return parseSimpleCommand(pipeline: pid, position: position, connector: connector)
        case .newline, .eof:
            return nil
        }
    }

    mutating func expect(_ k: Keyword) -> Bool {
        let t = peek()
        guard t.kind == .word, t.kw == k else { return false }
        advance()
        return true
    }

    mutating func parseIf() {
        parseList()
        guard expect(.thenK) else { return }
        parseList()
        while true {
            if expect(.elifK) {
                parseList()
                guard expect(.thenK) else { return }
                parseList()
                continue
            }
            if expect(.elseK) { parseList() }
            _ = expect(.fiK)
            return
        }
    }

    mutating func parseWhile() {
        parseList()
        guard expect(.doK) else { return }
        parseList()
        _ = expect(.doneK)
    }

    /// `for NAME [in WORD...] ; do LIST done`, `for ((...)); do LIST done`,
    /// also `select`. Header words are not commands.
    mutating func parseFor() {
        var t = peek()
        if t.kind == .dparen {
            advance()
            scanArithmetic()
            lastEnd = pos
        } else if t.kind == .word {
            advance()  // the variable name
            skipNewlines()
            if peek().kw == .inK {
                advance()
                while peek().kind == .word { advance() }
            }
        }
        t = peek()
        if t.isOp(.semi) { advance() }
        skipNewlines()
        if expect(.doK) {
            parseList()
            _ = expect(.doneK)
        } else if peek().kw == .lbrace {
            advance()
            parseList()
            _ = expect(.rbrace)
        } else {
            // `do` missing: read the body anyway.
            parseList()
            _ = expect(.doneK)
        }
    }

    /// `case WORD in [(]PAT[|PAT]...) LIST ;; ... esac`. Patterns are not commands.
    mutating func parseCase() {
        if peek().kind == .word { advance() }
        skipNewlines()
        guard expect(.inK) else { return }
        while true {
            skipNewlines()
            if expect(.esacK) { return }
            var consumed = false
            if peek().isOp(.lparen) {
                advance()
                consumed = true
            }
            while peek().kind == .word {
                advance()
                consumed = true
                guard peek().isOp(.pipe) else { break }
                advance()
            }
            if peek().isOp(.rparen) {
                advance()
                consumed = true
            }
            guard consumed else { return }
            parseList()
            let t = peek()
            if t.isOp(.dsemi) || t.isOp(.semiAnd) || t.isOp(.dsemiAnd) {
                advance()
                continue
            }
            _ = expect(.esacK)
            return
        }
    }

    /// After `function`: `NAME [()] BODY`.
    mutating func parseFunctionKeyword() {
        if peek().kind == .word { advance() }
        if peek().isOp(.lparen) {
            advance()
            if peek().isOp(.rparen) { advance() }
        }
        skipNewlines()
        parseSingleStagePipeline()
    }

    mutating func parseTrailingRedirections() {
        while peek().kind == .redir { _ = parseRedirection() }
    }

    mutating func parseRedirection() -> Redirection {
        let t = peek()
        advance()
        var target: ShellWord?
        var e = t.end
        let n = peek()
        if n.kind == .word, let w = lookWord {
            target = makeWord(n)
            e = n.end
            advance()
            if t.heredoc != 0 {
                heredocs.append(PendingHeredoc(delim: Array(w.value.utf8), strip: t.heredoc == 2))
            }
        }
        return Redirection(op: String(decoding: buf[t.start..<t.end], as: UTF8.self), target: target,
                           range: map.range(t.start, e))
    }

    /// The word of token `t`, which must be the current lookahead.
    func makeWord(_ t: Token) -> ShellWord {
        let w = lookWord ?? LexedWord(value: "", raw: "", quoted: false, hasExpansion: false)
        return ShellWord(value: w.value, raw: w.raw, range: map.range(t.start, t.end), quoted: w.quoted, hasExpansion: w.hasExpansion)
    }

    /// `NAME=`, `NAME+=` or `NAME[...]=` at the start of the raw word.
    func isAssignment(_ t: Token) -> Bool {
        var i = t.start
        guard i < t.end, Ch.isNameStart(buf[i]) else { return false }
        i += 1
        while i < t.end && Ch.isNameChar(buf[i]) { i += 1 }
        guard i < t.end else { return false }
        if buf[i] == Ch.eq { return true }
        if buf[i] == Ch.plus { return i + 1 < t.end && buf[i + 1] == Ch.eq }
        if buf[i] == Ch.lbrack {
            while i < t.end && buf[i] != Ch.rbrack { i += 1 }
            return i + 1 < t.end && buf[i + 1] == Ch.eq
        }
        return false
    }

    /// The parts of a simple command being read. One local instead of many
    /// keeps the frame of the (recursive) parsing path small.
    struct CommandDraft {
        var start: Int
        var assignments: [ShellWord] = []
        var words: [ShellWord] = []
        var redirections: [Redirection] = []
        /// The words' tokens, kept only for a possible `sh -c`.
        var tokens: [(Token, LexedWord?)] = []
        var mayDashC = false
    }

    mutating func parseSimpleCommand(pipeline pid: Int, position: Int, connector: Connector?) -> Int? {
        var draft = CommandDraft(start: peek().start)
        while true {
            let t = peek()
            if t.kind == .word {
                if addWord(&draft, t) {
                    return parseFunctionDefinition(&draft, pid, position, connector)
                }
            } else if t.kind == .redir {
                addRedirection(&draft)
            } else {
                break
            }
        }
        return finishSimpleCommand(&draft, pid, position, connector)
    }

    /// Adds word `t` (the lookahead). Returns true when it is a name followed by `(`.
    mutating func addWord(_ d: inout CommandDraft, _ t: Token) -> Bool {
        if d.words.isEmpty && isAssignment(t) {
            d.assignments.append(makeWord(t))
            advance()
            return false
        }
        d.words.append(makeWord(t))
        if d.mayDashC { d.tokens.append((t, lookWord)) }
        advance()
        if d.words.count == 1 {
            if t.kw == .dbrackOpen { condMode = true }
            if !inDashC && DashC.mayRunScript(d.words[0].value) && !atLimit {
                d.mayDashC = true
                d.tokens.append((t, nil))  // the name is never the script
            }
            wantMap = d.mayDashC  // before the next word is lexed
            return d.assignments.isEmpty && d.redirections.isEmpty && !condMode && peek().isOp(.lparen)
        }
        if condMode && t.kw == .dbrackClose { condMode = false }
        return false
    }

    @inline(never)
    mutating func addRedirection(_ d: inout CommandDraft) {
        d.redirections.append(parseRedirection())
    }

    /// At the `(` after a command's first word.
    @inline(never)
    mutating func parseFunctionDefinition(_ d: inout CommandDraft, _ pid: Int, _ position: Int,
                                          _ connector: Connector?) -> Int? {
        wantMap = false
        let nameEnd = lastEnd
        advance()
        if peek().isOp(.rparen) {
            // `name() body`: the name is not a command; the body is.
            advance()
            skipNewlines()
            if !atLimit {
                nest += 1
                parseSingleStagePipeline()
                nest -= 1
            }
            return nil
        }
        // `name ( ...`: not a definition; read on as a subshell.
        let index = emit(d.assignments, d.words, d.redirections, d.start, nameEnd, pid, position, connector)
        if !atLimit {
            nest += 1
            parseList()
            if peek().isOp(.rparen) { advance() }
            nest -= 1
        }
        return index
    }

    @inline(never)
    mutating func finishSimpleCommand(_ d: inout CommandDraft, _ pid: Int, _ position: Int,
                                      _ connector: Connector?) -> Int {
        wantMap = false
        condMode = false
        let index = emit(d.assignments, d.words, d.redirections, d.start, lastEnd, pid, position, connector)
        if d.mayDashC, let k = DashC.scriptIndex(d.words.map(\.value)), k < d.tokens.count {
            parseDashCScript(d.tokens[k].0, d.tokens[k].1)
        }
        return index
    }

    mutating func emit(_ assignments: [ShellWord], _ words: [ShellWord], _ redirections: [Redirection], _ start: Int,
                       _ end: Int, _ pid: Int, _ position: Int, _ connector: Connector?) -> Int {
        let cmd = SimpleCommand(assignments: assignments, words: words, redirections: redirections,
                                range: map.range(start, max(start, end)), pipeline: pid,
                                positionInPipeline: position, pipelineLength: 1, connectorBefore: connector,
                                depth: depth, origin: origin)
        out.commands.append(cmd)
        return out.commands.count - 1
    }

    // MARK: Nested scripts

    /// After `$(` (or `<(`, `>(`) at `o`: parses to the matching `)`.
    mutating func parseSubstitution(openAt o: Int) {
        let outer = map.start(o)
        if atLimit || (inDashC && out.substitutionStarts.contains(outer)) {
            skipBalanced([Ch.lp])
            return
        }
        out.substitutionStarts.insert(outer)
        let saved = (look, lastEnd, depth, origin, heredocs, condMode, wantMap)
        look = nil
        depth += 1
        origin = .commandSubstitution
        nest += 1
        heredocs = []
        condMode = false
        wantMap = false
        while true {
            parseList()
            let t = peek()
            if t.kind == .eof { break }
            advance()
            if t.isOp(.rparen) { break }
        }
        nest -= 1
        (look, lastEnd, depth, origin, heredocs, condMode, wantMap) = saved
    }

    /// At a backquote: finds the closing one and parses the text between.
    mutating func scanBackquote(inDQ: Bool) {
        let open = pos
        var i = pos + 1
        var escapes = false
        while i < end {
            let c = buf[i]
            if c == Ch.bsl && i + 1 < end {
                let n = buf[i + 1]
                if n == Ch.dollar || n == Ch.bq || n == Ch.bsl || (inDQ && n == Ch.dq) { escapes = true }
                i += 2
                continue
            }
            if c == Ch.bq { break }
            i += 1
        }
        let close = min(i, end)
        pos = close < end ? close + 1 : end
        guard !atLimit, close > open + 1 else { return }
        let outer = map.start(open)
        if inDashC && out.substitutionStarts.contains(outer) { return }
        out.substitutionStarts.insert(outer)
        if !escapes {
            // Parse in place, bounded by the closing backquote.
            let saved = (pos, end, look, lastEnd, depth, origin, heredocs, condMode, wantMap)
            pos = open + 1
            end = close
            look = nil
            depth += 1
            origin = .commandSubstitution
            nest += 1
            heredocs = []
            condMode = false
            wantMap = false
            parseProgram()
            nest -= 1
            (pos, end, look, lastEnd, depth, origin, heredocs, condMode, wantMap) = saved
            return
        }
        // Inside backquotes `\$`, `` \` ``, `\\` (and `\"` within double quotes) lose the backslash.
        var bytes: [UInt8] = []
        var starts: [Int] = []
        var ends: [Int] = []
        bytes.reserveCapacity(close - open)
        var j = open + 1
        while j < close {
            let c = buf[j]
            if c == Ch.bsl && j + 1 < close {
                let n = buf[j + 1]
                if n == Ch.dollar || n == Ch.bq || n == Ch.bsl || (inDQ && n == Ch.dq) {
                    bytes.append(n)
                    starts.append(map.start(j))
                    ends.append(map.end(j + 2))
                    j += 2
                    continue
                }
            }
            bytes.append(c)
            starts.append(map.start(j))
            ends.append(map.end(j + 1))
            j += 1
        }
        var sub = Parser(buf: bytes, map: ByteMap(starts: starts, ends: ends), depth: depth + 1,
                         origin: .commandSubstitution, inDashC: inDashC, nest: nest + 1, out: out,
                         stackBase: stackBase)
        sub.parseProgram()
    }

    /// Parses the value of `t` (the script operand of `sh -c`) as a script.
    mutating func parseDashCScript(_ t: Token, _ word: LexedWord?) {
        guard let w = word else { return }
        let m: ByteMap
        let bytes: [UInt8]
        if let vb = w.valueBytes, let ms = w.mapStarts, let me = w.mapEnds {
            bytes = vb
            m = ByteMap(starts: ms.map { map.start($0) }, ends: me.map { map.end($0) })
        } else if w.quoted {
            return  // value differs from the raw text but no map was recorded
        } else {
            bytes = Array(buf[t.start..<t.end])
            if map.starts == nil {
                m = ByteMap(shift: map.shift + t.start)
            } else {
                m = ByteMap(starts: (t.start..<t.end).map { map.start($0) },
                              ends: (t.start..<t.end).map { map.end($0 + 1) })
            }
        }
        var sub = Parser(buf: bytes, map: m, depth: depth + 1, origin: .shellDashC, inDashC: true,
                         nest: nest + 1, out: out, stackBase: stackBase)
        sub.parseProgram()
    }
}

/// The address of a local of a fresh frame: where the stack currently ends.
@inline(never)
func stackAddress() -> Int {
    var probe = 0
    return withUnsafeMutablePointer(to: &probe) { Int(bitPattern: $0) }
}

/// Recognising `sh -c SCRIPT` (also through `env`, `sudo`, `exec`...).
enum DashC {
    static let shells: Set<String> = ["sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "yash", "busybox"]
    static let wrappers: Set<String> = ["env", "sudo", "exec", "nohup", "time", "command", "nice", "doas", "chroot",
                                        "su", "runuser"]

    static func basename(_ s: String) -> String {
        let u = s.utf8
        guard let i = u.lastIndex(of: Ch.slash) else { return s }
        return String(Substring(u[u.index(after: i)...]))
    }

    static func mayRunScript(_ name: String) -> Bool {
        let u = name.utf8
        let start = u.lastIndex(of: Ch.slash).map { u.index(after: $0) } ?? u.startIndex
        guard u.distance(from: start, to: u.endIndex) <= 7 else { return false }
        let b = String(Substring(u[start...]))
        return shells.contains(b) || wrappers.contains(b)
    }

    /// `-c CMD`, `--command CMD` or `--command=CMD` (no attached form is
    /// offered: its value would not be a whole word).
    static func suCommandIndex(_ argv: [String], from start: Int) -> Int? {
        var j = start
        while j < argv.count {
            let w = argv[j]
            if w == "-c" || w == "--command" { return j + 1 < argv.count ? j + 1 : nil }
            if w == "--" { return nil }
            j += 1
        }
        return nil
    }

    /// Index in `argv` of the script operand of a shell run with `-c`.
    static func scriptIndex(_ argv: [String]) -> Int? {
        var i = 0
        // Skip wrappers and their options.
        wrappersLoop: while i < argv.count {
            let b = basename(argv[i])
            switch b {
            case "env":
                i += 1
                while i < argv.count {
                    let w = argv[i]
                    if w == "--" {
                        i += 1
                        break
                    }
                    if w == "-u" || w == "-C" || w == "--unset" || w == "--chdir" {
                        i += 2
                    } else if w.hasPrefix("-") || (w.contains("=") && !w.hasPrefix("=")) {
                        i += 1
                    } else {
                        break
                    }
                }
            case "sudo", "doas", "nice", "exec", "nohup", "time", "command":
                let takesArg: Set<String> = b == "sudo"
                    ? ["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "-R"]
                    : (b == "nice" ? ["-n"] : (b == "doas" ? ["-u", "-C"] : (b == "exec" ? ["-a"] : [])))
                i += 1
                while i < argv.count && argv[i].hasPrefix("-") {
                    if argv[i] == "--" {
                        i += 1
                        break
                    }
                    i += takesArg.contains(argv[i]) ? 2 : 1
                }
            case "chroot":
                i += 1
                while i < argv.count && argv[i].hasPrefix("-") { i += 1 }
                i += 1  // NEWROOT
            case "busybox":
                i += 1
            case "su", "runuser":
                // `su [opts] [user] -c CMD`: CMD is run by the user's shell.
                return suCommandIndex(argv, from: i + 1)
            default:
                break wrappersLoop
            }
        }
        guard i < argv.count, shells.contains(basename(argv[i])), basename(argv[i]) != "busybox" else { return nil }
        var sawC = false
        var j = i + 1
        while j < argv.count {
            let w = argv[j]
            if w == "--" || w == "-" {
                j += 1
                break
            }
            guard w.count > 1, let first = w.first, first == "-" || first == "+" else { break }
            if w.hasPrefix("--") {
                j += (w == "--rcfile" || w == "--init-file") ? 2 : 1
                continue
            }
            let letters = w.dropFirst()
            if first == "-" && letters.contains("c") { sawC = true }
            j += (letters.last == "o" || letters.last == "O") ? 2 : 1
        }
        guard sawC, j < argv.count else { return nil }
        return j
    }
}
