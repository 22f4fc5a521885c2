// Checkstyle XML: one <file> per file (files with sources but no findings
// included, so consumers count them as checked), one <error> per finding.
import Rules
import DockerfileSyntax

enum CheckstyleFormat {
    static func render(_ findings: [Finding], _ input: ReportInput) -> String {
        var byFile: [String: [Finding]] = [:]
        for f in findings { byFile[f.file, default: []].append(f) }
        let files = Set(byFile.keys).union(input.sources.keys).sorted()

        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n"
        for file in files {
            let list = byFile[file] ?? []
            if list.isEmpty {
                out += "  <file name=\"\(escape(file))\"/>\n"
                continue
            }
            out += "  <file name=\"\(escape(file))\">\n"
            for f in list {
                out += "    <error line=\"\(f.range.start.line)\" column=\"\(f.range.start.column)\""
                out += " severity=\"\(SeverityMap.checkstyle(f.severity))\""
                out += " message=\"\(escape(f.message))\" source=\"dflint.\(escape(f.ruleID))\"/>\n"
            }
            out += "  </file>\n"
        }
        return out + "</checkstyle>\n"
    }

    /// Attribute value text: `& < > " '` as entities; tab, LF and CR as
    /// character references (a literal one would be normalised to a space);
    /// DEL and C1 controls as character references; characters XML 1.0
    /// cannot carry at all (other C0 controls, U+FFFE, U+FFFF) as U+FFFD.
    static func escape(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u.value {
            case 0x26: out += "&amp;"
            case 0x3C: out += "&lt;"
            case 0x3E: out += "&gt;"
            case 0x22: out += "&quot;"
            case 0x27: out += "&apos;"
            case 0x09, 0x0A, 0x0D, 0x7F...0x9F: out += "&#\(u.value);"
            case 0x00..<0x20, 0xFFFE, 0xFFFF: out += "\u{FFFD}"
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
