// Tokens and the byte-level lexer (word scanning, quoting, expansions,
// here-document bodies). The lexer is part of `Parser` because `$(...)` and
// backquotes inside a word are parsed as commands while the word is scanned.

enum Ch {
    static let nl: UInt8 = 0x0A, cr: UInt8 = 0x0D, tab: UInt8 = 0x09, sp: UInt8 = 0x20
    static let bang: UInt8 = 0x21, dq: UInt8 = 0x22, hash: UInt8 = 0x23, dollar: UInt8 = 0x24
    static let amp: UInt8 = 0x26, sq: UInt8 = 0x27, lp: UInt8 = 0x28, rp: UInt8 = 0x29
    static let star: UInt8 = 0x2A, plus: UInt8 = 0x2B, dash: UInt8 = 0x2D, slash: UInt8 = 0x2F
    static let semi: UInt8 = 0x3B, lt: UInt8 = 0x3C, eq: UInt8 = 0x3D, gt: UInt8 = 0x3E
    static let qmark: UInt8 = 0x3F, at: UInt8 = 0x40, lbrack: UInt8 = 0x5B, bsl: UInt8 = 0x5C
    static let rbrack: UInt8 = 0x5D, us: UInt8 = 0x5F, bq: UInt8 = 0x60
    static let lbrace: UInt8 = 0x7B, pipe: UInt8 = 0x7C, rbrace: UInt8 = 0x7D

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }
    @inline(__always) static func isAlpha(_ c: UInt8) -> Bool { (c | 0x20) &- 0x61 < 26 }
    @inline(__always) static func isNameStart(_ c: UInt8) -> Bool { isAlpha(c) || c == us }
    @inline(__always) static func isNameChar(_ c: UInt8) -> Bool { isAlpha(c) || isDigit(c) || c == us }
    /// Special parameters after `$`: `$@ $* $# $? $- $$ $! $0`-`$9`.
    @inline(__always) static func isSpecialParam(_ c: UInt8) -> Bool {
        isDigit(c) || c == at || c == star || c == hash || c == qmark || c == dash || c == dollar || c == bang
    }
}

enum TokKind: UInt8 { case word, newline, op, redir, dparen, eof }

enum OpKind: UInt8 { case none, andIf, orIf, semi, dsemi, semiAnd, dsemiAnd, amp, pipe, pipeAmp, lparen, rparen }

enum Keyword: UInt8 {
    case none, ifK, thenK, elifK, elseK, fiK, doK, doneK, caseK, esacK, whileK, untilK, forK, selectK, inK
    case functionK, lbrace, rbrace, bang, dbrackOpen, dbrackClose

    /// Ends a compound list when seen at command position.
    var isCloser: Bool {
        switch self {
        case .thenK, .elifK, .elseK, .fiK, .doK, .doneK, .esacK, .rbrace: return true
        default: return false
        }
    }

    static let table: [([UInt8], Keyword)] = ([
        ("if", .ifK), ("then", .thenK), ("elif", .elifK), ("else", .elseK), ("fi", .fiK), ("do", .doK),
        ("done", .doneK), ("case", .caseK), ("esac", .esacK), ("while", .whileK), ("until", .untilK),
        ("for", .forK), ("select", .selectK), ("in", .inK), ("function", .functionK), ("{", .lbrace),
        ("}", .rbrace), ("!", .bang), ("[[", .dbrackOpen), ("]]", .dbrackClose),
    ] as [(String, Keyword)]).map { (Array($0.0.utf8), $0.1) }
}

/// A word as lexed, in the coordinates of the parser's buffer.
struct LexedWord {
    var value: String
    var raw: String
    var quoted: Bool
    var hasExpansion: Bool
    /// Value bytes when they differ from the raw bytes and maps were requested.
    var valueBytes: [UInt8]?
    /// For each value byte, the buffer range it came from (only with `valueBytes`).
    var mapStarts: [Int]?
    var mapEnds: [Int]?
}

/// Plain data, cheap to copy: the text of a word token is in `Parser.lookWord`,
/// a redirection operator's text is `buf[start..<end]`.
struct Token {
    var kind: TokKind
    var op: OpKind = .none
    var kw: Keyword = .none
    var start: Int
    var end: Int
    /// 0: not a here-document, 1: `<<`, 2: `<<-`.
    var heredoc: UInt8 = 0

