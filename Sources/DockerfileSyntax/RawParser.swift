// Layer 1: BuildKit's `parser.Parse`, reproduced byte for byte.
//
// Physical lines are assembled into logical instructions (directives, escape
// character, continuations, comments and blank lines inside continuations,
// heredoc bodies), each logical line is split into keyword, flags and
// arguments, and the arguments are parsed per instruction exactly as
// BuildKit's line parsers do. Unlike BuildKit, a problem does not stop the
// parse: it becomes a diagnostic and parsing goes on with the next line.
//
// Every value keeps the byte span it came from, mapped back through the
// continuation joins, so later layers can point at a word on any line.

/// A string value of a raw node with the source span it was read from.
public struct RawValue: Sendable, Hashable {
    public var bytes: [UInt8]
    public var span: Span
    /// Set when `bytes` is a slice of the joined line that crosses line
    /// continuations: where each joined piece starts in the source.
    public var offsets: OffsetMap?
    public var text: String { bytes.utf8String }

    public init(bytes: [UInt8], span: Span, offsets: OffsetMap? = nil) {
        self.bytes = bytes
        self.span = span
        self.offsets = offsets
    }
}

/// Maps byte offsets inside a value joined from several physical lines back
/// to file offsets: piece `i` starts at value offset `valueStarts[i]` and at
/// file offset `sourceStarts[i]`.
public struct OffsetMap: Sendable, Hashable {
    public var valueStarts: [Int]
    public var sourceStarts: [Int]

    public func sourceOffset(_ k: Int) -> Int {
        var lo = 0, hi = valueStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if valueStarts[mid] <= k { lo = mid } else { hi = mid - 1 }
        }
        return sourceStarts[lo] + (k - valueStarts[lo])
    }
}

public struct RawHeredoc: Sendable, Hashable {
    /// Delimiter word with quotes removed (`EOF` for `<<'EOF'`).
    public var name: [UInt8]
    public var fileDescriptor: UInt64
    /// `<<-`: leading tabs are stripped from the body at build time.
    public var chomp: Bool
    /// False when any part of the delimiter was quoted.
    public var expand: Bool
    /// Body as read, every line with its terminator.
    public var content: [UInt8]
    /// The `<<EOF` word in the instruction line.
    public var markerSpan: Span
    /// The body lines (empty span at the body start when the body is empty).
    public var bodySpan: Span
    /// The terminator line, nil when the heredoc is unterminated.
    public var terminatorSpan: Span?
    /// 1-based physical line of the first body line.
    public var bodyStartLine: Int
}

/// One instruction as BuildKit's parser sees it (`parser.Node`).
public struct RawNode: Sendable, Hashable {
    /// The keyword as written (`rUn`).
    public var keyword: [UInt8]
    public var keywordSpan: Span
    public var flags: [RawValue]
    public var values: [RawValue]
    /// For ENV/LABEL: true when written `KEY value` (legacy), false for `k=v`.
    public var legacyNameValue: Bool = false
    public var json: Bool
    /// The instruction ONBUILD wraps (zero or one element).
    public var sub: [RawNode]
    public var heredocs: [RawHeredoc]
    public var startLine: Int
    public var endLine: Int
    /// From the keyword to the end of the last line of the instruction (heredoc terminators included).
    public var span: Span
    /// The arguments after the flags.
    public var argsSpan: Span
    /// BuildKit's `Original`: the joined line, then the raw heredoc lines.
    public var original: [UInt8]
    /// Comment lines directly above the instruction.
    public var comments: [String]
    /// Every physical line that held part of the instruction text (not heredoc bodies),
    /// with the byte range of its content.
    public var lineSpans: [Span]

    public var keywordText: String { keyword.utf8String }
    /// Lower-cased keyword (BuildKit dispatches on `strings.ToLower`).
    public var command: String { keyword.utf8String.lowercased() }
}

public struct ParserDirective: Sendable, Hashable {
    public var name: String      // lower-cased key
    public var value: String
    public var span: Span
}

public struct RawParseResult: Sendable {
    public var source: SourceFile
    public var nodes: [RawNode]
    public var directives: [ParserDirective]
    public var escapeToken: UInt8
    public var diagnostics: [Diagnostic]

    /// The first problem that makes BuildKit's parser reject the file, if any.
    public var buildKitError: Diagnostic? { diagnostics.first { $0.fatalInBuildKit } }
}

