// BuildKit's word lexer (frontend/dockerfile/shell): quote removal, escapes,
// variable expansion and word splitting, with the same modes BuildKit uses
// (raw quotes / raw escapes / keep unset variables) so that heredoc detection
// and build-time expansion see exactly what BuildKit sees.
//
// Input is decoded to runes the way Go's text/scanner does (invalid UTF-8
// becomes U+FFFD); output is UTF-8 bytes.

public struct WordLexError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Looks a variable up by name; nil when it is not set.
public typealias VariableLookup = (String) -> [UInt8]?

public struct WordLexer {
    public var escapeToken: UInt8
    /// Keep quote characters in the output (used to find heredoc markers).
    public var rawQuotes = false
    /// Keep escape characters in the output.
    public var rawEscapes = false
    /// Leave `$x` / `${x...}` untouched when `x` is not set.
    public var skipUnsetEnv = false
    /// Only the modifiers of the BuildKit release our reference parser pins
    /// (`-`, `+`, `?`, with or without `:`); `#`, `%` and `/` are errors there.
    /// The parser uses this mode to find heredocs exactly as that release does.
    public var legacyModifiers = false

    public init(escapeToken: UInt8 = UInt8(ascii: "\\")) {
        self.escapeToken = escapeToken
    }

    public struct Result {
        public var word: [UInt8]
        public var words: [[UInt8]]
        /// Names that were looked up and found / not found.
        public var matched: Set<String>
        public var unmatched: Set<String>
    }

    /// `ProcessWord` / `ProcessWords`: expands `source` with `lookup`.
    public func process(_ source: [UInt8], lookup: VariableLookup) throws(WordLexError) -> Result {
        let runes = Self.decode(source)
        let outcome: Swift.Result<Result, ShellWord.Failure> = withoutActuallyEscaping(lookup) { lookup in
            var sw = ShellWord(lexer: self, runes: runes, lookup: lookup)
            do throws(ShellWord.Failure) {
                let (w, ws) = try sw.processStopOn(Optional<UInt32>.none, rawEscapes: rawEscapes)
                return .success(Result(word: w, words: ws, matched: sw.matched, unmatched: sw.unmatched))
            } catch {
                return .failure(error)
            }
        }
        switch outcome {
        case .success(let r): return r
        case .failure(let e):
            throw WordLexError(message: "failed to process \"\(source.utf8String)\": \(e.message)")
        }
    }

    public func process(_ source: String, lookup: VariableLookup) throws(WordLexError) -> Result {
        try process(Array(source.utf8), lookup: lookup)
    }

    static func decode(_ s: [UInt8]) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            let (r, w) = GoText.decodeRune(s, at: i)
            out.append(r)
            i += max(w, 1)
        }
        return out
    }
}

struct ShellWord {
    let lexer: WordLexer
    let runes: [UInt32]
    let lookup: VariableLookup
    var pos = 0
    var rawEscapes = false
    /// Nested `${...${...}}` levels; bounded so no input can exhaust the stack.
    var nesting = 0
    static let maxNesting = 1000
    var matched: Set<String> = []
    var unmatched: Set<String> = []

    init(lexer: WordLexer, runes: [UInt32], lookup: @escaping VariableLookup) {
        self.lexer = lexer
        self.runes = runes
        self.lookup = lookup
        self.rawEscapes = lexer.rawEscapes
    }

    static let eof: UInt32 = 0xFFFF_FFFF
    var escape: UInt32 { UInt32(lexer.escapeToken) }

    func peek() -> UInt32 { pos < runes.count ? runes[pos] : Self.eof }
    mutating func next() -> UInt32 {
        guard pos < runes.count else { return Self.eof }
        pos += 1
        return runes[pos - 1]
    }

    struct Words {
        var word: [UInt8] = []
        var words: [[UInt8]] = []
        var inWord = false