    init(kind: TokKind, start: Int, end: Int) {
        self.kind = kind
        self.start = start
        self.end = end
    }

    init(op: OpKind, start: Int, end: Int) {
        self.kind = .op
        self.op = op
        self.start = start
        self.end = end
    }

    func isOp(_ o: OpKind) -> Bool { kind == .op && op == o }
}

/// Value bytes of a word being scanned. Stays "fast" (nothing stored: the
/// value equals the raw bytes) until a quote, escape or line continuation.
struct WordBuilder {
    let start: Int
    let record: Bool
    var slow = false
    var bytes: [UInt8] = []
    var starts: [Int] = []
    var ends: [Int] = []

    init(start: Int, record: Bool) {
        self.start = start
        self.record = record
    }

    mutating func goSlow(_ buf: [UInt8], upTo p: Int) {
        if slow { return }
        slow = true
        bytes = Array(buf[start..<p])
        if record {
            starts = Array(start..<p)
            ends = Array((start + 1)..<(p + 1))
        }
    }

    @inline(__always) mutating func add(_ c: UInt8, _ s: Int, _ e: Int) {
        guard slow else { return }
        bytes.append(c)
        if record {
            starts.append(s)
            ends.append(e)
        }
    }

    mutating func addVerbatim(_ buf: [UInt8], _ s: Int, _ e: Int) {
        guard slow, s < e else { return }
        bytes.append(contentsOf: buf[s..<e])
        if record {
            for i in s..<e {
                starts.append(i)
                ends.append(i + 1)
            }
        }
    }
}

/// Maps offsets of a parser's buffer to offsets of the outermost script.
struct ByteMap {
    var shift: Int = 0
    /// Per buffer byte: outer start and (exclusive) end. nil: `shift + i`.
    var starts: [Int]?
    var ends: [Int]?

    func start(_ i: Int) -> Int {
        guard let s = starts, let e = ends else { return shift + i }
        if i < s.count { return s[max(i, 0)] }
        return e.last ?? shift
    }

    func end(_ i: Int) -> Int {
        guard let s = starts, let e = ends else { return shift + i }
        if e.isEmpty { return shift }
        if i > 0 { return e[min(i, e.count) - 1] }
        return s.first ?? shift
    }

    func range(_ a: Int, _ b: Int) -> Range<Int> {
        let s = start(a)
        return s..<max(s, end(b))
    }
}

extension Parser {
    // MARK: Tokens

    mutating func peek() -> Token {
        if let t = look { return t }
        let t = lex()
        look = t
        return t
    }

    mutating func advance() {
        if let t = look {
            if t.kind != .eof { lastEnd = t.end }
            look = nil
        }
    }

    mutating func skipNewlines() {
        while peek().kind == .newline { advance() }
    }

    mutating func lex() -> Token {
        while pos < end {
            let c = buf[pos]
            if c == Ch.sp || c == Ch.tab || c == Ch.cr {
                pos += 1
            } else if c == Ch.bsl, pos + 1 < end, buf[pos + 1] == Ch.nl {
                pos += 2
            } else if c == Ch.bsl, pos + 2 < end, buf[pos + 1] == Ch.cr, buf[pos + 2] == Ch.nl {
                pos += 3
            } else if c == Ch.hash {
                while pos < end && buf[pos] != Ch.nl { pos += 1 }
            } else {
                break
            }
        }
        guard pos < end else { return Token(kind: .eof, start: end, end: end) }
        let c = buf[pos]
        switch c {
        case Ch.nl, Ch.semi, Ch.amp, Ch.pipe, Ch.lp, Ch.rp, Ch.lt, Ch.gt:
            return lexOperator()
        default:
            if condMode || Ch.isDigit(c) { return lexOperator() }
            return lexWordToken()
        }
    }