/// A logical line: bytes joined from pieces of physical lines, with a map back.
struct LogicalLine {
    var bytes: [UInt8] = []
    /// (logical offset, source offset) at the start of each piece.
    var pieces: [(Int, Int)] = []

    mutating func append(_ src: [UInt8], _ range: Range<Int>) {
        if range.isEmpty { return }
        pieces.append((bytes.count, range.lowerBound))
        bytes.append(contentsOf: src[range])
    }

    func sourceOffset(_ logical: Int) -> Int {
        guard !pieces.isEmpty else { return 0 }
        var lo = 0, hi = pieces.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if pieces[mid].0 <= logical { lo = mid } else { hi = mid - 1 }
        }
        return pieces[lo].1 + (logical - pieces[lo].0)
    }

    /// The offset map of a slice that crosses pieces, nil when it is contiguous.
    func offsetMap(_ r: Range<Int>) -> OffsetMap? {
        guard pieces.count > 1, !r.isEmpty else { return nil }
        var vs: [Int] = [], ss: [Int] = []
        for (k, p) in pieces.enumerated() {
            let pEnd = k + 1 < pieces.count ? pieces[k + 1].0 : bytes.count
            if pEnd <= r.lowerBound || p.0 >= r.upperBound { continue }
            let from = max(p.0, r.lowerBound)
            vs.append(from - r.lowerBound)
            ss.append(p.1 + (from - p.0))
        }
        return vs.count > 1 ? OffsetMap(valueStarts: vs, sourceStarts: ss) : nil
    }

    /// Maps a logical half-open range to a source span (an end maps through its last byte).
    func sourceSpan(_ r: Range<Int>) -> Span {
        if r.isEmpty { let s = sourceOffset(r.lowerBound); return Span(s, s) }
        return Span(sourceOffset(r.lowerBound), sourceOffset(r.upperBound - 1) + 1)
    }
}

public struct RawParser {
    public static let maxLineLength = 65535

    let src: [UInt8]
    var pos = 0
    var currentLine = 0
    var escape: UInt8 = UInt8(ascii: "\\")
    var directivesDone = false
    var directivesSeen: Set<String> = []
    var directives: [ParserDirective] = []
    var diagnostics: [Diagnostic] = []
    var scannerFailed = false
    var nodes: [RawNode] = []

    init(_ src: [UInt8]) { self.src = src }

    public static func parse(_ file: SourceFile) -> RawParseResult {
        var p = RawParser(file.bytes)
        p.run()
        return RawParseResult(source: file, nodes: p.nodes, directives: p.directives,
                              escapeToken: p.escape, diagnostics: p.diagnostics)
    }

    // MARK: scanning

    /// The next physical line as (start, end-including-newline), or nil at EOF
    /// or when a line is longer than bufio.Scanner allows.
    mutating func nextLine() -> (Int, Int)? {
        guard !scannerFailed, pos < src.count else { return nil }
        let start = pos
        var e = start
        let limit = min(src.count, start + Self.maxLineLength + 1)
        while e < limit, src[e] != 0x0A { e += 1 }
        if e < src.count, src[e] == 0x0A {
            pos = e + 1
            return (start, e + 1)
        }
        if e == src.count {
            pos = e
            return (start, e)
        }
        // No newline within the limit: bufio.ErrTooLong.
        scannerFailed = true
        let line = currentLine + 1
        diagnostics.append(Diagnostic(.lineTooLong,
            "dockerfile line greater than max allowed size of \(Self.maxLineLength)",
            span: Span(start, min(src.count, start + Self.maxLineLength + 1))))
        _ = line
        return nil
    }

    /// End of `start..<end` after `bytes.TrimRight(_, "\r\n")`.
    func trimNewline(_ start: Int, _ end: Int) -> Int {
        var e = end
        while e > start, src[e - 1] == 0x0A || src[e - 1] == 0x0D { e -= 1 }
        return e
    }

    func isComment(_ start: Int, _ end: Int) -> Bool {
        let i = GoText.skipSpace(src, from: start, to: end)
        return i < end && src[i] == UInt8(ascii: "#")
    }

