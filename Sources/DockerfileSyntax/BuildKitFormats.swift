// The two textual forms BuildKit's parser is checked against:
//  * `AST.Dump()` s-expressions, used by BuildKit's own `testfiles/*/result`;
//  * the JSON lines printed by `../shared/oracle/buildkit-parse` (BuildKit's
//    parser through the `dockerfile` Python binding), our conformance contract.
// The binding hands every string to Python as a C string, so a NUL byte ends
// it, and decodes it as strict UTF-8, so invalid UTF-8 fails the file with
// Python's error text; both are reproduced here.

/// A JSON string literal for text we write ourselves (exec-form arrays,
/// inventories): quotes, backslashes and control characters (and DEL)
/// escaped, everything else as UTF-8.
public enum JSONText {
    public static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}

/// Go's `strconv.Quote`.
public enum GoQuote {
    public static func quote(_ s: [UInt8]) -> String {
        var out = "\""
        var i = 0
        while i < s.count {
            let b = s[i]
            var r = UInt32(b)
            var w = 1
            if b >= 0x80 { (r, w) = GoText.decodeRune(s, at: i) }
            if w == 1 && r == runeError {
                out += "\\x" + hex2(b)
                i += 1
                continue
            }
            out += escapedRune(r)
            i += w
        }
        return out + "\""
    }

    public static func quote(_ s: String) -> String { quote(Array(s.utf8)) }

    static func hex2(_ b: UInt8) -> String {
        let d = Array("0123456789abcdef")
        return String([d[Int(b >> 4)], d[Int(b & 15)]])
    }

    static func escapedRune(_ r: UInt32) -> String {
        if r == 0x22 { return "\\\"" }
        if r == 0x5C { return "\\\\" }
        if isPrint(r) { return String(Character(Unicode.Scalar(r)!)) }
        switch r {
        case 0x07: return "\\a"
        case 0x08: return "\\b"
        case 0x0C: return "\\f"
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        case 0x09: return "\\t"
        case 0x0B: return "\\v"
        default: break
        }
        if r < 0x20 || r == 0x7F { return "\\x" + hex2(UInt8(r)) }
        let h = String(r, radix: 16)
        if r < 0x10000 { return "\\u" + String(repeating: "0", count: 4 - h.count) + h }
        return "\\U" + String(repeating: "0", count: 8 - h.count) + h
    }

    /// `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and ASCII space.
    static func isPrint(_ r: UInt32) -> Bool {
        if r < 0x80 { return r >= 0x20 && r < 0x7F }
        guard let s = Unicode.Scalar(r) else { return false }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark,
             .decimalNumber, .letterNumber, .otherNumber,
             .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation,
             .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }
}

public enum BuildKitDump {
    /// `node.Dump()` for every instruction, one line each, as in BuildKit's `result` files.
    public static func dump(_ result: RawParseResult) -> String {
        var out = ""
        for n in result.nodes { out += "(" + dump(n) + ")\n" }
        return out
    }

    static func dump(_ n: RawNode) -> String {
        var s = n.keyword.utf8String.lowercased()
        if !n.flags.isEmpty {
            s += " [" + n.flags.map { GoQuote.quote($0.bytes) }.joined(separator: " ") + "]"
        }
        if let sub = n.sub.first {
            s += " (" + dump(sub) + ")"
            return s
        }
        let nameVal = n.command == "env" || n.command == "label"
        for (k, v) in n.values.enumerated() {
            s += " " + GoQuote.quote(v.bytes)
            if nameVal && k % 2 == 1 { s += n.legacyNameValue ? " \"\"" : " \"=\"" }
        }
        return s.trimmingCharacters(in: " ")
    }
}

extension String {
    func trimmingCharacters(in c: Character) -> String {
        var s = Substring(self)
        while s.first == c { s.removeFirst() }
        while s.last == c { s.removeLast() }
        return String(s)
    }
}