        mutating func addChar(_ ch: UInt32) {
            if GoText.isSpace(ch) {
                if inWord, !word.isEmpty {
                    words.append(word)
                    word = []
                    inWord = false
                }
            } else {
                addRawChar(ch)
            }
        }
        mutating func addRawChar(_ ch: UInt32) {
            GoText.appendRune(ch, to: &word)
            inWord = true
        }
        mutating func addString(_ s: [UInt8]) {
            var i = 0
            while i < s.count {
                let (r, w) = GoText.decodeRune(s, at: i)
                addChar(r)
                i += max(w, 1)
            }
        }
        mutating func addRawString(_ s: [UInt8]) {
            word.append(contentsOf: s)
            inWord = true
        }
        mutating func finish() -> [[UInt8]] {
            if !word.isEmpty {
                words.append(word)
                word = []
                inWord = false
            }
            return words
        }
    }

    struct Failure: Error { var message: String }

    mutating func processStopOn(_ stop: UInt32?, rawEscapes raw: Bool) throws(Failure) -> ([UInt8], [[UInt8]]) {
        nesting += 1
        defer { nesting -= 1 }
        if nesting > Self.maxNesting { throw Failure(message: "substitutions nested too deeply") }
        var result: [UInt8] = []
        var words = Words()
        let saved = rawEscapes
        rawEscapes = raw
        defer { rawEscapes = saved }

        while peek() != Self.eof {
            let ch = peek()
            if let stop, ch == stop {
                _ = next()
                return (result, words.finish())
            }
            if ch == UInt32(UInt8(ascii: "$")) {
                let tmp = try processDollar()
                result.append(contentsOf: tmp)
                words.addString(tmp)
            } else if ch == UInt32(UInt8(ascii: "'")) {
                let tmp = try processSingleQuote()
                result.append(contentsOf: tmp)
                words.addRawString(tmp)
            } else if ch == UInt32(UInt8(ascii: "\"")) {
                let tmp = try processDoubleQuote()
                result.append(contentsOf: tmp)
                words.addRawString(tmp)
            } else {
                var c = next()
                if c == escape {
                    if rawEscapes {
                        words.addRawChar(c)
                        GoText.appendRune(c, to: &result)
                    }
                    c = next()
                    if c == Self.eof { break }
                    words.addRawChar(c)
                } else {
                    words.addChar(c)
                }
                GoText.appendRune(c, to: &result)
            }
        }
        if let stop {
            var s: [UInt8] = []
            GoText.appendRune(stop, to: &s)
            throw Failure(message: "unexpected end of statement while looking for matching \(s.utf8String)")
        }
        return (result, words.finish())
    }

    mutating func processSingleQuote() throws(Failure) -> [UInt8] {
        var result: [UInt8] = []
        let open = next()
        if lexer.rawQuotes { GoText.appendRune(open, to: &result) }
        while true {
            let ch = next()
            if ch == Self.eof {
                throw Failure(message: "unexpected end of statement while looking for matching single-quote")
            }
            if ch == UInt32(UInt8(ascii: "'")) {
                if lexer.rawQuotes { GoText.appendRune(ch, to: &result) }
                return result
            }
            GoText.appendRune(ch, to: &result)
        }
    }

    mutating func processDoubleQuote() throws(Failure) -> [UInt8] {
        var result: [UInt8] = []
        let open = next()
        if lexer.rawQuotes { GoText.appendRune(open, to: &result) }
        while true {
            let p = peek()
            if p == Self.eof {
                throw Failure(message: "unexpected end of statement while looking for matching double-quote")
            }
            if p == UInt32(UInt8(ascii: "\"")) {
                let ch = next()
                if lexer.rawQuotes { GoText.appendRune(ch, to: &result) }
                return result
            }
            if p == UInt32(UInt8(ascii: "$")) {
                result.append(contentsOf: try processDollar())
                continue
            }
            var ch = next()
            if ch == escape {
                if rawEscapes { GoText.appendRune(ch, to: &result) }
                let q = peek()
                if q == Self.eof { continue }
                if q == UInt32(UInt8(ascii: "\"")) || q == UInt32(UInt8(ascii: "$")) || q == escape {
                    ch = next()
                }
            }
            GoText.appendRune(ch, to: &result)
        }
    }

    mutating func env(_ name: String) -> [UInt8]? {
        if let v = lookup(name) {
            matched.insert(name)
            return v
        }
        unmatched.insert(name)
        return nil
    }

