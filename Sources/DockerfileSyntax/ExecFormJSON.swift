// The exec-form (JSON array) detector, written to decide exactly as BuildKit's
// `parseJSON` does with Go's encoding/json:
//  * the text must start with `[` and hold one complete JSON value; bytes
//    after that value are ignored (json.Decoder reads one value);
//  * a syntax error, a number too large for a float64 or nesting deeper than
//    10000 means "not JSON": the instruction falls back to shell form;
//  * a valid array with any element that is not a string is a hard error.
// String contents are unquoted as Go does: invalid UTF-8 and lone
// surrogates become U+FFFD.

enum ExecFormJSON {
    struct Element {
        var value: [UInt8]
        var span: Span
    }

    enum Result {
        case notJSON
        case notAllStrings
        case strings([Element])
    }

    static let maxDepth = 10000

    static func parse(_ s: [UInt8], _ range: Range<Int>) -> Result {
        var p = Parser(s: s, i: range.lowerBound, end: range.upperBound)
        guard p.i < p.end, s[p.i] == UInt8(ascii: "[") else { return .notJSON }
        do {
            var elements: [Element] = []
            var allStrings = true
            try p.parseTopArray(&elements, &allStrings)
            if p.numberOverflow { return .notJSON }
            return allStrings ? .strings(elements) : .notAllStrings
        } catch {
            return .notJSON
        }
    }

    private struct SyntaxError: Error {}

    private struct Parser {
        let s: [UInt8]
        var i: Int
        let end: Int
        var depth = 0
        var numberOverflow = false

        mutating func skipWS() {
            while i < end {
                let b = s[i]
                if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { i += 1 } else { break }
            }
        }

        mutating func parseTopArray(_ out: inout [Element], _ allStrings: inout Bool) throws {
            i += 1 // [
            depth = 1
            skipWS()
            guard i < end else { throw SyntaxError() }
            if s[i] == UInt8(ascii: "]") { i += 1; return }
            while true {
                skipWS()
                guard i < end else { throw SyntaxError() }
                if s[i] == UInt8(ascii: "\"") {
                    let start = i
                    let v = try parseString()
                    out.append(Element(value: v, span: Span(start, i)))
                } else {
                    allStrings = false
                    try parseValue()
                }
                skipWS()
                guard i < end else { throw SyntaxError() }
                if s[i] == UInt8(ascii: ",") { i += 1; continue }
                if s[i] == UInt8(ascii: "]") { i += 1; return }
                throw SyntaxError()
            }
        }

        /// Validates one JSON value without recursion (nesting is bounded by
        /// Go's limit, 10000, which would overflow a thread's stack if recursed).
        mutating func parseValue() throws {
            // Containers still open: true for an object, false for an array.
            var open: [Bool] = []
            var base = depth
            defer { depth = base }
            while true {
                // Expecting a value.
                skipWS()
                guard i < end else { throw SyntaxError() }
                switch s[i] {
                case UInt8(ascii: "\""):
                    _ = try parseString()
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    let isObject = s[i] == UInt8(ascii: "{")
                    base += 1
                    if base > ExecFormJSON.maxDepth { throw SyntaxError() }
                    i += 1
                    skipWS()
                    guard i < end else { throw SyntaxError() }
                    if s[i] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                        i += 1
                        base -= 1
                        break
                    }
                    open.append(isObject)
                    if isObject { try objectKey() }
                    continue
                case UInt8(ascii: "t"): try literal("true")
                case UInt8(ascii: "f"): try literal("false")
                case UInt8(ascii: "n"): try literal("null")
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    try parseNumber()
                default:
                    throw SyntaxError()
                }
                // After a value: close containers or go on to the next element.
                while true {
                    guard let top = open.last else { return }
                    skipWS()
                    guard i < end else { throw SyntaxError() }
                    if s[i] == UInt8(ascii: ",") {
                        i += 1
                        if top { try objectKey() }
                        break
                    }
                    if s[i] == (top ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                        i += 1
                        open.removeLast()
                        base -= 1
                        continue
                    }
                    throw SyntaxError()
                }
            }
        }

