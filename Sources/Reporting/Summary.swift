// The one-line terminal summary.
import Rules
import DockerfileSyntax

enum Summary {
    static func render(_ input: ReportInput, fileCount: Int) -> String {
        func paint(_ s: String, _ code: String) -> String { input.color ? code + s + ANSI.reset : s }
        func files(_ n: Int) -> String { n == 1 ? "1 file" : "\(n) files" }

        let findings = input.findings
        if findings.isEmpty {
            return "no findings in \(files(max(0, fileCount)))"
        }
        var counts: [Severity: Int] = [:]
        for f in findings { counts[f.severity, default: 0] += 1 }
        var parts: [String] = []
        for s in [Severity.error, .warning, .info, .style] {
            guard let n = counts[s], n > 0 else { continue }
            let word: String
            switch s {
            case .error: word = n == 1 ? "error" : "errors"
            case .warning: word = n == 1 ? "warning" : "warnings"
            case .info: word = "info"
            case .style: word = "style"
            }
            parts.append(paint("\(n) \(word)", ANSI.severity(s)))
        }
        let affected = Set(findings.map(\.file)).count
        let checked = max(fileCount, affected)
        let total = findings.count == 1 ? "1 finding" : "\(findings.count) findings"
        var line = "\(total) (\(parts.joined(separator: ", "))) in "
        line += affected == checked ? files(affected) : "\(affected) of \(files(checked))"

        let scored = Set(findings.filter { $0.scored }.compactMap(\.cis)).sorted(by: TextUtil.cisLess)
        if !scored.isEmpty {
            line += "; CIS Scored items failed: " + scored.joined(separator: ", ")
        }
        return line
    }
}