    mutating func processDollar() throws(Failure) -> [UInt8] {
        _ = next() // $
        if peek() != UInt32(UInt8(ascii: "{")) {
            let name = processName()
            if name.isEmpty { return [UInt8(ascii: "$")] }
            let v = env(name)
            if v == nil, lexer.skipUnsetEnv { return Array("$\(name)".utf8) }
            return v ?? []
        }
        _ = next() // {
        switch peek() {
        case Self.eof:
            throw Failure(message: "syntax error: missing '}'")
        case UInt32(UInt8(ascii: "{")), UInt32(UInt8(ascii: "}")), UInt32(UInt8(ascii: ":")):
            throw Failure(message: "syntax error: bad substitution")
        default: break
        }
        let name = processName()
        var ch = next()
        var chs: [UInt8] = []
        if ch != Self.eof { GoText.appendRune(ch, to: &chs) }
        var nullIsUnset = false

        switch ch {
        case UInt32(UInt8(ascii: "}")):
            let v = env(name)
            if v == nil, lexer.skipUnsetEnv { return Array("${\(name)}".utf8) }
            return v ?? []
        case UInt32(UInt8(ascii: ":")), UInt32(UInt8(ascii: "+")), UInt32(UInt8(ascii: "-")),
             UInt32(UInt8(ascii: "?")), UInt32(UInt8(ascii: "#")), UInt32(UInt8(ascii: "%")):
            if ch == UInt32(UInt8(ascii: ":")) {
                nullIsUnset = true
                ch = next()
                if ch != Self.eof { GoText.appendRune(ch, to: &chs) }
            }
            let patternMode = !lexer.legacyModifiers && (ch == UInt32(UInt8(ascii: "#")) || ch == UInt32(UInt8(ascii: "%")))
            if lexer.legacyModifiers && !nullIsUnset && !(ch == UInt32(UInt8(ascii: "+")) || ch == UInt32(UInt8(ascii: "-")) || ch == UInt32(UInt8(ascii: "?"))) {
                throw Failure(message: "unsupported modifier (\(chs.utf8String)) in substitution")
            }
            if nullIsUnset && patternMode {
                throw Failure(message: "unsupported modifier (\(chs.utf8String)) in substitution")
            }
            let word: [UInt8]
            do throws(Failure) {
                word = try processStopOn(UInt32(UInt8(ascii: "}")), rawEscapes: lexer.legacyModifiers ? rawEscapes : patternMode).0
            } catch {
                if peek() == Self.eof { throw Failure(message: "syntax error: missing '}'") }
                throw error
            }
            let value = env(name)
            if lexer.skipUnsetEnv, value == nil {
                return Array("${\(name)".utf8) + chs + word + [UInt8(ascii: "}")]
            }
            let set = value != nil
            let v = value ?? []
            switch ch {
            case UInt32(UInt8(ascii: "-")):
                if !set || (nullIsUnset && v.isEmpty) { return word }
                return v
            case UInt32(UInt8(ascii: "+")):
                if !set || (nullIsUnset && v.isEmpty) { return [] }
                return word
            case UInt32(UInt8(ascii: "?")):
                if !set {
                    throw Failure(message: "\(name): \(word.isEmpty ? "is not allowed to be unset" : word.utf8String)")
                }
                if nullIsUnset && v.isEmpty {
                    throw Failure(message: "\(name): \(word.isEmpty ? "is not allowed to be empty" : word.utf8String)")
                }
                return v
            case UInt32(UInt8(ascii: "%")) where !lexer.legacyModifiers, UInt32(UInt8(ascii: "#")) where !lexer.legacyModifiers:
                var pattern = word
                var greedy = false
                if let f = pattern.first, UInt32(f) == ch {
                    greedy = true
                    pattern.removeFirst()
                }
                do throws(ShellPattern.PatternError) {
                    if ch == UInt32(UInt8(ascii: "%")) {
                        return try ShellPattern.trimSuffix(pattern: pattern, value: v, greedy: greedy)
                    }
                    return try ShellPattern.trimPrefix(pattern: pattern, value: v, greedy: greedy)
                } catch {
                    throw Failure(message: "invalid pattern (\(pattern.utf8String)) in substitution: \(error.message)")
                }
            default:
                throw Failure(message: "unsupported modifier (\(chs.utf8String)) in substitution")
            }
        case UInt32(UInt8(ascii: "/")) where !lexer.legacyModifiers:
            let replaceAll = peek() == UInt32(UInt8(ascii: "/"))
            if replaceAll { _ = next() }
            let pattern: [UInt8]
            do throws(Failure) {
                pattern = try processStopOn(UInt32(UInt8(ascii: "/")), rawEscapes: true).0
            } catch {
                if peek() == Self.eof { throw Failure(message: "syntax error: missing '/' in ${}") }
                throw error
            }
            let replacement: [UInt8]
            do throws(Failure) {
                replacement = try processStopOn(UInt32(UInt8(ascii: "}")), rawEscapes: true).0
            } catch {
                if peek() == Self.eof { throw Failure(message: "syntax error: missing '}'") }
                throw error
            }
            let value = env(name)
            if lexer.skipUnsetEnv, value == nil {
                return Array("${\(name)/".utf8) + pattern + [UInt8(ascii: "/")] + replacement + [UInt8(ascii: "}")]
            }
            do throws(ShellPattern.PatternError) {
                return try ShellPattern.replace(pattern: pattern, in: value ?? [], with: replacement, all: replaceAll)
            } catch {
                throw Failure(message: "invalid pattern (\(pattern.utf8String)) in substitution: \(error.message)")
            }
        default:
            throw Failure(message: "unsupported modifier (\(chs.utf8String)) in substitution")
        }
    }

