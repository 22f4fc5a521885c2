// Human output, rustc/swiftc style:
//
//     Dockerfile:5:6: error: Last USER is root [DF301 root-user]
//     5 | USER root
//       |      ^~~~
//       = fix: Add `USER app` after installing packages.
//       = CIS 4.1 (Scored)
//
// Blocks are separated by a blank line. Without colour there are no escape
// sequences at all.
import Rules
import DockerfileSyntax

enum ANSI {
    static let reset = "\u{1B}[0m"
    static let bold = "\u{1B}[1m"
    static let dim = "\u{1B}[2m"
    static let gutter = "\u{1B}[1;34m"

    static func severity(_ s: Severity) -> String {
        switch s {
        case .error: return "\u{1B}[1;31m"
        case .warning: return "\u{1B}[1;33m"
        case .info: return "\u{1B}[1;36m"
        case .style: return "\u{1B}[1;35m"
        }
    }
}

enum TTYFormat {
    static func render(_ findings: [Finding], _ input: ReportInput) -> String {
        var cache = SourceCache(input.sources)
        var blocks: [String] = []
        for f in findings {
            blocks.append(block(f, &cache, color: input.color))
        }
        return blocks.isEmpty ? "" : blocks.joined(separator: "\n")
    }

    private static func block(_ f: Finding, _ cache: inout SourceCache, color: Bool) -> String {
        func paint(_ s: String, _ code: String) -> String { color ? code + s + ANSI.reset : s }

        let line = f.range.start.line
        let location = "\(TextUtil.oneLine(f.file)):\(line):\(f.range.start.column):"
        // The peer id (hadolint DLxxxx, BuildKit check) rides along so a switching user recognises it.
        let peers = f.aliases.isEmpty ? "" : ", " + TextUtil.oneLine(f.aliases.joined(separator: ", "))
        let tag = "[\(TextUtil.oneLine(f.ruleID)) \(TextUtil.oneLine(f.ruleName))\(peers)]"
        var out = paint(location, ANSI.bold) + " "
            + paint(f.severity.rawValue + ":", ANSI.severity(f.severity)) + " "
            + paint(TextUtil.message(f), ANSI.bold) + " "
            + paint(tag, ANSI.dim) + "\n"

        var gutterWidth = 1
        if let bytes = cache.line(f.file, line) {
            gutterWidth = TextUtil.decimalDigits(line)
            let end = f.range.end.line == line ? f.range.end.column : (f.range.end.line > line ? nil : f.range.start.column)
            // The source line is printed after "LINE | ".
            let (source, carets) = Excerpt.render(bytes, start: f.range.start.column, end: end, indent: gutterWidth + 3)
            out += paint("\(line) |", ANSI.gutter) + (source.isEmpty ? "" : " " + source) + "\n"
            out += paint(String(repeating: " ", count: gutterWidth) + " |", ANSI.gutter)
                + " " + paint(carets, ANSI.severity(f.severity)) + "\n"
        }
        let pad = String(repeating: " ", count: gutterWidth + 1)
        if let fix = f.fix.map(TextUtil.oneLine), !fix.isEmpty {
            out += pad + paint("=", ANSI.gutter) + " " + paint("fix:", ANSI.bold) + " " + fix + "\n"
        }
        if let cis = f.cis.map(TextUtil.oneLine), !cis.isEmpty {
            out += pad + paint("=", ANSI.gutter) + " CIS \(cis) (\(f.scored ? "Scored" : "Not Scored"))\n"
        }
        return out
    }
}