    /// Operators, and the cases where a word start depends on context
    /// (`[[ ]]` operands, fd numbers before `<` and `>`, process substitution).
    @inline(never)
    mutating func lexOperator() -> Token {
        let s = pos
        let c = buf[pos]
        let next: UInt8 = pos + 1 < end ? buf[pos + 1] : 0
        if condMode {
            // Inside `[[ ]]` these are operands, not shell operators.
            switch c {
            case Ch.lp, Ch.rp, Ch.lt, Ch.gt, Ch.pipe, Ch.bang:
                return lexWordToken()
            case Ch.amp where next == Ch.amp:
                pos += 2
                return plainWordToken(s, pos)
            default:
                if Ch.isDigit(c) { return lexWordToken() }
            }
        }
        switch c {
        case Ch.nl:
            pos += 1
            if !heredocs.isEmpty { readHeredocBodies() }
            return Token(kind: .newline, start: s, end: s + 1)
        case Ch.semi:
            if next == Ch.semi {
                if pos + 2 < end && buf[pos + 2] == Ch.amp {
                    pos += 3
                    return Token(op: .dsemiAnd, start: s, end: pos)
                }
                pos += 2
                return Token(op: .dsemi, start: s, end: pos)
            }
            if next == Ch.amp {
                pos += 2
                return Token(op: .semiAnd, start: s, end: pos)
            }
            pos += 1
            return Token(op: .semi, start: s, end: pos)
        case Ch.amp:
            if next == Ch.amp {
                pos += 2
                return Token(op: .andIf, start: s, end: pos)
            }
            if next == Ch.gt {
                pos += 2
                if pos < end && buf[pos] == Ch.gt { pos += 1 }
                return redirToken(s)
            }
            pos += 1
            return Token(op: .amp, start: s, end: pos)
        case Ch.pipe:
            if next == Ch.pipe {
                pos += 2
                return Token(op: .orIf, start: s, end: pos)
            }
            if next == Ch.amp {
                pos += 2
                return Token(op: .pipeAmp, start: s, end: pos)
            }
            pos += 1
            return Token(op: .pipe, start: s, end: pos)
        case Ch.lp:
            if next == Ch.lp {
                pos += 2
                return Token(kind: .dparen, start: s, end: pos)
            }
            pos += 1
            return Token(op: .lparen, start: s, end: pos)
        case Ch.rp:
            pos += 1
            return Token(op: .rparen, start: s, end: pos)
        case Ch.lt, Ch.gt:
            if next == Ch.lp { return lexWordToken() }  // process substitution
            return lexRedirection(s)
        default:
            if Ch.isDigit(c) {
                var i = pos + 1
                while i < end && Ch.isDigit(buf[i]) { i += 1 }
                if i < end, buf[i] == Ch.lt || buf[i] == Ch.gt, !(i + 1 < end && buf[i + 1] == Ch.lp) {
                    pos = i
                    return lexRedirection(s)
                }
            }
            return lexWordToken()
        }
    }

    /// At `<` or `>` (an fd number, if any, starts at `s`).
    mutating func lexRedirection(_ s: Int) -> Token {
        let c = buf[pos]
        let n1: UInt8 = pos + 1 < end ? buf[pos + 1] : 0
        let n2: UInt8 = pos + 2 < end ? buf[pos + 2] : 0
        var heredoc: UInt8 = 0
        if c == Ch.lt {
            if n1 == Ch.lt {
                if n2 == Ch.lt {
                    pos += 3
                } else if n2 == Ch.dash {
                    pos += 3
                    heredoc = 2
                } else {
                    pos += 2
                    heredoc = 1
                }
            } else if n1 == Ch.amp || n1 == Ch.gt {
                pos += 2
            } else {
                pos += 1
            }
        } else {
            if n1 == Ch.gt || n1 == Ch.amp || n1 == Ch.pipe {
                pos += 2
            } else {
                pos += 1
            }
        }
        var t = redirToken(s)
        t.heredoc = heredoc
        return t
    }

    func redirToken(_ s: Int) -> Token {
        Token(kind: .redir, start: s, end: pos)
    }

    /// A word token for bytes that are their own value (`&&` inside `[[ ]]`).
    mutating func plainWordToken(_ s: Int, _ e: Int) -> Token {
        let text = String(decoding: buf[s..<e], as: UTF8.self)
        lookWord = LexedWord(value: text, raw: text, quoted: false, hasExpansion: false)
        return Token(kind: .word, start: s, end: e)
    }

    mutating func lexWordToken() -> Token {
        let s = pos
        lookWord = lexWord()
        var t = Token(kind: .word, start: s, end: pos)
        if lastWordPlain && pos - s <= 8 { t.kw = keyword(s, pos) }
        return t
    }

