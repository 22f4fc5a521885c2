// Helpers shared by the formats: order, severity names per format, text
// sanitising, relative URIs and the source cache.
import Checksums
import Rules
import DockerfileSyntax

/// `Finding.ordered`, then every other field, so that equal keys still sort
/// the same way whatever the input order.
func sortedFindings(_ findings: [Finding]) -> [Finding] {
    findings.sorted { a, b in
        if Finding.ordered(a, b) { return true }
        if Finding.ordered(b, a) { return false }
        return (a.range.end.line, a.range.end.column, a.severity.rawValue, a.ruleName, a.fix ?? "", a.cis ?? "")
            < (b.range.end.line, b.range.end.column, b.severity.rawValue, b.ruleName, b.fix ?? "", b.cis ?? "")
    }
}

/// The severity vocabularies of the formats.
enum SeverityMap {
    /// SARIF `level`: error, warning, note.
    static func sarif(_ s: Severity) -> String {
        switch s {
        case .error: return "error"
        case .warning: return "warning"
        case .info, .style: return "note"
        }
    }
    /// Checkstyle: error, warning, info.
    static func checkstyle(_ s: Severity) -> String {
        switch s {
        case .error: return "error"
        case .warning: return "warning"
        case .info, .style: return "info"
        }
    }
    /// GitHub workflow commands: error, warning, notice.
    static func github(_ s: Severity) -> String {
        switch s {
        case .error: return "error"
        case .warning: return "warning"
        case .info, .style: return "notice"
        }
    }
    /// Code Climate / GitLab: info, minor, major, critical, blocker.
    static func gitlab(_ s: Severity) -> String {
        switch s {
        case .error: return "critical"
        case .warning: return "minor"
        case .info, .style: return "info"
        }
    }
}

enum TextUtil {
    /// Text for a one-line format: line breaks and tabs become spaces, other
    /// control characters (C0, DEL, C1) become U+FFFD so nothing can move the
    /// terminal cursor or start a new record; surrounding whitespace is trimmed.
    static func oneLine(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        var lastWasCR = false
        for u in s.unicodeScalars {
            switch u.value {
            case 0x0A:
                if !lastWasCR { out.append(" ") }
            case 0x0D, 0x09:
                out.append(" ")
            case 0x00..<0x20, 0x7F, 0x80..<0xA0:
                out.append("\u{FFFD}")
            default:
                out.append(u)
            }
            lastWasCR = u.value == 0x0D
        }
        return trimmed(String(out))
    }

    static func trimmed(_ s: String) -> String {
        let scalars = s.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
              let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[first...last])
    }

    static func isSpace(_ u: Unicode.Scalar) -> Bool {
        u == " " || u == "\t" || u == "\n" || u == "\r" || u == "\u{0B}" || u == "\u{0C}"
    }

    /// A finding's message for a one-line format; never empty (the gcc-style
    /// line needs one), falling back to the rule name.
    static func message(_ f: Finding) -> String {
        let m = oneLine(f.message)
        if !m.isEmpty { return m }
        let n = oneLine(f.ruleName)
        return n.isEmpty ? f.ruleID : n
    }

    /// Whitespace runs collapsed to one space, trimmed: the line text that
    /// fingerprints hash, so re-indenting does not change them.
    static func normalisedWhitespace(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for u in s.unicodeScalars {
            if isSpace(u) {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(u)
            }
        }
        return String(out)
    }

    static func decimalDigits(_ n: Int) -> Int { String(n).count }

    /// Compares CIS item numbers component by component: 4.9 < 4.10.
    static func cisLess(_ a: String, _ b: String) -> Bool {
        let pa = a.split(separator: ".").map { Int($0) ?? Int.max }
        let pb = b.split(separator: ".").map { Int($0) ?? Int.max }
        if pa != pb { return pa.lexicographicallyPrecedes(pb) }
        return a < b
    }
}

enum PathUtil {
    /// The path with leading `./` segments removed (`./Dockerfile` and
    /// `Dockerfile` are the same artifact for fingerprints and reports).
    static func normalised(_ path: String) -> String {
        var p = Substring(path)
        while p.hasPrefix("./") {
            p = p.dropFirst(2)
            while p.hasPrefix("/") { p = p.dropFirst() }
        }
        return p.isEmpty ? path : String(p)
    }

    static func isAbsolute(_ path: String) -> Bool { path.hasPrefix("/") }