    /// BuildKit's continuation regex `([^E])E[ \t]*$|^E[ \t]*$`: returns the
    /// end of the kept text and whether the line continues.
    func trimContinuation(_ start: Int, _ end: Int) -> (Int, Bool) {
        var e = end
        while e > start, src[e - 1] == 0x20 || src[e - 1] == 0x09 { e -= 1 }
        guard e > start, src[e - 1] == escape else { return (end, false) }
        if e - 1 == start { return (start, true) }
        if src[e - 2] != escape { return (e - 1, true) }
        return (end, false)
    }

    // MARK: directives

    static func isGoSpaceClass(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0C || b == 0x0D
    }

    /// `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` on `src[start..<end]`.
    func matchDirective(_ start: Int, _ end: Int) -> (key: Range<Int>, value: Range<Int>)? {
        var i = start
        guard i < end, src[i] == UInt8(ascii: "#") else { return nil }
        i += 1
        while i < end, Self.isGoSpaceClass(src[i]) { i += 1 }
        func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
        guard i < end, isAlpha(src[i]) else { return nil }
        let ks = i
        while i < end, isAlpha(src[i]) || (src[i] >= 0x30 && src[i] <= 0x39) { i += 1 }
        let ke = i
        while i < end, Self.isGoSpaceClass(src[i]) { i += 1 }
        guard i < end, src[i] == UInt8(ascii: "=") else { return nil }
        i += 1
        // `.` does not match a newline; there is none left after trimNewline
        // unless a stray one sits in the middle, which cannot happen here.
        guard i < end else { return nil }
        var ve = end
        while ve > i, Self.isGoSpaceClass(src[ve - 1]) { ve -= 1 }
        var vs = i
        while vs < ve, Self.isGoSpaceClass(src[vs]) { vs += 1 }
        if vs == ve {
            // Only white space after `=`: `\s*` gives back one character for `.+?`.
            return (ks..<ke, (end - 1)..<end)
        }
        return (ks..<ke, vs..<ve)
    }

    /// `possibleParserDirective`: returns true when the line was a directive.
    mutating func possibleDirective(_ start: Int, _ end: Int) -> Bool {
        if directivesDone { return false }
        guard let m = matchDirective(start, end) else {
            directivesDone = true
            return false
        }
        let key = src[m.key].utf8String.lowercased()
        // The pinned reference parser knows `syntax` and `escape`; a `check`
        // line is recorded for the rule engine but, like any other key,
        // ends directive scanning.
        guard key == "syntax" || key == "escape" else {
            if key == "check" {
                directives.append(ParserDirective(name: key, value: src[m.value].utf8String, span: Span(start, end)))
            }
            directivesDone = true
            return false
        }
        if directivesSeen.contains(key) {
            diagnostics.append(Diagnostic(.duplicateDirective, "only one \(key) parser directive can be used", span: Span(start, end)))
            return true
        }
        directivesSeen.insert(key)
        let value = Array(src[m.value])
        if key == "escape" {
            if value == [UInt8(ascii: "`")] || value == [UInt8(ascii: "\\")] {
                escape = value[0]
            } else {
                diagnostics.append(Diagnostic(.invalidEscapeToken,
                    "invalid escape token '\(value.utf8String)' does not match ` or \\", span: Span(m.value.lowerBound, m.value.upperBound)))
                return false
            }
        }
        directives.append(ParserDirective(name: key, value: value.utf8String, span: Span(start, end)))
        return true
    }

    // MARK: main loop

