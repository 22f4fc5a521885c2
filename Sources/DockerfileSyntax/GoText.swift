// Byte-level text helpers that behave exactly like the Go standard library
// functions BuildKit's parser calls (unicode.IsSpace, utf8.DecodeRune,
// strings.TrimSpace, ...). Dockerfiles are read as bytes, not Swift Strings,
// because BuildKit treats them as bytes: invalid UTF-8 must survive untouched
// where Go keeps it and become U+FFFD exactly where Go decodes runes.

/// Go's `utf8.RuneError`.
let runeError: UInt32 = 0xFFFD

enum GoText {
    /// `utf8.DecodeRune` on `s[i..<end]`: the scalar at `i` and its width;
    /// (U+FFFD, 1) for an invalid or truncated sequence, (U+FFFD, 0) at the end.
    @inline(__always)
    static func decodeRune(_ s: [UInt8], at i: Int, end: Int) -> (UInt32, Int) {
        guard i < end else { return (runeError, 0) }
        let b0 = s[i]
        if b0 < 0x80 { return (UInt32(b0), 1) }
        let n = end - i
        @inline(__always) func cont(_ k: Int) -> UInt8? {
            guard k < n else { return nil }
            let b = s[i + k]
            return b & 0xC0 == 0x80 ? b : nil
        }
        switch b0 {
        case 0xC2...0xDF:
            guard let b1 = cont(1) else { return (runeError, 1) }
            return (UInt32(b0 & 0x1F) << 6 | UInt32(b1 & 0x3F), 2)
        case 0xE0...0xEF:
            guard n > 1 else { return (runeError, 1) }
            let b1 = s[i + 1]
            let lo: UInt8 = b0 == 0xE0 ? 0xA0 : 0x80
            let hi: UInt8 = b0 == 0xED ? 0x9F : 0xBF
            guard b1 >= lo, b1 <= hi, let b2 = cont(2) else { return (runeError, 1) }
            return (UInt32(b0 & 0x0F) << 12 | UInt32(b1 & 0x3F) << 6 | UInt32(b2 & 0x3F), 3)
        case 0xF0...0xF4:
            guard n > 1 else { return (runeError, 1) }
            let b1 = s[i + 1]
            let lo: UInt8 = b0 == 0xF0 ? 0x90 : 0x80
            let hi: UInt8 = b0 == 0xF4 ? 0x8F : 0xBF
            guard b1 >= lo, b1 <= hi, let b2 = cont(2), let b3 = cont(3) else { return (runeError, 1) }
            return (UInt32(b0 & 0x07) << 18 | UInt32(b1 & 0x3F) << 12 | UInt32(b2 & 0x3F) << 6 | UInt32(b3 & 0x3F), 4)
        default:
            return (runeError, 1)
        }
    }

    static func decodeRune(_ s: [UInt8], at i: Int) -> (UInt32, Int) { decodeRune(s, at: i, end: s.count) }

    /// `utf8.DecodeLastRune` on `s[from..<end]`: the scalar ending at `end` and its width.
    static func decodeLastRune(_ s: [UInt8], from: Int, end: Int) -> (UInt32, Int) {
        guard end > from else { return (runeError, 0) }
        if s[end - 1] < 0x80 { return (UInt32(s[end - 1]), 1) }
        // Go walks back at most UTFMax bytes to a start byte, then decodes forward.
        var start = end - 1
        let lim = max(from, end - 4)
        while start > lim, s[start] & 0xC0 == 0x80 { start -= 1 }
        let (r, w) = decodeRune(s, at: start, end: end)
        if start + w != end { return (runeError, 1) }
        return (r, w)
    }