    mutating func processName() -> String {
        var name: [UInt8] = []
        while peek() != Self.eof {
            let ch = peek()
            if name.isEmpty && GoText.isDigit(ch) {
                while peek() != Self.eof && GoText.isDigit(peek()) {
                    GoText.appendRune(next(), to: &name)
                }
                return name.utf8String
            }
            if name.isEmpty && Self.isSpecialParam(ch) {
                GoText.appendRune(next(), to: &name)
                return name.utf8String
            }
            if !GoText.isLetter(ch) && !GoText.isDigit(ch) && ch != UInt32(UInt8(ascii: "_")) { break }
            GoText.appendRune(next(), to: &name)
        }
        return name.utf8String
    }

    static func isSpecialParam(_ c: UInt32) -> Bool {
        switch c {
        case 0x40, 0x2A, 0x23, 0x3F, 0x2D, 0x24, 0x21, 0x30: return true // @ * # ? - $ ! 0
        default: return false
        }
    }
}

extension ShellWord.Failure {
    init(_ e: ShellPattern.PatternError) { self.message = e.message }
}

/// `${v#p}`, `${v%p}` and `${v/p/r}` patterns: `*`, `?`, `\` escapes and
/// literals, matched with the same preferences as the Go regular expression
/// BuildKit builds from them (`.` and `.*` do not match a newline).
enum ShellPattern {
    struct PatternError: Error { var message: String }

    enum Token: Equatable {
        case literal(UInt32)
        case any        // ?
        case star       // *
    }

    /// Matching recurses once per token: longer patterns are refused.
    static let maxTokens = 1000

    static func compile(_ pattern: [UInt32]) throws(PatternError) -> [Token] {
        if pattern.count > maxTokens * 2 { throw PatternError(message: "pattern too long") }
        var out: [Token] = []
        var i = 0
        while i < pattern.count {
            let c = pattern[i]
            i += 1
            switch c {
            case UInt32(UInt8(ascii: "*")): out.append(.star)
            case UInt32(UInt8(ascii: "?")): out.append(.any)
            case UInt32(UInt8(ascii: "\\")):
                let n: UInt32? = i < pattern.count ? pattern[i] : nil
                if n == UInt32(UInt8(ascii: "}")) || n == UInt32(UInt8(ascii: "/")) { continue }
                i += 1
                guard let n, n == UInt32(UInt8(ascii: "*")) || n == UInt32(UInt8(ascii: "?")) || n == UInt32(UInt8(ascii: "\\")) else {
                    var s: [UInt8] = []
                    if let n { GoText.appendRune(n, to: &s) }
                    throw PatternError(message: "invalid escape '\\\(s.utf8String)'")
                }
                out.append(.literal(n))
            default:
                out.append(.literal(c))
            }
        }
        if out.count > maxTokens { throw PatternError(message: "pattern too long") }
        return out
    }