    mutating func run() {
        var comments: [String] = []
        while let (ls, le) = nextLine() {
            var s = ls
            if currentLine == 0, le - ls >= 3, src[ls] == 0xEF, src[ls + 1] == 0xBB, src[ls + 2] == 0xBF {
                s += 3
            }
            let contentEnd = trimNewline(s, le)
            let comment = isComment(s, le)
            if comment {
                let c = GoText.skipSpace(src, from: s, to: le) + 1
                let r = GoText.trimSpace(src, from: c, to: le)
                let text = src[r].utf8String
                if text.isEmpty { comments = [] } else { comments.append(text) }
            }
            let tokStart = GoText.skipSpace(src, from: s, to: contentEnd)
            let isDirective = possibleDirective(tokStart, contentEnd)
            if isDirective, !comments.isEmpty { comments.removeLast() }
            currentLine += 1
            let startLine = currentLine
            if comment { continue }
            var (keep, continues) = trimContinuation(tokStart, contentEnd)
            if !continues && keep == tokStart { continue }

            var line = LogicalLine()
            line.append(src, tokStart..<keep)
            var lineSpans = [Span(tokStart, contentEnd)]
            var emptyContinuationLines: [Int] = []
            var lastLineEnd = contentEnd
            while continues, let (cs, ce) = nextLine() {
                let cEnd = trimNewline(cs, ce)
                _ = possibleDirective(cs, cEnd)
                currentLine += 1
                if isComment(cs, ce) { continue }
                if GoText.skipSpace(src, from: cs, to: cEnd) == cEnd {
                    emptyContinuationLines.append(currentLine)
                    continue
                }
                (keep, continues) = trimContinuation(cs, cEnd)
                line.append(src, cs..<keep)
                lineSpans.append(Span(cs, cEnd))
                lastLineEnd = cEnd
            }
            for l in emptyContinuationLines {
                let off = lineStartOffset(l)
                diagnostics.append(Diagnostic(.emptyContinuationLine,
                    "empty continuation line \(l) inside an instruction; BuildKit will make this an error",
                    span: Span(off, off)))
            }

            let startOffset = tokStart
            var node = newNode(line, 0..<line.bytes.count, comments: comments)
            node.lineSpans = lineSpans
            node.startLine = startLine
            var spanEnd = lastLineEnd

            if canContainHeredoc(node), Self.containsHeredocMarker(line.bytes) {
                let bodyStart = pos
                var docs = heredocsFromLine(line, nodeSpan: Span(startOffset, lastLineEnd))
                for k in docs.indices {
                    let bStart = pos
                    docs[k].bodyStartLine = currentLine + 1
                    var terminated = false
                    var content: [UInt8] = []
                    while let (hs, he) = nextLine() {
                        currentLine += 1
                        var t = hs
                        let tEnd = trimNewline(hs, he)
                        if docs[k].chomp { while t < tEnd, src[t] == 0x09 { t += 1 } }
                        if tEnd - t == docs[k].name.count, src[t..<tEnd].elementsEqual(docs[k].name) {
                            terminated = true
                            docs[k].bodySpan = Span(bStart, hs)
                            docs[k].terminatorSpan = Span(hs, tEnd)
                            spanEnd = tEnd
                            break
                        }
                        content.append(contentsOf: src[hs..<he])
                    }
                    docs[k].content = content
                    if !terminated {
                        docs[k].bodySpan = Span(bStart, pos)
                        spanEnd = max(spanEnd, trimNewline(bStart, pos))
                        diagnostics.append(Diagnostic(.unterminatedHeredoc,
                            "heredoc \(docs[k].name.utf8String) is never terminated",
                            span: docs[k].markerSpan, buildKitMessage: "unterminated heredoc"))
                        node.heredocs.append(docs[k])
                        break
                    }
                    node.heredocs.append(docs[k])
                }
                if pos > bodyStart {
                    node.original.append(0x0A)
                    node.original.append(contentsOf: src[bodyStart..<pos])
                }
            }
            node.endLine = currentLine
            node.span = Span(node.keywordSpan.start, max(spanEnd, node.keywordSpan.end))
            nodes.append(node)
            comments = []
        }
        if nodes.isEmpty {
            diagnostics.append(Diagnostic(.noInstructions, "file with no instructions", span: Span(src.count, src.count)))
        }
    }

    func lineStartOffset(_ line: Int) -> Int {
        // Walk from the start; only used for rare warnings.
        var l = 1, i = 0
        while l < line, i < src.count {
            if src[i] == 0x0A { l += 1 }
            i += 1
        }
        return i
    }

    // MARK: splitCommand / newNodeFromLine

