// A hand-written parser for the YAML subset that .dflint.yaml uses.
//
// The subset (Configuration.docc/README.md has the user-facing version):
//  - block mappings `key: value`, nested by indentation with spaces;
//  - block sequences `- item`, including compact forms (`- a: 1`, `- - x`)
//    and a sequence at the same indentation as the key that owns it;
//  - flow sequences `[a, "b", 'c']` and flow mappings `{a: 1}`, which may span
//    lines (continuation lines indented more than the owning key, except for
//    the closing bracket);
//  - plain, single-quoted (`''`) and double-quoted (backslash escapes) scalars,
//    all on one line;
//  - comments, an optional leading `---` and trailing `...`, CRLF/CR line
//    endings, a leading UTF-8 byte order mark.
// Everything else (anchors, aliases, tags, block scalars, complex keys,
// directives, multi-line scalars, several documents, duplicate keys, tab
// indentation) is rejected with the line and column of the offending text.
//
// Scalars stay strings: booleans, numbers and null are for the schema to
// interpret. An absent value (`key:` with nothing after it) is an empty plain
// scalar positioned just after the colon.
//
// Columns count Unicode scalars from 1, so a tab counts as one column.

/// A 1-based line and column in the configuration text. Columns count Unicode scalars.
public struct Mark: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

/// A node of the parsed YAML tree. Every node carries the position of its first character
/// (for a mapping: its first key; for a quoted scalar: its opening quote).
public indirect enum YAMLNode: Sendable, Equatable {
    case scalar(String, quoted: Bool, Mark)
    case sequence([YAMLNode], Mark)
    case mapping([(key: String, keyMark: Mark, value: YAMLNode)], Mark)

    /// Where the node starts.
    public var mark: Mark {
        switch self {
        case .scalar(_, _, let m), .sequence(_, let m), .mapping(_, let m): return m
        }
    }

    /// True for the YAML null forms: an absent value, `~`, `null`, `Null`, `NULL` (unquoted).
    public var isNull: Bool {
        guard case .scalar(let value, false, _) = self else { return false }
        return value.isEmpty || value == "~" || value == "null" || value == "Null" || value == "NULL"
    }

    public static func == (a: YAMLNode, b: YAMLNode) -> Bool {
        switch (a, b) {
        case let (.scalar(x, qx, mx), .scalar(y, qy, my)):
            return x == y && qx == qy && mx == my
        case let (.sequence(x, mx), .sequence(y, my)):
            return mx == my && x == y
        case let (.mapping(x, mx), .mapping(y, my)):
            guard mx == my, x.count == y.count else { return false }
            for (p, q) in zip(x, y) where p.key != q.key || p.keyMark != q.keyMark || p.value != q.value {
                return false
            }
            return true
        default:
            return false
        }
    }
}

public enum YAML {
    /// The deepest nesting of collections the parser accepts (protects the stack).
    public static let maxDepth = 64

    /// Parses one document of the supported subset. Returns nil for an empty document
    /// (nothing but blank lines, comments and document markers). Errors have an empty `path`.
    public static func parse(_ text: String) throws(ConfigError) -> YAMLNode? {
        var parser = try YAMLParser(text)
        return try parser.parseDocument()
    }
}

private extension Unicode.Scalar {
    var isBlank: Bool { self == " " || self == "\t" }
    var isFlowIndicator: Bool { self == "," || self == "[" || self == "]" || self == "{" || self == "}" }
}

private struct YAMLParser {
    let s: [Unicode.Scalar]
    let n: Int
    /// Index of the first scalar of every line.
    let lineStarts: [Int]
    var pos = 0
    /// Innermost open flow collection: the block indentation its continuation lines must exceed,
    /// and the position of its bracket (for "not closed" messages).
    var flowIndent = -1
    var flowOpen: [Int] = []

