// One line per finding: `gnu` (for problem matchers, Emacs, Vim, VS Code)
// and `github` (Actions workflow commands).
import Rules
import DockerfileSyntax

enum LineFormats {
    /// `FILE:LINE:COL: SEVERITY: MESSAGE [RULE-ID]`. File and message are made
    /// single-line (line breaks become spaces, other control characters
    /// U+FFFD) and trimmed, so every finding is exactly one line that
    /// `^(.+?):(\d+):(\d+):\s+(\w+):\s+(.+?)\s+\[([A-Z]+[0-9]+)\]$` parses.
    static func gnu(_ findings: [Finding]) -> String {
        var out = ""
        for f in findings {
            out += "\(TextUtil.oneLine(f.file)):\(f.range.start.line):\(f.range.start.column): "
            out += "\(f.severity.rawValue): \(TextUtil.message(f)) [\(TextUtil.oneLine(f.ruleID))]\n"
        }
        return out
    }

    /// `::error file=F,line=L,col=C,endLine=EL,endColumn=EC,title=ID name::message`
    /// (`notice` for info and style). Columns are given only for single-line
    /// ranges, as the checks API rejects them otherwise; `endColumn` is
    /// exclusive like ours.
    static func github(_ findings: [Finding]) -> String {
        var out = ""
        for f in findings {
            let r = f.range
            let startLine = max(1, r.start.line)
            let endLine = max(startLine, f.lastLine)
            var props: [(String, String)] = [("file", PathUtil.normalised(f.file)), ("line", "\(startLine)")]
            if endLine == startLine {
                let col = max(1, r.start.column)
                let endCol = r.end.line > startLine ? nil : max(col, r.end.column)
                props.append(("col", "\(col)"))
                props.append(("endLine", "\(endLine)"))
                if let endCol { props.append(("endColumn", "\(endCol)")) }
            } else {
                props.append(("endLine", "\(endLine)"))
            }
            props.append(("title", "\(f.ruleID) \(f.ruleName)"))
            out += "::\(SeverityMap.github(f.severity)) "
            out += props.map { "\($0.0)=\(escapeProperty($0.1))" }.joined(separator: ",")
            out += "::\(escapeData(f.message))\n"
        }
        return out
    }

    /// `@actions/core` `escapeData`: `%`, CR and LF.
    static func escapeData(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// `@actions/core` `escapeProperty`: as data, plus `:` and `,`.
    static func escapeProperty(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            case ":": out += "%3A"
            case ",": out += "%2C"
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
