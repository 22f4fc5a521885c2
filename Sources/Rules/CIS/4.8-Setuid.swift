// CIS Docker Benchmark 4.8 setuid / setgid: the rules of this item, each with its documentation,
// examples (`↓` marks where a finding starts) and check.
import DockerfileSyntax

extension CISRules {
    /// Whether a chmod mode (symbolic or octal) adds setuid or setgid.
    static func addsSetID(_ mode: String) -> Bool {
        if !mode.isEmpty, mode.allSatisfy({ $0 >= "0" && $0 <= "7" }) {
            guard mode.count >= 4 else { return false }
            let special = mode[mode.index(mode.endIndex, offsetBy: -4)]
            return special == "2" || special == "3" || special == "4" || special == "5" || special == "6" || special == "7"
        }
        // Symbolic: clauses separated by commas; `+s` or `=...s` adds.
        for clause in mode.split(separator: ",") {
            var op: Character?
            for ch in clause {
                if ch == "+" || ch == "=" || ch == "-" { op = ch; continue }
                if ch == "s", op == "+" || op == "=" { return true }
            }
        }
        return false
    }

    static let setuid = Rule(RuleDescriptor(
        id: "DF160", name: "setuid-setgid", title: "chmod sets setuid or setgid", cis: "4.8", scored: false,
        defaultSeverity: .warning,
        rationale: "A setuid or setgid binary runs with its owner's or group's privileges whoever starts it: a classic privilege-escalation path, and CIS 4.8 asks that images carry none that are not needed.",
        fix: "Do not set the setuid/setgid bits; give the program the capability it needs or run it as the right user.",
        triggering: ["FROM debian:12\nRUN chmod ↓u+s /usr/local/bin/helper && chmod ↓4755 /usr/local/bin/other\n",
                     "FROM debian:12\nCOPY --chmod=↓2755 tool /usr/local/bin/tool\n"],
        nonTriggering: ["FROM debian:12\nRUN chmod 0755 /usr/local/bin/helper && chmod u-s /usr/bin/passwd && chmod -R g+w /srv\n"],
        aliases: []
    )) { ctx in
        var hits: [Hit] = []
        for c in ctx.commands where c.name == "chmod" || c.name == "install" {
            if c.name == "chmod" {
                for (i, a) in c.argv.enumerated().dropFirst() where !a.hasPrefix("--") && !(a.hasPrefix("-") && !a.contains("s")) {
                    if addsSetID(a) { hits.append(Hit(c.span(ofWord: i), "chmod \(a) sets the setuid/setgid bit")); break }
                    if !a.hasPrefix("-") { break }
                }
            } else if let (m, i) = c.value(of: "-m", "--mode"), addsSetID(m) {
                hits.append(Hit(c.span(ofWord: i), "install -m \(m) sets the setuid/setgid bit"))
            }
        }
        for ins in ctx.instructions {
            if case .copy = ins.value, let f = ins.flag("chmod"), let v = f.value, addsSetID(v) {
                hits.append(Hit(f.valueSpan, "--chmod=\(v) sets the setuid/setgid bit"))
            }
        }
        return hits
    }
}
