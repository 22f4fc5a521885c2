// A tiny JSON value with ordered object keys and a deterministic printer
// (Foundation's JSONSerialization neither keeps key order nor escapes the
// same way on every platform).

indirect enum JSONValue {
    case null
    case bool(Bool)
    case int(Int)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    static func optional(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }

    /// Pretty-printed with two-space indentation, `"key": value`, empty
    /// containers as `[]` / `{}`, no trailing newline.
    func rendered() -> String {
        var out = ""
        write(&out, indent: 0)
        return out
    }

    private func write(_ out: inout String, indent: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .string(let s): JSONValue.writeString(s, &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += String(repeating: " ", count: indent + 2)
                item.write(&out, indent: indent + 2)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{\n"
            for (i, (key, value)) in members.enumerated() {
                out += String(repeating: " ", count: indent + 2)
                JSONValue.writeString(key, &out)
                out += ": "
                value.write(&out, indent: indent + 2)
                out += i + 1 < members.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        }
    }

    /// RFC 8259 string: `"` and `\` escaped, control characters as short
    /// escapes or `\u00XX`, DEL and U+2028/U+2029 as `\u` escapes (harmless
    /// in JSON, fatal in some JavaScript embedders); other text stays UTF-8.
    static func writeString(_ s: String, _ out: inout String) {
        // Fast path: most strings need no escaping; copy them whole.
        var needsEscape = false
        for b in s.utf8 where b < 0x20 || b == 0x22 || b == 0x5C || b == 0x7F || b == 0xE2 {
            needsEscape = true
            break
        }
        out += "\""
        if !needsEscape {
            out += s
            out += "\""
            return
        }
        var chunk = ""
        for u in s.unicodeScalars {
            switch u {
            case "\"": chunk += "\\\""
            case "\\": chunk += "\\\\"
            case "\n": chunk += "\\n"
            case "\r": chunk += "\\r"
            case "\t": chunk += "\\t"
            case "\u{08}": chunk += "\\b"
            case "\u{0C}": chunk += "\\f"
            default:
                if u.value < 0x20 || u.value == 0x7F || u.value == 0x2028 || u.value == 0x2029 {
                    chunk += "\\u" + hex4(u.value)
                } else {
                    chunk.unicodeScalars.append(u)
                }
            }
        }
        out += chunk
        out += "\""
    }

    private static func hex4(_ v: UInt32) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int((v >> 12) & 15)], digits[Int((v >> 8) & 15)],
                       digits[Int((v >> 4) & 15)], digits[Int(v & 15)]])
    }
}