    func keyword(_ s: Int, _ e: Int) -> Keyword {
        let n = e - s
        for (k, v) in Keyword.table where k.count == n {
            var i = 0
            while i < n && buf[s + i] == k[i] { i += 1 }
            if i == n { return v }
        }
        return .none
    }

    // MARK: Words

    /// Scans one word from `pos` (which is not at a blank or an operator).
    mutating func lexWord() -> LexedWord {
        let start = pos
        var b = WordBuilder(start: start, record: wantMap)
        var quoted = false
        var hasExp = false
        let cond = condMode
        scan: while pos < end {
            let c = buf[pos]
            switch c {
            case Ch.sp, Ch.tab, Ch.cr, Ch.nl, Ch.semi, Ch.amp:
                break scan
            case Ch.lt, Ch.gt:
                if pos == start && pos + 1 < end && buf[pos + 1] == Ch.lp {
                    // Process substitution <(...) / >(...): commands inside are parsed.
                    let s = pos
                    pos += 2
                    parseSubstitution(openAt: s)
                    hasExp = true
                    b.addVerbatim(buf, s, pos)
                    continue
                }
                if cond {
                    b.add(c, pos, pos + 1)
                    pos += 1
                    continue
                }
                break scan
            case Ch.pipe, Ch.lp, Ch.rp:
                if cond {
                    b.add(c, pos, pos + 1)
                    pos += 1
                    continue
                }
                break scan
            case Ch.bsl:
                if pos + 1 < end {
                    let n = buf[pos + 1]
                    if n == Ch.nl {
                        b.goSlow(buf, upTo: pos)
                        pos += 2
                        continue
                    }
                    if n == Ch.cr && pos + 2 < end && buf[pos + 2] == Ch.nl {
                        b.goSlow(buf, upTo: pos)
                        pos += 3
                        continue
                    }
                    b.goSlow(buf, upTo: pos)
                    b.add(n, pos, pos + 2)
                    quoted = true
                    pos += 2
                } else {
                    b.add(c, pos, pos + 1)
                    pos += 1
                }
            case Ch.sq:
                quoted = true
                b.goSlow(buf, upTo: pos)
                pos += 1
                while pos < end && buf[pos] != Ch.sq {
                    b.add(buf[pos], pos, pos + 1)
                    pos += 1
                }
                if pos < end { pos += 1 }
            case Ch.dq:
                quoted = true
                b.goSlow(buf, upTo: pos)
                scanDoubleQuotedValue(&b, &hasExp)
            case Ch.dollar:
                let n: UInt8 = pos + 1 < end ? buf[pos + 1] : 0
                if n == Ch.sq {
                    quoted = true
                    b.goSlow(buf, upTo: pos)
                    pos += 2
                    scanANSIC(&b)
                } else if n == Ch.dq {
                    quoted = true
                    b.goSlow(buf, upTo: pos)
                    pos += 1
                    scanDoubleQuotedValue(&b, &hasExp)
                } else {
                    let s = pos
                    if scanDollar(inDQ: false) { hasExp = true }
                    b.addVerbatim(buf, s, pos)
                }
            case Ch.bq:
                let s = pos
                scanBackquote(inDQ: false)
                hasExp = true
                b.addVerbatim(buf, s, pos)
            case Ch.star, Ch.qmark, Ch.plus, Ch.at, Ch.bang:
                if pos + 1 < end && buf[pos + 1] == Ch.lp && !(c == Ch.bang && pos == start) {
                    // extglob pattern such as @(a|b): part of the word.
                    let s = pos
                    pos += 2
                    skipBalanced([Ch.lp])
                    b.addVerbatim(buf, s, pos)
                } else {
                    b.add(c, pos, pos + 1)
                    pos += 1
                }
            default:
                b.add(c, pos, pos + 1)
                pos += 1
            }
        }
        let raw = String(decoding: buf[start..<pos], as: UTF8.self)
        lastWordPlain = !b.slow && !quoted && !hasExp
        if !b.slow {
            return LexedWord(value: raw, raw: raw, quoted: quoted, hasExpansion: hasExp)
        }
        var w = LexedWord(value: String(decoding: b.bytes, as: UTF8.self), raw: raw, quoted: quoted, hasExpansion: hasExp)
        if b.record {
            w.valueBytes = b.bytes
            w.mapStarts = b.starts
            w.mapEnds = b.ends
        }
        return w
    }