    /// RFC 3986 path encoding: unreserved characters, sub-delims, `:`, `@`
    /// and `/` stay; every other byte is percent-encoded (UTF-8).
    static func uriPath(_ path: String, allowColon: Bool) -> String {
        var out = ""
        for b in path.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"),
                 UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"),
                 UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
                 UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: "@"),
                 UInt8(ascii: "/"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            case UInt8(ascii: ":") where allowColon:
                out.append(":")
            default:
                out += "%" + hex2(b)
            }
        }
        return out
    }

    /// A URI for SARIF `artifactLocation.uri`: relative paths become relative
    /// references (a `:` in the first segment is encoded so it cannot read
    /// as a scheme), absolute ones `file://` URIs.
    static func artifactURI(_ path: String) -> (uri: String, relative: Bool) {
        if isAbsolute(path) {
            return ("file://" + uriPath(path, allowColon: true), false)
        }
        return (uriPath(normalised(path), allowColon: false), true)
    }

    static func hex2(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
    }
}

/// Parsed sources, built once per file per report.
struct SourceCache {
    private let bytes: [String: [UInt8]]
    private var files: [String: SourceFile] = [:]

    init(_ sources: [String: [UInt8]]) { self.bytes = sources }

    mutating func file(_ path: String) -> SourceFile? {
        if let f = files[path] { return f }
        guard let b = bytes[path] else { return nil }
        let f = SourceFile(path: path, bytes: b)
        files[path] = f
        return f
    }

    /// Bytes of 1-based line `n` without its terminator, or nil when the
    /// file or the line is missing.
    mutating func line(_ path: String, _ n: Int) -> ArraySlice<UInt8>? {
        guard let f = file(path), n >= 1, n <= f.lineCount else { return nil }
        return f.lineBytes(n)
    }
}

extension Finding {
    /// The last line the finding covers: an end at column 1 of a later line
    /// (exclusive) stops at the line before.
    var lastLine: Int {
        let s = range.start.line, e = range.end.line
        if e > s, range.end.column <= 1 { return e - 1 }
        return max(s, e)
    }
}

enum Fingerprint {
    /// SARIF `partialFingerprints["dflintLineHash/v1"]`: SHA-256 of the rule
    /// id, the normalised path and the whitespace-normalised text of the
    /// finding's source lines (the message when the source is missing), first
    /// 32 hex digits, then `:n` for the n-th finding with that hash in report
    /// order. No line numbers: inserting lines above keeps it.
    static func lineHashes(_ findings: [Finding], _ cache: inout SourceCache) -> [String] {
        var seen: [String: Int] = [:]
        return findings.map { f in
            var text = ""
            if f.range.start.line >= 1, f.lastLine - f.range.start.line < 64 {
                var parts: [String] = []
                for n in f.range.start.line...f.lastLine {
                    if let line = cache.line(f.file, n) {
                        parts.append(TextUtil.normalisedWhitespace(String(decoding: line, as: UTF8.self)))
                    }
                }
                text = parts.filter { !$0.isEmpty }.joined(separator: "\n")
            }
            let basis = text.isEmpty ? "message\u{0}" + f.message : "source\u{0}" + text
            let h = String(SHA256.hex(Array(
                ("dflint/v1\u{0}" + f.ruleID + "\u{0}" + PathUtil.normalised(f.file) + "\u{0}" + basis).utf8)).prefix(32))
            let n = (seen[h] ?? 0) + 1
            seen[h] = n
            return "\(h):\(n)"
        }
    }

    /// GitLab `fingerprint`: SHA-256 of rule id, normalised path, start and
    /// end line and column and the message, first 32 hex digits. Exactly equal
    /// findings get an occurrence number hashed in, so every issue is unique.
    static func gitlab(_ findings: [Finding]) -> [String] {
        var used: Set<String> = []
        return findings.map { f in
            let base = ["dflint-gitlab/v1", f.ruleID, PathUtil.normalised(f.file),
                        "\(f.range.start.line)", "\(f.range.start.column)",
                        "\(f.range.end.line)", "\(f.range.end.column)", f.message].joined(separator: "\u{0}")
            var n = 1
            var h = String(SHA256.hex(Array(base.utf8)).prefix(32))
            while used.contains(h) {
                n += 1
                h = String(SHA256.hex(Array((base + "\u{0}#\(n)").utf8)).prefix(32))
            }
            used.insert(h)
            return h
        }
    }
}
