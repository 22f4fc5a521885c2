// Small text helpers shared by the rules (no Foundation needed).

extension StringProtocol {
    func trimmingCharacters(in set: Set<Character>) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }

    var trimmedSpaces: String { trimmingCharacters(in: [" ", "\t", "\r", "\n"]) }
}

enum Glob {
    /// `*` and `?` glob match, case-sensitive.
    static func match(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern), t = Array(text)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}

/// Masks a secret for display: keeps a short prefix that identifies the kind.
func mask(_ secret: String) -> String {
    let keep = min(4, max(0, secret.count / 4))
    return String(secret.prefix(keep)) + String(repeating: "*", count: 8)
}