    mutating func newNode(_ line: LogicalLine, _ range: Range<Int>, comments: [String], depth: Int = 0) -> RawNode {
        let b = line.bytes
        let t = GoText.trimSpace(b, from: range.lowerBound, to: range.upperBound)
        var k = t.lowerBound
        while k < t.upperBound, !GoText.isReWhitespace(b[k]) { k += 1 }
        let keyword = Array(b[t.lowerBound..<k])
        var restStart = k
        while restStart < t.upperBound, GoText.isReWhitespace(b[restStart]) { restStart += 1 }
        let keywordSpan = line.sourceSpan(t.lowerBound..<k)

        var flags: [RawValue] = []
        var args = t.upperBound..<t.upperBound
        if k < t.upperBound {
            let (rest, fl) = extractBuilderFlags(b, restStart..<t.upperBound)
            flags = fl.map { RawValue(bytes: $0.0, span: line.sourceSpan($0.1)) }
            args = GoText.trimSpace(b, from: rest.lowerBound, to: rest.upperBound)
        }
        var node = RawNode(keyword: keyword, keywordSpan: keywordSpan, flags: flags, values: [], json: false, sub: [],
                           heredocs: [], startLine: 0, endLine: 0, span: keywordSpan,
                           argsSpan: line.sourceSpan(args), original: Array(b[range]), comments: comments, lineSpans: [])
        if keyword.isEmpty {
            diagnostics.append(Diagnostic(.emptyInstruction, "line continuation with no instruction",
                                          span: line.sourceSpan(range), buildKitMessage: "'NoneType' object has no attribute 'upper'"))
        }
        dispatch(&node, line, args, depth: depth)
        return node
    }

    /// `extractBuilderFlags`: leading `--words`, quotes removed, `\` escapes the
    /// next byte. BuildKit walks bytes and appends `rune(byte)`, so a byte
    /// >= 0x80 is re-encoded as the Latin-1 character of that value.
    func extractBuilderFlags(_ b: [UInt8], _ r: Range<Int>) -> (Range<Int>, [([UInt8], Range<Int>)]) {
        enum Phase { case spaces, word, quote }
        var words: [([UInt8], Range<Int>)] = []
        var phase = Phase.spaces
        var word: [UInt8] = []
        var wordStart = r.lowerBound
        var quote: UInt8 = 0
        var blankOK = false
        let end = r.upperBound
        var p = r.lowerBound
        func add(_ c: UInt8, _ w: inout [UInt8]) {
            if c < 0x80 { w.append(c) } else { GoText.appendRune(UInt32(c), to: &w) }
        }
        while p <= end {
            let ch: UInt8 = p < end ? b[p] : 0
            if phase == .spaces {
                if p == end { break }
                if GoText.isSpaceByte(ch) { p += 1; continue }
                if ch != UInt8(ascii: "-") || p + 1 == end || b[p + 1] != UInt8(ascii: "-") {
                    return (p..<end, words)
                }
                phase = .word
                wordStart = p
            }
            if p == end {
                if word != [0x2D, 0x2D], blankOK || !word.isEmpty { words.append((word, wordStart..<end)) }
                break
            }
            if phase == .word {
                if GoText.isSpaceByte(ch) {
                    phase = .spaces
                    if word == [0x2D, 0x2D] { return (p..<end, words) }
                    if blankOK || !word.isEmpty { words.append((word, wordStart..<p)) }
                    word = []
                    blankOK = false
                    p += 1
                    continue
                }
                if ch == UInt8(ascii: "'") || ch == UInt8(ascii: "\"") {
                    quote = ch
                    blankOK = true
                    phase = .quote
                    p += 1
                    continue
                }
                var c = ch
                if c == UInt8(ascii: "\\") {
                    if p + 1 == end { p += 1; continue }
                    p += 1
                    c = b[p]
                }
                add(c, &word)
                p += 1
                continue
            }
            // quote
            if ch == quote { phase = .word; p += 1; continue }
            var c = ch
            if c == UInt8(ascii: "\\") {
                if p + 1 == end { phase = .word; p += 1; continue }
                p += 1
                c = b[p]
            }
            add(c, &word)
            p += 1
        }
        return (end..<end, words)
    }

    // MARK: dispatch