    /// The end of the preferred match of `tokens` starting at `start`, or nil.
    /// Leftmost-first preference: a greedy star tries the longest run first.
    static func matchEnd(_ tokens: [Token], _ value: [UInt32], from start: Int, greedy: Bool) -> Int? {
        // Memoised depth-first search; `failed` records (token, position) pairs that cannot match.
        var failed = Set<Int>()
        let width = value.count + 1
        func go(_ t: Int, _ p: Int) -> Int? {
            if t == tokens.count { return p }
            let key = t * width + p
            if failed.contains(key) { return nil }
            var r: Int?
            switch tokens[t] {
            case .literal(let c):
                if p < value.count, value[p] == c { r = go(t + 1, p + 1) }
            case .any:
                if p < value.count, value[p] != 0x0A { r = go(t + 1, p + 1) }
            case .star:
                var limit = p
                while limit < value.count, value[limit] != 0x0A { limit += 1 }
                if greedy {
                    var q = limit
                    while q >= p {
                        if let e = go(t + 1, q) { r = e; break }
                        q -= 1
                    }
                } else {
                    for q in p...limit {
                        if let e = go(t + 1, q) { r = e; break }
                    }
                }
            }
            if r == nil { failed.insert(key) }
            return r
        }
        return go(0, start)
    }

    static func runes(_ b: [UInt8]) -> [UInt32] { WordLexer.decode(b) }
    static func bytes(_ r: some Sequence<UInt32>) -> [UInt8] {
        var out: [UInt8] = []
        for c in r { GoText.appendRune(c, to: &out) }
        return out
    }

    static func trimPrefix(pattern: [UInt8], value: [UInt8], greedy: Bool) throws(PatternError) -> [UInt8] {
        let tokens = try compile(runes(pattern))
        let v = runes(value)
        guard let e = matchEnd(tokens, v, from: 0, greedy: greedy) else { return value }
        return bytes(v[e...])
    }

    /// Reverses a pattern keeping `\x` escape pairs in order (`a\*c` -> `c\*a`).
    static func reversePattern(_ p: [UInt32]) -> [UInt32] {
        var out = [UInt32](repeating: 0, count: p.count)
        let last = p.count - 1
        var i = 0
        while i <= last {
            let tok = p[i]
            let o = last - i
            if tok == UInt32(UInt8(ascii: "\\")) && i != last {
                out[o - 1] = tok
                out[o] = p[i + 1]
                i += 2
            } else {
                out[o] = tok
                i += 1
            }
        }
        return out
    }

    static func trimSuffix(pattern: [UInt8], value: [UInt8], greedy: Bool) throws(PatternError) -> [UInt8] {
        let tokens = try compile(reversePattern(runes(pattern)))
        let v = Array(runes(value).reversed())
        guard let e = matchEnd(tokens, v, from: 0, greedy: greedy) else { return value }
        return bytes(v[e...].reversed())
    }

    static func replace(pattern: [UInt8], in value: [UInt8], with replacement: [UInt8], all: Bool) throws(PatternError) -> [UInt8] {
        let tokens = try compile(runes(pattern))
        let v = runes(value)
        var out: [UInt32] = []
        var i = 0
        var lastMatchEnd = -1
        let rep = runes(replacement)
        while i <= v.count {
            if let e = matchEnd(tokens, v, from: i, greedy: true) {
                // Go ignores an empty match right after a previous match.
                if e == i && i == lastMatchEnd {
                    if i < v.count { out.append(v[i]) }
                    i += 1
                    continue
                }
                out.append(contentsOf: rep)
                lastMatchEnd = e
                if !all {
                    out.append(contentsOf: v[e...])
                    return bytes(out)
                }
                if e == i {
                    if i < v.count { out.append(v[i]) }
                    i += 1
                } else {
                    i = e
                }
            } else {
                if i < v.count { out.append(v[i]) }
                i += 1
            }
        }
        return bytes(out)
    }
}
