// The source line and caret line under a tty finding.
//
// A line is cut into column units exactly as `SourceFile.position(of:)`
// counts columns: a unit starts at every byte that is not a UTF-8
// continuation byte. A valid scalar is shown as itself (control and bidi
// characters as visible stand-ins, so a Dockerfile cannot drive the
// terminal), an invalid unit as U+FFFD. The caret line repeats tabs of the
// prefix and pads everything else by display width, so carets land under the
// range whatever the terminal's tab stops; inside the range a tab is
// underlined to the next 8-column stop.

struct ExcerptUnit: Equatable {
    var text: String
    /// Display width in terminal cells (tabs: 0 here, handled separately).
    var width: Int
    var isTab: Bool
    /// 1-based column; 0 for continuation bytes that open the line.
    var column: Int
}

enum Excerpt {
    static func units(_ line: ArraySlice<UInt8>) -> [ExcerptUnit] {
        var out: [ExcerptUnit] = []
        var i = line.startIndex
        var column = 0
        while i < line.endIndex {
            var j = i + 1
            while j < line.endIndex, line[j] & 0xC0 == 0x80 { j += 1 }
            let isLead = line[i] & 0xC0 != 0x80
            if isLead { column += 1 }
            out.append(unit(line[i..<j], column: isLead ? column : 0))
            i = j
        }
        return out
    }

    private static func unit(_ bytes: ArraySlice<UInt8>, column: Int) -> ExcerptUnit {
        guard let scalar = decodeOne(bytes) else {
            return ExcerptUnit(text: "\u{FFFD}", width: 1, isTab: false, column: column)
        }
        switch scalar.value {
        case 0x09:
            return ExcerptUnit(text: "\t", width: 0, isTab: true, column: column)
        case 0x00..<0x20:
            // Control Pictures block: U+2400 + code.
            return ExcerptUnit(text: String(Unicode.Scalar(0x2400 + scalar.value)!), width: 1, isTab: false, column: column)
        case 0x7F:
            return ExcerptUnit(text: "\u{2421}", width: 1, isTab: false, column: column)
        case 0x80..<0xA0, 0x202A...0x202E, 0x2066...0x2069:
            return ExcerptUnit(text: "\u{FFFD}", width: 1, isTab: false, column: column)
        default:
            return ExcerptUnit(text: String(scalar), width: displayWidth(scalar), isTab: false, column: column)
        }
    }

    /// The scalar when `bytes` is exactly one well-formed UTF-8 sequence.
    static func decodeOne(_ bytes: ArraySlice<UInt8>) -> Unicode.Scalar? {
        guard let b0 = bytes.first else { return nil }
        let n: Int
        var v: UInt32
        switch b0 {
        case 0x00...0x7F: n = 1; v = UInt32(b0)
        case 0xC2...0xDF: n = 2; v = UInt32(b0 & 0x1F)
        case 0xE0...0xEF: n = 3; v = UInt32(b0 & 0x0F)
        case 0xF0...0xF4: n = 4; v = UInt32(b0 & 0x07)
        default: return nil
        }
        guard bytes.count == n else { return nil }
        for b in bytes.dropFirst() {
            guard b & 0xC0 == 0x80 else { return nil }
            v = v << 6 | UInt32(b & 0x3F)
        }
        // Overlong forms, surrogates and values above U+10FFFF.
        switch n {
        case 3 where v < 0x800: return nil
        case 4 where v < 0x10000: return nil
        default: break
        }
        return Unicode.Scalar(v)
    }

    /// Terminal cells for a printable scalar: 0 for combining marks and
    /// format characters, 2 for East Asian wide/fullwidth and emoji
    /// presentation, else 1 (after Markus Kuhn's wcwidth).
    static func displayWidth(_ s: Unicode.Scalar) -> Int {
        let v = s.value
        switch s.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if (0x1160...0x11FF).contains(v) { return 0 }
        if isWide(v) || s.properties.isEmojiPresentation { return 2 }
        return 1
    }

    private static func isWide(_ v: UInt32) -> Bool {
        v >= 0x1100 && (
            v <= 0x115F || v == 0x2329 || v == 0x232A
            || (v >= 0x2E80 && v <= 0xA4CF && v != 0x303F)
            || (v >= 0xAC00 && v <= 0xD7A3)
            || (v >= 0xF900 && v <= 0xFAFF)
            || (v >= 0xFE10 && v <= 0xFE19)
            || (v >= 0xFE30 && v <= 0xFE6F)
            || (v >= 0xFF00 && v <= 0xFF60)
            || (v >= 0xFFE0 && v <= 0xFFE6)
            || (v >= 0x1F300 && v <= 0x1F64F)
            || (v >= 0x1F900 && v <= 0x1F9FF)
            || (v >= 0x20000 && v <= 0x2FFFD)
            || (v >= 0x30000 && v <= 0x3FFFD))
    }

    /// The displayed source line and its caret line (`^` then `~`) for the
    /// columns `start..<end` of this line; `end` nil means to the end of the
    /// line (a range going on to later lines). Columns outside the line are
    /// clamped to just after its last character; an empty range gets one `^`.
    /// `indent` is the terminal cell the line starts at (after the gutter),
    /// for the width of tabs inside the range.
    static func render(_ line: ArraySlice<UInt8>, start: Int, end: Int?, indent: Int = 0) -> (source: String, carets: String) {
        let units = units(line)
        let pastEnd = (units.last?.column ?? 0) + 1
        let from = min(max(1, start), pastEnd)
        let to = min(max(from, end ?? pastEnd), pastEnd)

        var source = ""
        var prefix = ""
        var cell = indent
        var underline = 0
        for u in units {
            source += u.text
            let width = u.isTab ? 8 - cell % 8 : u.width
            if u.column < from {
                prefix += u.isTab ? "\t" : String(repeating: " ", count: width)
            } else if u.column < to {
                underline += width
            }
            cell += width
        }
        let carets = "^" + String(repeating: "~", count: max(1, underline) - 1)
        return (source, prefix + carets)
    }
}