    mutating func dispatch(_ node: inout RawNode, _ line: LogicalLine, _ args: Range<Int>, depth: Int = 0) {
        let b = line.bytes
        let value: (Range<Int>) -> RawValue = { RawValue(bytes: Array(b[$0]), span: line.sourceSpan($0), offsets: line.offsetMap($0)) }
        switch node.command {
        case "add", "copy", "volume":
            // parseMaybeJSONToList
            switch ExecFormJSON.parse(b, args) {
            case .strings(let els):
                node.json = true
                node.values = els.map { RawValue(bytes: $0.value, span: line.sourceSpan($0.span.start..<$0.span.end)) }
            case .notAllStrings:
                jsonError(line, args)
            case .notJSON:
                node.values = whitespaceFields(b, args).map(value)
            }
        case "arg":
            node.values = parseWords(b, args).map { RawValue(bytes: $0.0, span: line.sourceSpan($0.1)) }
        case "cmd", "entrypoint", "run", "shell":
            parseMaybeJSON(&node, line, args)
        case "env", "label":
            parseNameVal(&node, line, args, key: node.command == "env" ? "ENV" : "LABEL")
        case "expose", "from":
            node.values = whitespaceFields(b, args).map(value)
        case "healthcheck":
            // parseHealthConfig: the type word, then maybe-JSON; byte-wise spaces.
            var sep = args.lowerBound
            while sep < args.upperBound, !GoText.isSpaceByte(b[sep]) { sep += 1 }
            var next = sep
            while next < args.upperBound, GoText.isSpaceByte(b[next]) { next += 1 }
            if sep == args.lowerBound { return }
            node.values = [value(args.lowerBound..<sep)]
            var inner = node
            inner.values = []
            parseMaybeJSON(&inner, line, next..<args.upperBound)
            node.values += inner.values
            node.json = inner.json
        case "maintainer", "stopsignal", "user", "workdir":
            if !args.isEmpty { node.values = [value(args)] }
        case "onbuild":
            if args.isEmpty { return }
            if depth == 0 {
                node.sub = [newNode(line, args, comments: [], depth: 1)]
                return
            }
            // `ONBUILD ONBUILD ...`: BuildKit nests without limit; keep one level
            // (its value is the empty holder node, as BuildKit's) and walk the
            // rest of the chain without recursion, for its errors only.
            node.values = [RawValue(bytes: [], span: line.sourceSpan(args.lowerBound..<args.lowerBound))]
            var rest = args
            while true {
                let t = GoText.trimSpace(b, from: rest.lowerBound, to: rest.upperBound)
                var k = t.lowerBound
                while k < t.upperBound, !GoText.isReWhitespace(b[k]) { k += 1 }
                var r = k
                while r < t.upperBound, GoText.isReWhitespace(b[r]) { r += 1 }
                var inner = t.upperBound..<t.upperBound
                if k < t.upperBound {
                    let (fr, _) = extractBuilderFlags(b, r..<t.upperBound)
                    inner = GoText.trimSpace(b, from: fr.lowerBound, to: fr.upperBound)
                }
                if Array(b[t.lowerBound..<k]).utf8String.lowercased() == "onbuild" {
                    if inner.isEmpty { return }
                    rest = inner
                    continue
                }
                var scratch = node
                scratch.keyword = Array(b[t.lowerBound..<k])
                dispatch(&scratch, line, inner, depth: 1)
                return
            }
        default:
            // parseIgnore: one empty value.
            node.values = [RawValue(bytes: [], span: line.sourceSpan(args.lowerBound..<args.lowerBound))]
        }
    }

    mutating func jsonError(_ line: LogicalLine, _ args: Range<Int>) {
        diagnostics.append(Diagnostic(.jsonNotStrings, "when using JSON array syntax, arrays must be comprised of strings only",
                                      span: line.sourceSpan(args)))
    }

    mutating func parseMaybeJSON(_ node: inout RawNode, _ line: LogicalLine, _ args: Range<Int>) {
        if args.isEmpty { return }
        let b = line.bytes
        let start = GoText.skipSpace(b, from: args.lowerBound, to: args.upperBound)
        switch ExecFormJSON.parse(b, start..<args.upperBound) {
        case .strings(let els):
            node.json = true
            node.values = els.map { RawValue(bytes: $0.value, span: line.sourceSpan($0.span.start..<$0.span.end)) }
        case .notAllStrings:
            jsonError(line, args)
            // Recover as shell form so later layers still see the text.
            node.values = [RawValue(bytes: Array(b[args]), span: line.sourceSpan(args), offsets: line.offsetMap(args))]
        case .notJSON:
            node.values = [RawValue(bytes: Array(b[args]), span: line.sourceSpan(args), offsets: line.offsetMap(args))]
        }
    }

    /// `reWhitespace.Split(rest, -1)` on a trimmed range.
    func whitespaceFields(_ b: [UInt8], _ r: Range<Int>) -> [Range<Int>] {
        if r.isEmpty { return [] }
        var out: [Range<Int>] = []
        var i = r.lowerBound
        var start = i
        while i < r.upperBound {
            if GoText.isReWhitespace(b[i]) {
                out.append(start..<i)
                while i < r.upperBound, GoText.isReWhitespace(b[i]) { i += 1 }
                start = i
            } else {
                i += 1
            }
        }
        out.append(start..<r.upperBound)
        return out
    }