    /// At the opening `"`: appends the value of the quoted part.
    mutating func scanDoubleQuotedValue(_ b: inout WordBuilder, _ hasExp: inout Bool) {
        pos += 1
        while pos < end {
            let c = buf[pos]
            switch c {
            case Ch.dq:
                pos += 1
                return
            case Ch.bsl:
                if pos + 1 < end {
                    let n = buf[pos + 1]
                    if n == Ch.nl {
                        pos += 2
                        continue
                    }
                    if n == Ch.dollar || n == Ch.bq || n == Ch.dq || n == Ch.bsl {
                        b.add(n, pos, pos + 2)
                        pos += 2
                        continue
                    }
                }
                b.add(c, pos, pos + 1)
                pos += 1
            case Ch.dollar:
                let s = pos
                if scanDollar(inDQ: true) { hasExp = true }
                b.addVerbatim(buf, s, pos)
            case Ch.bq:
                let s = pos
                scanBackquote(inDQ: true)
                hasExp = true
                b.addVerbatim(buf, s, pos)
            default:
                b.add(c, pos, pos + 1)
                pos += 1
            }
        }
    }

    /// After `$'`: bash ANSI-C quoting, common escapes decoded.
    mutating func scanANSIC(_ b: inout WordBuilder) {
        while pos < end {
            let c = buf[pos]
            if c == Ch.sq {
                pos += 1
                return
            }
            if c == Ch.bsl && pos + 1 < end {
                let n = buf[pos + 1]
                let d: UInt8?
                switch n {
                case 0x6E: d = Ch.nl          // \n
                case 0x74: d = Ch.tab         // \t
                case 0x72: d = Ch.cr          // \r
                case 0x61: d = 0x07           // \a
                case 0x62: d = 0x08           // \b
                case 0x65, 0x45: d = 0x1B     // \e \E
                case 0x66: d = 0x0C           // \f
                case 0x76: d = 0x0B           // \v
                case Ch.bsl, Ch.sq, Ch.dq, Ch.qmark: d = n
                default: d = nil
                }
                if let d {
                    b.add(d, pos, pos + 2)
                } else {
                    b.add(c, pos, pos + 1)
                    b.add(n, pos + 1, pos + 2)
                }
                pos += 2
                continue
            }
            b.add(c, pos, pos + 1)
            pos += 1
        }
    }

    /// At `$`: skips a parameter, arithmetic or command substitution (parsing
    /// the commands of the latter). Returns false for a literal `$`.
    mutating func scanDollar(inDQ: Bool) -> Bool {
        guard pos + 1 < end else {
            pos += 1
            return false
        }
        let n = buf[pos + 1]
        if n == Ch.lp {
            if pos + 2 < end && buf[pos + 2] == Ch.lp {
                pos += 3
                scanArithmetic()
                return true
            }
            let s = pos
            pos += 2
            parseSubstitution(openAt: s)
            return true
        }
        if n == Ch.lbrace {
            pos += 2
            scanBraceParameter(inDQ: inDQ)
            return true
        }
        if Ch.isNameStart(n) {
            pos += 2
            while pos < end && Ch.isNameChar(buf[pos]) { pos += 1 }
            return true
        }
        if Ch.isSpecialParam(n) {
            pos += 2
            return true
        }
        pos += 1
        return false
    }

    /// After `${`: to the matching `}`, parsing command substitutions inside.
    mutating func scanBraceParameter(inDQ: Bool) {
        if atLimit {
            skipBalanced([Ch.lbrace])
            return
        }
        nest += 1
        defer { nest -= 1 }
        while pos < end {
            let c = buf[pos]
            switch c {
            case Ch.rbrace:
                pos += 1
                return
            default:
                stepOverQuotingOrExpansion(inDQ: inDQ)
            }
        }
    }