public enum OracleJSON {
    /// One JSON line in the schema of `../shared/oracle/buildkit-parse`.
    public static func line(path: String, result: RawParseResult) -> String {
        var out = "{\"file\": " + string(Array(path.utf8))
        if let err = result.buildKitError {
            return out + ", \"ok\": false, \"error\": " + string(Array((err.buildKitMessage ?? err.message).utf8)) + "}"
        }
        // The binding converts each command's strings to Python in this order
        // (cmd, sub_cmd, Original, flags, values, heredocs) before printing anything.
        for n in result.nodes {
            let inner = n.sub.first ?? n
            var candidates = [n.keyword]
            if let s = n.sub.first { candidates.append(s.keyword) }
            candidates.append(n.original)
            candidates += n.flags.map(\.bytes)
            candidates += inner.values.map(\.bytes)
            if n.sub.isEmpty { for h in n.heredocs { candidates.append(h.name); candidates.append(h.content) } }
            for c in candidates {
                if let msg = pythonUTF8Error(cString(c)) {
                    return out + ", \"ok\": false, \"error\": " + string(Array(msg.utf8)) + "}"
                }
            }
        }
        // An instruction with no keyword (a lone continuation line) parses in
        // BuildKit, but the reference script then fails on its missing name.
        if let d = result.diagnostics.first(where: { $0.id == DiagnosticKind.emptyInstruction.id }) {
            return out + ", \"ok\": false, \"error\": " + string(Array((d.buildKitMessage ?? d.message).utf8)) + "}"
        }
        out += ", \"ok\": true, \"commands\": ["
        var first = true
        for n in result.nodes {
            if !first { out += ", " }
            first = false
            let inner = n.sub.first ?? n
            out += "{\"cmd\": " + string(upper(n.keyword))
            out += ", \"sub_cmd\": " + (n.sub.first.map { string(upper($0.keyword)) } ?? "null")
            out += ", \"json\": " + (inner.json ? "true" : "false")
            out += ", \"start_line\": \(n.startLine), \"end_line\": \(n.endLine)"
            out += ", \"flags\": [" + n.flags.map { string(cString($0.bytes)) }.joined(separator: ", ") + "]"
            out += ", \"value\": [" + inner.values.map { string(cString($0.bytes)) }.joined(separator: ", ") + "]"
            out += ", \"heredocs\": ["
            if n.sub.isEmpty {
                out += n.heredocs.map { h in
                    "{\"name\": " + string(cString(h.name)) + ", \"file_descriptor\": \(h.fileDescriptor), \"content\": "
                        + string(cString(h.content)) + "}"
                }.joined(separator: ", ")
            }
            out += "]}"
        }
        return out + "]}"
    }

    /// Python's `str.upper()` of the keyword (full Unicode case mapping).
    static func upper(_ b: [UInt8]) -> [UInt8] {
        Array(cString(b).utf8String.uppercased().utf8)
    }

    static func cString(_ b: [UInt8]) -> [UInt8] {
        if let z = b.firstIndex(of: 0) { return Array(b[..<z]) }
        return b
    }

    /// A JSON string literal; non-ASCII text is written as is (ensure_ascii=False).
    public static func string(_ b: [UInt8]) -> String {
        var out: [UInt8] = [0x22]
        out.reserveCapacity(b.count + 2)
        let s = String(decoding: b, as: UTF8.self)
        for u in s.utf8 {
            switch u {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, 0x6E]
            case 0x0D: out += [0x5C, 0x72]
            case 0x09: out += [0x5C, 0x74]
            case 0x08: out += [0x5C, 0x62]
            case 0x0C: out += [0x5C, 0x66]
            case 0..<0x20:
                out += Array("\\u00".utf8) + Array(GoQuote.hex2(u).utf8)
            default: out.append(u)
            }
        }
        out.append(0x22)
        return String(decoding: out, as: UTF8.self)
    }

    /// The message of Python's strict UTF-8 decoder for the first error in `b`, or nil.
    static func pythonUTF8Error(_ b: [UInt8]) -> String? {
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            var need = 0
            var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
            switch c {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lo = 0xA0
            case 0xE1...0xEC, 0xEE, 0xEF: need = 2
            case 0xED: need = 2; hi = 0x9F
            case 0xF0: need = 3; lo = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; hi = 0x8F
            default:
                return "'utf-8' codec can't decode byte 0x\(GoQuote.hex2(c)) in position \(i): invalid start byte"
            }
            var k = 1
            while k <= need {
                guard i + k < n else {
                    // Truncated at the end of the data.
                    return range(b, i, n - 1, "unexpected end of data")
                }
                let d = b[i + k]
                let ok = k == 1 ? (d >= lo && d <= hi) : (d & 0xC0 == 0x80)
                if !ok { return range(b, i, i + k - 1, "invalid continuation byte") }
                k += 1
            }
            i += need + 1
        }
        return nil
    }

    static func range(_ b: [UInt8], _ s: Int, _ e: Int, _ why: String) -> String {
        if s == e { return "'utf-8' codec can't decode byte 0x\(GoQuote.hex2(b[s])) in position \(s): \(why)" }
        return "'utf-8' codec can't decode bytes in position \(s)-\(e): \(why)"
    }
}