    /// `parseWords`: shell-like words, quotes and escapes kept, split on `unicode.IsSpace`.
    func parseWords(_ b: [UInt8], _ r: Range<Int>) -> [([UInt8], Range<Int>)] {
        enum Phase { case spaces, word, quote }
        var words: [([UInt8], Range<Int>)] = []
        var phase = Phase.spaces
        var word: [UInt8] = []
        var wordStart = r.lowerBound
        var quote: UInt32 = 0
        var blankOK = false
        let end = r.upperBound
        let esc = UInt32(escape)
        var p = r.lowerBound
        var ch: UInt32 = 0
        var w = 0
        while p <= end {
            if p != end { (ch, w) = GoText.decodeRune(b, at: p, end: end) }
            if phase == .spaces {
                if p == end { break }
                if GoText.isSpace(ch) { p += w; continue }
                phase = .word
                wordStart = p
            }
            if p == end {
                if blankOK || !word.isEmpty { words.append((word, wordStart..<end)) }
                break
            }
            if phase == .word {
                if GoText.isSpace(ch) {
                    phase = .spaces
                    if blankOK || !word.isEmpty { words.append((word, wordStart..<p)) }
                    word = []
                    blankOK = false
                    p += w
                    continue
                }
                if ch == 0x27 || ch == 0x22 {
                    quote = ch
                    blankOK = true
                    phase = .quote
                }
                if ch == esc {
                    if p + w == end { p += w; continue }
                    GoText.appendRune(ch, to: &word)
                    p += w
                    (ch, w) = GoText.decodeRune(b, at: p, end: end)
                }
                GoText.appendRune(ch, to: &word)
                p += w
                continue
            }
            // quote
            if ch == quote { phase = .word }
            if ch == esc && quote != 0x27 {
                if p + w == end { phase = .word; p += w; continue }
                p += w
                GoText.appendRune(ch, to: &word)
                (ch, w) = GoText.decodeRune(b, at: p, end: end)
            }
            GoText.appendRune(ch, to: &word)
            p += w
        }
        return words
    }

    mutating func parseNameVal(_ node: inout RawNode, _ line: LogicalLine, _ r: Range<Int>, key: String) {
        let b = line.bytes
        let words = parseWords(b, r)
        guard let first = words.first else { return }
        if !first.0.contains(UInt8(ascii: "=")) {
            node.legacyNameValue = true
            var i = r.lowerBound
            while i < r.upperBound, !GoText.isReWhitespace(b[i]) { i += 1 }
            guard i < r.upperBound else {
                diagnostics.append(Diagnostic(.envMissingValue, "\(key) must have two arguments", span: line.sourceSpan(r)))
                return
            }
            var j = i
            while j < r.upperBound, GoText.isReWhitespace(b[j]) { j += 1 }
            node.values = [RawValue(bytes: Array(b[r.lowerBound..<i]), span: line.sourceSpan(r.lowerBound..<i)),
                           RawValue(bytes: Array(b[j..<r.upperBound]), span: line.sourceSpan(j..<r.upperBound),
                                    offsets: line.offsetMap(j..<r.upperBound))]
            return
        }
        var values: [RawValue] = []
        for (word, wr) in words {
            guard let eq = word.firstIndex(of: UInt8(ascii: "=")) else {
                diagnostics.append(Diagnostic(.nameValueMissingEquals,
                    "Syntax error - can't find = in \(GoQuote.quote(word)). Must be of the form: name=value",
                    span: line.sourceSpan(wr)))
                // Recover: keep the pairs read so far.
                node.values = values
                return
            }
            // The word is the source slice itself (quotes and escapes kept), so
            // the `=` sits at the same distance from the start in the source.
            let split = wr.lowerBound + eq
            let keyRange = wr.lowerBound..<min(split, wr.upperBound)
            let valueRange = min(split + 1, wr.upperBound)..<wr.upperBound
            values.append(RawValue(bytes: Array(word[..<eq]), span: line.sourceSpan(keyRange)))
            values.append(RawValue(bytes: Array(word[(eq + 1)...]), span: line.sourceSpan(valueRange)))
        }
        node.values = values
    }