    /// `unicode.IsSpace`.
    @inline(__always)
    static func isSpace(_ r: UInt32) -> Bool {
        if r <= 0xFF {
            switch r {
            case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0: return true
            default: return false
            }
        }
        switch r {
        case 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    /// `unicode.IsDigit` (Nd). ASCII plus the common decimal-digit blocks;
    /// only used to decide where a `$1` parameter name ends.
    static func isDigit(_ r: UInt32) -> Bool {
        if r < 0x80 { return r >= 0x30 && r <= 0x39 }
        return isUnicodeDecimal(r)
    }

    /// `unicode.IsLetter`, approximated for non-ASCII as "any scalar that
    /// Swift considers alphabetic".
    static func isLetter(_ r: UInt32) -> Bool {
        if r < 0x80 { return (r >= 0x41 && r <= 0x5A) || (r >= 0x61 && r <= 0x7A) }
        guard let s = Unicode.Scalar(r) else { return false }
        let p = s.properties
        switch p.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    static func isUnicodeDecimal(_ r: UInt32) -> Bool {
        guard let s = Unicode.Scalar(r) else { return false }
        return s.properties.generalCategory == .decimalNumber
    }

    /// Appends the UTF-8 encoding of `r` (Go's `string(rune)`; invalid scalars become U+FFFD).
    @inline(__always)
    static func appendRune(_ r: UInt32, to out: inout [UInt8]) {
        var r = r
        if r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF) { r = runeError }
        if r < 0x80 {
            out.append(UInt8(r))
        } else if r < 0x800 {
            out.append(UInt8(0xC0 | (r >> 6)))
            out.append(UInt8(0x80 | (r & 0x3F)))
        } else if r < 0x10000 {
            out.append(UInt8(0xE0 | (r >> 12)))
            out.append(UInt8(0x80 | ((r >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (r & 0x3F)))
        } else {
            out.append(UInt8(0xF0 | (r >> 18)))
            out.append(UInt8(0x80 | ((r >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((r >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (r & 0x3F)))
        }
    }

    /// Index of the first byte at or after `from` that does not start a
    /// `unicode.IsSpace` rune (`bytes.TrimLeftFunc(_, unicode.IsSpace)`).
    static func skipSpace(_ s: [UInt8], from: Int, to end: Int) -> Int {
        var i = from
        while i < end {
            let b = s[i]
            if b < 0x80 {
                if b == 0x20 || (b >= 0x09 && b <= 0x0D) { i += 1; continue }
                return i
            }
            let (r, w) = decodeRune(s, at: i, end: end)
            if isSpace(r) { i += w } else { return i }
        }
        return i
    }

    /// End index after removing trailing `unicode.IsSpace` runes from `s[from..<end]`.
    static func trimSpaceRight(_ s: [UInt8], from: Int, to end: Int) -> Int {
        var e = end
        while e > from {
            let b = s[e - 1]
            if b < 0x80 {
                if b == 0x20 || (b >= 0x09 && b <= 0x0D) { e -= 1; continue }
                return e
            }
            let (r, w) = decodeLastRune(s, from: from, end: e)
            if w > 1, isSpace(r) { e -= w } else { return e }
        }
        return e
    }

    /// `strings.TrimSpace` as a range.
    static func trimSpace(_ s: [UInt8], from: Int, to end: Int) -> Range<Int> {
        let a = skipSpace(s, from: from, to: end)
        let b = trimSpaceRight(s, from: a, to: end)
        return a..<b
    }

    /// The members of `reWhitespace` = `[\t\v\f\r ]`.
    @inline(__always)
    static func isReWhitespace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0B || b == 0x0C || b == 0x0D
    }

    /// `unicode.IsSpace(rune(b))` for a single byte (Go code that indexes a
    /// string byte by byte and casts to rune, so 0x85 and 0xA0 count).
    @inline(__always)
    static func isSpaceByte(_ b: UInt8) -> Bool {
        b == 0x20 || (b >= 0x09 && b <= 0x0D) || b == 0x85 || b == 0xA0
    }
}

extension Array where Element == UInt8 {
    /// Decodes as UTF-8, repairing invalid sequences (for display only).
    var utf8String: String { String(decoding: self, as: UTF8.self) }
}

extension ArraySlice where Element == UInt8 {
    var utf8String: String { String(decoding: self, as: UTF8.self) }
}