        /// `"key" :` inside an object.
        mutating func objectKey() throws {
            skipWS()
            guard i < end, s[i] == UInt8(ascii: "\"") else { throw SyntaxError() }
            _ = try parseString()
            skipWS()
            guard i < end, s[i] == UInt8(ascii: ":") else { throw SyntaxError() }
            i += 1
        }

        mutating func literal(_ word: StaticString) throws {
            let n = word.utf8CodeUnitCount
            guard end - i >= n else { throw SyntaxError() }
            let p = word.utf8Start
            for k in 0..<n where s[i + k] != p[k] { throw SyntaxError() }
            i += n
        }

        mutating func parseNumber() throws {
            let start = i
            if s[i] == UInt8(ascii: "-") { i += 1 }
            guard i < end else { throw SyntaxError() }
            func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
            if s[i] == UInt8(ascii: "0") {
                i += 1
            } else if isDigit(s[i]) {
                while i < end, isDigit(s[i]) { i += 1 }
            } else {
                throw SyntaxError()
            }
            if i < end, s[i] == UInt8(ascii: ".") {
                i += 1
                guard i < end, isDigit(s[i]) else { throw SyntaxError() }
                while i < end, isDigit(s[i]) { i += 1 }
            }
            if i < end, s[i] == UInt8(ascii: "e") || s[i] == UInt8(ascii: "E") {
                i += 1
                if i < end, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { i += 1 }
                guard i < end, isDigit(s[i]) else { throw SyntaxError() }
                while i < end, isDigit(s[i]) { i += 1 }
            }
            // Go decodes numbers into float64; one that overflows is an
            // unmarshal error, which makes BuildKit fall back to shell form.
            let text = String(decoding: s[start..<i], as: UTF8.self)
            if let d = Double(text), d.isInfinite { numberOverflow = true }
        }

        func hex4(at k: Int) -> UInt32? {
            guard k + 4 <= end else { return nil }
            var v: UInt32 = 0
            for j in k..<k + 4 {
                let b = s[j]
                let d: UInt32
                switch b {
                case 0x30...0x39: d = UInt32(b - 0x30)
                case 0x61...0x66: d = UInt32(b - 0x61 + 10)
                case 0x41...0x46: d = UInt32(b - 0x41 + 10)
                default: return nil
                }
                v = v << 4 | d
            }
            return v
        }

        /// Parses a string starting at the opening quote; returns its Go-unquoted bytes.
        mutating func parseString() throws -> [UInt8] {
            i += 1
            var out: [UInt8] = []
            while true {
                guard i < end else { throw SyntaxError() }
                let b = s[i]
                if b == UInt8(ascii: "\"") { i += 1; return out }
                if b < 0x20 { throw SyntaxError() }
                if b == UInt8(ascii: "\\") {
                    guard i + 1 < end else { throw SyntaxError() }
                    let e = s[i + 1]
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e); i += 2
                    case UInt8(ascii: "b"): out.append(0x08); i += 2
                    case UInt8(ascii: "f"): out.append(0x0C); i += 2
                    case UInt8(ascii: "n"): out.append(0x0A); i += 2
                    case UInt8(ascii: "r"): out.append(0x0D); i += 2
                    case UInt8(ascii: "t"): out.append(0x09); i += 2
                    case UInt8(ascii: "u"):
                        guard var r = hex4(at: i + 2) else { throw SyntaxError() }
                        i += 6
                        if r >= 0xD800 && r < 0xE000 {
                            // A high surrogate followed by `\u` + low surrogate combines;
                            // anything else is U+FFFD and the next escape stands alone.
                            if r < 0xDC00, i + 1 < end, s[i] == UInt8(ascii: "\\"), s[i + 1] == UInt8(ascii: "u"),
                               let r2 = hex4(at: i + 2), r2 >= 0xDC00, r2 < 0xE000 {
                                r = 0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00)
                                i += 6
                            } else {
                                r = runeError
                            }
                        }
                        GoText.appendRune(r, to: &out)
                    default:
                        throw SyntaxError()
                    }
                    continue
                }
                if b < 0x80 {
                    out.append(b)
                    i += 1
                    continue
                }
                let (r, w) = GoText.decodeRune(s, at: i, end: end)
                if r == runeError && w == 1 {
                    GoText.appendRune(runeError, to: &out)
                } else {
                    out.append(contentsOf: s[i..<i + w])
                }
                i += w
            }
        }
    }
}