    // MARK: heredocs

    func canContainHeredoc(_ node: RawNode) -> Bool {
        var n = node
        if n.command == "onbuild", let s = n.sub.first { n = s }
        switch n.command {
        case "add", "copy", "run": return !n.json
        default: return false
        }
    }

    mutating func heredocsFromLine(_ line: LogicalLine, nodeSpan: Span) -> [RawHeredoc] {
        var lx = WordLexer(escapeToken: UInt8(ascii: "\\"))
        lx.rawQuotes = true
        lx.rawEscapes = true
        lx.skipUnsetEnv = true
        lx.legacyModifiers = true
        let words = (try? lx.process(line.bytes, lookup: { _ in nil }).words) ?? []
        var docs: [RawHeredoc] = []
        // Locate each heredoc word in the line for its span: words are found in order.
        var searchFrom = 0
        for word in words {
            let at = Self.find(word, in: line.bytes, from: searchFrom)
            if let at { searchFrom = at + word.count }
            switch Self.parseHeredoc(word) {
            case .none:
                continue
            case .failure(let message):
                let span = at.map { line.sourceSpan($0..<$0 + word.count) } ?? nodeSpan
                diagnostics.append(Diagnostic(.heredocLexError, message, span: span))
                return docs
            case .heredoc(var h):
                h.markerSpan = at.map { line.sourceSpan($0..<$0 + word.count) } ?? nodeSpan
                docs.append(h)
            }
        }
        return docs
    }

    /// `strings.Contains(line, "<<")`.
    static func containsHeredocMarker(_ b: [UInt8]) -> Bool {
        var i = 1
        while i < b.count {
            if b[i] == 0x3C {
                if b[i - 1] == 0x3C { return true }
                i += 1
            } else {
                i += 2
            }
        }
        return false
    }

    static func find(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, needle.count <= hay.count else { return nil }
        var i = from
        while i + needle.count <= hay.count {
            if hay[i] == needle[0], hay[i..<i + needle.count].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    enum HeredocMatch {
        case none
        case failure(String)
        case heredoc(RawHeredoc)
    }

    /// `ParseHeredoc`: `^(\d*)<<(-?)([^<]*)$` then the delimiter's quoting.
    static func parseHeredoc(_ word: [UInt8]) -> HeredocMatch {
        var i = 0
        while i < word.count, word[i] >= 0x30, word[i] <= 0x39 { i += 1 }
        let digits = word[0..<i]
        guard i + 1 < word.count, word[i] == UInt8(ascii: "<"), word[i + 1] == UInt8(ascii: "<") else { return .none }
        i += 2
        var chomp = false
        if i < word.count, word[i] == UInt8(ascii: "-") { chomp = true; i += 1 }
        let rest = Array(word[i...])
        if rest.contains(UInt8(ascii: "<")) { return .none }
        if rest.isEmpty { return .none }
        // strconv.ParseUint(_, 10, 0): empty is 0, overflow saturates.
        var fd: UInt64 = 0
        for d in digits {
            let (m, o1) = fd.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(d - 0x30))
            if o1 || o2 { fd = UInt64.max; break }
            fd = a
        }
        var lx = WordLexer(escapeToken: UInt8(ascii: "\\"))
        lx.skipUnsetEnv = true
        lx.legacyModifiers = true
        let words: [[UInt8]]
        do {
            words = try lx.process(rest, lookup: { _ in nil }).words
        } catch {
            return .failure(error.message)
        }
        if words.count != 1 { return .none }
        lx.rawQuotes = true
        let raw: [[UInt8]]
        do {
            raw = try lx.process(rest, lookup: { _ in nil }).words
        } catch {
            return .failure(error.message)
        }
        if raw.count != words.count {
            return .failure("internal lexing of heredoc produced inconsistent results: \(rest.utf8String)")
        }
        func quotes(_ w: [UInt8]) -> Int { w.reduce(0) { $0 + ($1 == 0x27 || $1 == 0x22 ? 1 : 0) } }
        let h = RawHeredoc(name: words[0], fileDescriptor: fd, chomp: chomp, expand: quotes(words[0]) == quotes(raw[0]),
                           content: [], markerSpan: Span(0, 0), bodySpan: Span(0, 0), terminatorSpan: nil, bodyStartLine: 0)
        return .heredoc(h)
    }
}
