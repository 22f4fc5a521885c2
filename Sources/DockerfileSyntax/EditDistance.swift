// Levenshtein distance for "did you mean ...?" suggestions (instructions,
// flags, stage names, rules, configuration keys all use this one).

public enum EditDistance {
    /// Insertions, deletions and substitutions between the Unicode scalars of `a` and `b`.
    public static func levenshtein(_ a: String, _ b: String) -> Int {
        levenshtein(Array(a.unicodeScalars), Array(b.unicodeScalars))
    }

    public static func levenshtein<T: Equatable>(_ a: [T], _ b: [T]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// The candidate nearest to `word` within `maxDistance` (ties: the first in sorted order).
    public static func closest(to word: String, in candidates: some Sequence<String>, maxDistance: Int = 2,
                               caseInsensitive: Bool = true) -> String? {
        let w = caseInsensitive ? word.lowercased() : word
        var best: (Int, String)?
        for c in candidates {
            let d = levenshtein(w, caseInsensitive ? c.lowercased() : c)
            if d <= maxDistance, best == nil || d < best!.0 || (d == best!.0 && c < best!.1) { best = (d, c) }
        }
        return best?.1
    }
}