    init(_ text: String) throws(ConfigError) {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.utf8.count)
        var first = true
        var afterCR = false
        for c in text.unicodeScalars {
            defer { first = false }
            if first && c == "\u{FEFF}" { continue }
            if c == "\r" {
                out.append("\n")
                afterCR = true
                continue
            }
            if c == "\n" && afterCR {
                afterCR = false
                continue
            }
            afterCR = false
            out.append(c)
        }
        s = out
        n = out.count
        var starts = [0]
        for (i, c) in out.enumerated() where c == "\n" {
            starts.append(i + 1)
        }
        lineStarts = starts
        for (i, c) in out.enumerated() {
            let v = c.value
            let control = (v < 0x20 && c != "\t" && c != "\n") || v == 0x7F || (v >= 0x80 && v <= 0x9F && v != 0x85)
                || v == 0xFFFE || v == 0xFFFF
            if control {
                throw fail("control character U+\(hex(v, 4)) is not allowed", at: i)
            }
        }
    }

    // MARK: Positions and errors

    func mark(_ i: Int) -> Mark {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= i { lo = mid } else { hi = mid - 1 }
        }
        return Mark(line: lo + 1, column: i - lineStarts[lo] + 1)
    }

    func fail(_ message: String, at i: Int) -> ConfigError {
        let m = mark(i)
        return ConfigError(path: "", line: m.line, column: m.column, message: message)
    }

    func isBreakOrEOF(_ i: Int) -> Bool { i >= n || s[i] == "\n" }
    func isBlankOrEOL(_ i: Int) -> Bool { i >= n || s[i] == "\n" || s[i].isBlank }

    /// `---` or `...` at column 1 followed by a blank or the end of the line.
    func isDocumentMarker(_ i: Int, _ c: Unicode.Scalar) -> Bool {
        i + 3 <= n && s[i] == c && s[i + 1] == c && s[i + 2] == c && isBlankOrEOL(i + 3)
    }

    mutating func skipInlineBlanks() {
        while pos < n && s[pos].isBlank { pos += 1 }
    }

    mutating func skipToEOL() {
        while pos < n && s[pos] != "\n" { pos += 1 }
    }

    // MARK: Lines

    enum Line {
        case content(indent: Int, at: Int)
        case documentStart(at: Int)
        case documentEnd(at: Int)
        case end
    }

    /// From the start of a line, skips blank and comment-only lines (moving `pos` past them) and
    /// describes the next line with content, leaving `pos` at that line's start.
    mutating func peekLine() throws(ConfigError) -> Line {
        while pos < n {
            var i = pos
            while i < n && s[i] == " " { i += 1 }
            var j = i
            while j < n && s[j].isBlank { j += 1 }
            if j >= n {
                pos = n
                return .end
            }
            if s[j] == "\n" {
                pos = j + 1
                continue
            }
            if s[j] == "#" {
                pos = j
                skipToEOL()
                if pos < n { pos += 1 }
                continue
            }
            if j != i {
                throw fail("tab characters are not allowed for indentation; use spaces", at: i)
            }
            if i == pos {
                if isDocumentMarker(i, "-") { return .documentStart(at: i) }
                if isDocumentMarker(i, ".") { return .documentEnd(at: i) }
            }
            return .content(indent: i - pos, at: i)
        }
        return .end
    }

    /// After a value: only blanks and a comment may follow on the line. Consumes the line break.
    mutating func finishLine() throws(ConfigError) {
        skipInlineBlanks()
        if pos < n && s[pos] == "#" {
            if pos == 0 || !(s[pos - 1].isBlank || s[pos - 1] == "\n") {
                throw fail("a comment needs whitespace before '#'", at: pos)
            }
            skipToEOL()
        }
        if pos >= n { return }
        if s[pos] == "\n" {
            pos += 1
            return
        }
        if s[pos] == ":" {
            throw fail("unexpected ':' after the value; quote the value if it contains ': '", at: pos)
        }
        throw fail("unexpected '\(s[pos])' after the value", at: pos)
    }

    // MARK: Document

    mutating func parseDocument() throws(ConfigError) -> YAMLNode? {
        var line = try peekLine()
        if case .documentStart(let at) = line {
            pos = at + 3
            skipInlineBlanks()
            if !isBreakOrEOF(pos) && s[pos] != "#" {
                throw fail("content on the '---' line is not supported; start the document on the next line", at: pos)
            }
            try finishLine()
            line = try peekLine()
        }
        var root: YAMLNode? = nil
        if case .content(let indent, let at) = line {
            pos = at
            root = try parseBlockNode(indent: indent, parentIndent: -1, depth: 0, inline: false)
            line = try peekLine()
            if case .content(_, let at) = line {
                throw fail("unexpected content; check the indentation", at: at)
            }
        }
        switch line {
        case .documentStart(let at):
            throw fail("multiple documents are not supported", at: at)
        case .documentEnd(let at):
            pos = at + 3
            try finishLine()
            switch try peekLine() {
            case .end:
                break
            case .content(_, let at), .documentStart(let at), .documentEnd(let at):
                throw fail("content after the document end marker '...' is not supported (multiple documents)", at: at)
            }
        case .content, .end:
            break
        }
        return root
    }

    // MARK: Block context

    /// Parses the node starting at `pos` (a non-blank character), whose first character is at
    /// column `indent` (0-based). `inline` is true for a value on the same line as its key, where
    /// block collections cannot start. Returns with `pos` at the start of a line (or the end).
    mutating func parseBlockNode(indent: Int, parentIndent: Int, depth: Int, inline: Bool) throws(ConfigError) -> YAMLNode {
        guard depth < YAML.maxDepth else {
            throw fail("nesting is too deep (more than \(YAML.maxDepth) levels)", at: pos)
        }
        let c = s[pos]
        if c == "-" && isBlankOrEOL(pos + 1) {
            if inline {
                throw fail("a block sequence cannot start on the same line as its key; put each '- item' on its own line, or use [a, b]", at: pos)
            }
            return try parseBlockSequence(indent: indent, underKey: false, depth: depth)
        }
        if c == "[" || c == "{" {
            let start = pos
            let saved = flowIndent
            flowIndent = parentIndent
            let node = try parseFlowNode(depth: depth)
            flowIndent = saved
            skipInlineBlanks()
            if pos < n && s[pos] == ":" && isBlankOrEOL(pos + 1) {
                throw fail(inline ? "unexpected ':' after the value" : "flow collections cannot be mapping keys", at: inline ? pos : start)
            }
            try finishLine()
            return node
        }
        if c == "?" && isBlankOrEOL(pos + 1) {
            throw fail("complex mapping keys ('?') are not supported", at: pos)
        }
        let start = pos
        let scalar = try scanScalar(flow: false)
        let end = pos
        skipInlineBlanks()
        if pos < n && s[pos] == ":" && isBlankOrEOL(pos + 1) {
            if inline {
                throw fail("a mapping cannot start on the same line as its key; quote the value if it contains ': '", at: pos)
            }
            pos = start
            return try parseBlockMapping(indent: indent, depth: depth)
        }
        pos = end
        try finishLine()
        return scalar
    }

    mutating func parseBlockMapping(indent: Int, depth: Int) throws(ConfigError) -> YAMLNode {
        guard depth < YAML.maxDepth else {
            throw fail("nesting is too deep (more than \(YAML.maxDepth) levels)", at: pos)
        }
        let mapMark = mark(pos)
        var entries: [(key: String, keyMark: Mark, value: YAMLNode)] = []
        var seen: [String: Mark] = [:]
        while true {
            let keyPos = pos
            let key = try scanKey()
            skipInlineBlanks()
            guard pos < n, s[pos] == ":", isBlankOrEOL(pos + 1) else {
                throw fail("expected 'key: value' (no ':' after '\(YAMLDisplay.clip(key))')", at: keyPos)
            }
            let keyMark = mark(keyPos)
            if let first = seen[key] {
                throw fail("duplicate key '\(YAMLDisplay.clip(key))' (first defined at line \(first.line))", at: keyPos)
            }
            seen[key] = keyMark
            pos += 1
            let afterColon = pos
            skipInlineBlanks()
            let value: YAMLNode
            if isBreakOrEOF(pos) || s[pos] == "#" {
                try finishLine()
                let line = try peekLine()
                if case .content(let i, let at) = line, i > indent {
                    pos = at
                    value = try parseBlockNode(indent: i, parentIndent: indent, depth: depth + 1, inline: false)
                } else if case .content(let i, let at) = line, i == indent, s[at] == "-", isBlankOrEOL(at + 1) {
                    pos = at
                    value = try parseBlockSequence(indent: i, underKey: true, depth: depth + 1)
                } else {
                    value = .scalar("", quoted: false, mark(afterColon))
                }
            } else {
                value = try parseBlockNode(indent: column(pos), parentIndent: indent, depth: depth + 1, inline: true)
            }
            entries.append((key: key, keyMark: keyMark, value: value))
            guard case .content(let i, let at) = try peekLine(), i >= indent else { break }
            if i > indent {
                throw fail("unexpected indentation", at: at)
            }
            pos = at
        }
        return .mapping(entries, mapMark)
    }

    /// A block mapping key: a plain or quoted scalar on one line.
    mutating func scanKey() throws(ConfigError) -> String {
        let c = s[pos]
        if c == "-" && isBlankOrEOL(pos + 1) {
            throw fail("expected a mapping key, found a sequence item ('- ')", at: pos)
        }
        if c == "[" || c == "{" {
            throw fail("expected a mapping key, found a flow collection", at: pos)
        }
        if c == "?" && isBlankOrEOL(pos + 1) {
            throw fail("complex mapping keys ('?') are not supported", at: pos)
        }
        guard case .scalar(let key, _, _) = try scanScalar(flow: false) else { return "" }
        return key
    }

    mutating func parseBlockSequence(indent: Int, underKey: Bool, depth: Int) throws(ConfigError) -> YAMLNode {
        guard depth < YAML.maxDepth else {
            throw fail("nesting is too deep (more than \(YAML.maxDepth) levels)", at: pos)
        }
        let seqMark = mark(pos)
        var items: [YAMLNode] = []
        while true {
            let dash = pos
            pos += 1
            skipInlineBlanks()
            if isBreakOrEOF(pos) || s[pos] == "#" {
                try finishLine()
                if case .content(let i, let at) = try peekLine(), i > indent {
                    pos = at
                    items.append(try parseBlockNode(indent: i, parentIndent: indent, depth: depth + 1, inline: false))
                } else {
                    items.append(.scalar("", quoted: false, mark(dash + 1)))
                }
            } else {
                items.append(try parseBlockNode(indent: column(pos), parentIndent: indent, depth: depth + 1, inline: false))
            }
            guard case .content(let i, let at) = try peekLine(), i >= indent else { break }
            if i > indent {
                throw fail("unexpected indentation", at: at)
            }
            if s[at] == "-" && isBlankOrEOL(at + 1) {
                pos = at
                continue
            }
            if underKey { break }
            throw fail("expected a sequence item ('- ') at this indentation", at: at)
        }
        return .sequence(items, seqMark)
    }

    /// 0-based column of index `i`.
    func column(_ i: Int) -> Int { mark(i).column - 1 }

    // MARK: Scalars

    /// A plain or quoted scalar starting at `pos`; rejects the YAML indicators outside the subset.
    mutating func scanScalar(flow: Bool) throws(ConfigError) -> YAMLNode {
        guard pos < n, s[pos] != "\n" else {
            throw fail("expected a value", at: pos)
        }
        let start = pos
        let c = s[pos]
        switch c {
        case "\"":
            return try scanDoubleQuoted()
        case "'":
            return try scanSingleQuoted()
        case "&":
            throw fail("anchors ('&') are not supported", at: start)
        case "*":
            throw fail("aliases ('*') are not supported; quote values that start with '*', e.g. \"*.example.com\"", at: start)
        case "!":
            throw fail("tags ('!') are not supported; quote values that start with '!'", at: start)
        case "|", ">":
            throw fail("block scalars ('|' and '>') are not supported; use a quoted string on one line", at: start)
        case "%":
            if column(start) == 0 && !flow {
                throw fail("directives ('%') are not supported", at: start)
            }
            throw fail("a plain value cannot start with '%'; quote it", at: start)
        case "@", "`":
            throw fail("a plain value cannot start with '\(c)' (reserved); quote it", at: start)
        case "#":
            throw fail("unexpected '#'; a comment needs whitespace before it", at: start)
        case ",", "[", "]", "{", "}":
            throw fail("unexpected '\(c)'", at: start)
        case "-", "?", ":":
            if isBlankOrEOL(pos + 1) || (flow && s[pos + 1].isFlowIndicator) {
                if c == "?" { throw fail("complex mapping keys ('?') are not supported", at: start) }
                if c == ":" { throw fail("unexpected ':' (missing key?)", at: start) }
                throw fail(flow ? "block sequence items ('- ') are not allowed inside flow collections" : "unexpected '- '", at: start)
            }
        default:
            break
        }
        var i = pos
        var end = pos
        while i < n {
            let ch = s[i]
            if ch == "\n" { break }
            if ch == ":" && (isBlankOrEOL(i + 1) || (flow && s[i + 1].isFlowIndicator)) { break }
            if ch == "#" && i > start && s[i - 1].isBlank { break }
            if flow && ch.isFlowIndicator { break }
            i += 1
            if !ch.isBlank { end = i }
        }
        pos = end
        var text = String.UnicodeScalarView()
        text.append(contentsOf: s[start..<end])
        return .scalar(String(text), quoted: false, mark(start))
    }

    mutating func scanSingleQuoted() throws(ConfigError) -> YAMLNode {
        let start = pos
        pos += 1
        var text = String.UnicodeScalarView()
        while true {
            guard pos < n, s[pos] != "\n" else {
                throw fail("unterminated single-quoted string (strings cannot span lines)", at: start)
            }
            if s[pos] == "'" {
                if pos + 1 < n && s[pos + 1] == "'" {
                    text.append("'")
                    pos += 2
                    continue
                }
                pos += 1
                break
            }
            text.append(s[pos])
            pos += 1
        }
        return .scalar(String(text), quoted: true, mark(start))
    }

    mutating func scanDoubleQuoted() throws(ConfigError) -> YAMLNode {
        let start = pos
        pos += 1
        var text = String.UnicodeScalarView()
        while true {
            guard pos < n, s[pos] != "\n" else {
                throw fail("unterminated double-quoted string (strings cannot span lines)", at: start)
            }
            let ch = s[pos]
            if ch == "\"" {
                pos += 1
                break
            }
            if ch != "\\" {
                text.append(ch)
                pos += 1
                continue
            }
            let escape = pos
            guard pos + 1 < n, s[pos + 1] != "\n" else {
                throw fail("unterminated double-quoted string (strings cannot span lines)", at: start)
            }
            let e = s[pos + 1]
            pos += 2
            switch e {
            case "\"", "\\", "/", " ": text.append(e)
            case "n": text.append("\n")
            case "t", "\t": text.append("\t")
            case "r": text.append("\r")
            case "0": text.append("\u{0}")
            case "a": text.append("\u{7}")
            case "b": text.append("\u{8}")
            case "v": text.append("\u{B}")
            case "f": text.append("\u{C}")
            case "e": text.append("\u{1B}")
            case "x", "u", "U":
                let digits = e == "x" ? 2 : e == "u" ? 4 : 8
                var value = try hexEscape(digits, escape: escape)
                if e == "u" && (0xD800...0xDBFF).contains(value) {
                    // A UTF-16 surrogate pair written as two \u escapes, as JSON does.
                    if pos + 1 < n && s[pos] == "\\" && s[pos + 1] == "u" {
                        let second = pos
                        pos += 2
                        let low = try hexEscape(4, escape: second)
                        guard (0xDC00...0xDFFF).contains(low) else {
                            throw fail("invalid escape: \\u\(hex(value, 4)) is not followed by a low surrogate", at: escape)
                        }
                        value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                    }
                }
                guard let scalar = Unicode.Scalar(value) else {
                    throw fail("invalid escape: U+\(hex(value, 4)) is not a Unicode scalar value", at: escape)
                }
                text.append(scalar)
            default:
                throw fail("invalid escape sequence '\\\(e)'", at: escape)
            }
        }
        return .scalar(String(text), quoted: true, mark(start))
    }

    mutating func hexEscape(_ digits: Int, escape: Int) throws(ConfigError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard pos < n, let d = s[pos].hexDigitValue else {
                throw fail("invalid escape: '\\\(s[escape + 1])' needs \(digits) hexadecimal digits", at: escape)
            }
            value = value << 4 | d
            pos += 1
        }
        return value
    }

    // MARK: Flow context

    mutating func parseFlowNode(depth: Int) throws(ConfigError) -> YAMLNode {
        guard depth < YAML.maxDepth else {
            throw fail("nesting is too deep (more than \(YAML.maxDepth) levels)", at: pos)
        }
        guard pos < n else { throw unclosed() }
        switch s[pos] {
        case "[": return try parseFlowSequence(depth: depth)
        case "{": return try parseFlowMapping(depth: depth)
        default: return try scanScalar(flow: true)
        }
    }

    func unclosed() -> ConfigError {
        let open = flowOpen.last ?? 0
        let closer = s[open] == "[" ? "]" : "}"
        return fail("'\(s[open])' is not closed; expected '\(closer)'", at: open)
    }

    /// Skips blanks, line breaks and comments inside a flow collection. A continuation line must be
    /// indented more than the enclosing block (unless it starts with a closing bracket), which turns
    /// a forgotten `]` into an error at the bracket rather than somewhere confusing.
    mutating func skipFlowSpace() throws(ConfigError) {
        while pos < n {
            let c = s[pos]
            if c.isBlank {
                pos += 1
            } else if c == "#" && (pos == 0 || s[pos - 1].isBlank || s[pos - 1] == "\n") {
                skipToEOL()
            } else if c == "\n" {
                pos += 1
                if isDocumentMarker(pos, "-") || isDocumentMarker(pos, ".") { throw unclosed() }
                var i = pos
                while i < n && s[i] == " " { i += 1 }
                var j = i
                while j < n && s[j].isBlank { j += 1 }
                if j < n && s[j] != "\n" && s[j] != "#" && s[j] != "]" && s[j] != "}" && i - pos <= flowIndent {
                    throw unclosed()
                }
            } else {
                break
            }
        }
    }

    mutating func parseFlowSequence(depth: Int) throws(ConfigError) -> YAMLNode {
        let open = pos
        let m = mark(open)
        flowOpen.append(open)
        defer { flowOpen.removeLast() }
        pos += 1
        var items: [YAMLNode] = []
        try skipFlowSpace()
        while true {
            guard pos < n else { throw unclosed() }
            if s[pos] == "]" {
                pos += 1
                break
            }
            if s[pos] == "," {
                throw fail("unexpected ','; empty entries are not allowed", at: pos)
            }
            items.append(try parseFlowNode(depth: depth + 1))
            try skipFlowSpace()
            guard pos < n else { throw unclosed() }
            if s[pos] == ":" {
                throw fail("mappings inside flow sequences ([a: b]) are not supported", at: pos)
            }
            if s[pos] == "," {
                pos += 1
                try skipFlowSpace()
                continue
            }
            if s[pos] == "]" {
                pos += 1
                break
            }
            throw fail("expected ',' or ']' in the list opened at line \(m.line), column \(m.column)", at: pos)
        }
        return .sequence(items, m)
    }

    mutating func parseFlowMapping(depth: Int) throws(ConfigError) -> YAMLNode {
        let open = pos
        let m = mark(open)
        flowOpen.append(open)
        defer { flowOpen.removeLast() }
        pos += 1
        var entries: [(key: String, keyMark: Mark, value: YAMLNode)] = []
        var seen: [String: Mark] = [:]
        try skipFlowSpace()
        while true {
            guard pos < n else { throw unclosed() }
            if s[pos] == "}" {
                pos += 1
                break
            }
            if s[pos] == "," {
                throw fail("unexpected ','; empty entries are not allowed", at: pos)
            }
            let keyPos = pos
            if s[pos] == "[" || s[pos] == "{" {
                throw fail("flow collections cannot be mapping keys", at: pos)
            }
            guard case .scalar(let key, _, let keyMark) = try scanScalar(flow: true) else { break }
            try skipFlowSpace()
            guard pos < n else { throw unclosed() }
            guard s[pos] == ":" else {
                throw fail("expected ':' after the key '\(YAMLDisplay.clip(key))'", at: pos)
            }
            if let first = seen[key] {
                throw fail("duplicate key '\(YAMLDisplay.clip(key))' (first defined at line \(first.line))", at: keyPos)
            }
            seen[key] = keyMark
            pos += 1
            try skipFlowSpace()
            guard pos < n else { throw unclosed() }
            let value: YAMLNode
            if s[pos] == "," || s[pos] == "}" {
                value = .scalar("", quoted: false, mark(pos))
            } else {
                value = try parseFlowNode(depth: depth + 1)
            }
            entries.append((key: key, keyMark: keyMark, value: value))
            try skipFlowSpace()
            guard pos < n else { throw unclosed() }
            if s[pos] == "," {
                pos += 1
                try skipFlowSpace()
                continue
            }
            if s[pos] == "}" {
                pos += 1
                break
            }
            throw fail("expected ',' or '}' in the mapping opened at line \(m.line), column \(m.column)", at: pos)
        }
        return .mapping(entries, m)
    }
}

private extension Unicode.Scalar {
    var hexDigitValue: UInt32? {
        switch value {
        case 0x30...0x39: return value - 0x30
        case 0x41...0x46: return value - 0x41 + 10
        case 0x61...0x66: return value - 0x61 + 10
        default: return nil
        }
    }
}

/// Upper-case hexadecimal with at least `width` digits.
func hex(_ value: UInt32, _ width: Int) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