    /// After `$((` or `((`: to after the matching `))`, parsing command
    /// substitutions inside (`$(( $(nproc) + 1 ))`).
    mutating func scanArithmetic() {
        if atLimit {
            skipBalanced([Ch.lp, Ch.lp])
            return
        }
        nest += 1
        defer { nest -= 1 }
        var open = 2
        while pos < end {
            let c = buf[pos]
            switch c {
            case Ch.lp:
                open += 1
                pos += 1
            case Ch.rp:
                open -= 1
                pos += 1
                if open == 0 { return }
            default:
                stepOverQuotingOrExpansion(inDQ: false)
            }
        }
    }

    /// At `"` inside `${...}`: to after the closing quote; no value is built.
    mutating func scanDoubleQuotedStructure() {
        pos += 1
        if atLimit {
            skipBalanced([Ch.dq])
            return
        }
        nest += 1
        defer { nest -= 1 }
        while pos < end {
            let c = buf[pos]
            switch c {
            case Ch.dq:
                pos += 1
                return
            default:
                stepOverQuotingOrExpansion(inDQ: true)
            }
        }
    }

    /// One step of the structure scans above (`${...}`, `$((...))`, `"..."`):
    /// an escape pair, a single-quoted string (not inside double quotes), a
    /// nested double-quoted string, a `$` expansion or a backquote; any other
    /// byte is passed over. The callers check their own terminators first.
    mutating func stepOverQuotingOrExpansion(inDQ: Bool) {
        switch buf[pos] {
        case Ch.bsl:
            pos = min(pos + 2, end)
        case Ch.sq where !inDQ:
            pos += 1
            while pos < end && buf[pos] != Ch.sq { pos += 1 }
            if pos < end { pos += 1 }
        case Ch.dq:
            scanDoubleQuotedStructure()
        case Ch.dollar:
            _ = scanDollar(inDQ: inDQ)
        case Ch.bq:
            scanBackquote(inDQ: inDQ)
        default:
            pos += 1
        }
    }

    /// Skips to the end of the constructs whose openers are on `stack`
    /// (`(`, `{` from `${`, `"`, backquote), without recursion and without
    /// parsing commands. Used for arithmetic, extglob and beyond `maxNesting`.
    mutating func skipBalanced(_ initial: [UInt8]) {
        var stack = initial
        while pos < end, let top = stack.last {
            let c = buf[pos]
            if c == Ch.bsl {
                pos = min(pos + 2, end)
                continue
            }
            if top == Ch.bq {
                if c == Ch.bq { stack.removeLast() }
                pos += 1
                continue
            }
            if top == Ch.dq {
                switch c {
                case Ch.dq: stack.removeLast()
                case Ch.bq: stack.append(Ch.bq)
                case Ch.dollar:
                    if pos + 1 < end && (buf[pos + 1] == Ch.lp || buf[pos + 1] == Ch.lbrace) {
                        stack.append(buf[pos + 1])
                        pos += 1
                    }
                default: break
                }
                pos += 1
                continue
            }
            switch c {
            case Ch.sq:
                pos += 1
                while pos < end && buf[pos] != Ch.sq { pos += 1 }
            case Ch.dq, Ch.bq:
                stack.append(c)
            case Ch.dollar:
                if pos + 1 < end && (buf[pos + 1] == Ch.lp || buf[pos + 1] == Ch.lbrace) {
                    stack.append(buf[pos + 1])
                    pos += 1
                }
            case Ch.lp:
                if top == Ch.lp { stack.append(Ch.lp) }
            case Ch.rp:
                if top == Ch.lp { stack.removeLast() }
            case Ch.rbrace:
                if top == Ch.lbrace { stack.removeLast() }
            default:
                break
            }
            pos += 1
        }
        if pos > end { pos = end }
    }

    // MARK: Here-documents

    /// Just after a newline token: skips the bodies of pending here-documents.
    mutating func readHeredocBodies() {
        for h in heredocs {
            while pos < end {
                var lineEnd = pos
                while lineEnd < end && buf[lineEnd] != Ch.nl { lineEnd += 1 }
                var a = pos
                if h.strip {
                    while a < lineEnd && buf[a] == Ch.tab { a += 1 }
                }
                var z = lineEnd
                if z > a && buf[z - 1] == Ch.cr { z -= 1 }
                let matches = z - a == h.delim.count && buf[a..<z].elementsEqual(h.delim)
                pos = lineEnd < end ? lineEnd + 1 : end
                if matches { break }
            }
        }
        heredocs.removeAll(keepingCapacity: true)
    }
}
