import DockerfileSyntax
// "Did you mean ...?" for unknown keys, rule references and enumerated values.

enum Suggestions {
    /// The candidate closest to `word` (case-insensitive Levenshtein distance of at most 2, and
    /// less than the word's length), ties going to the first in sorted order; nil if none is close.
    static func closest(to word: String, in candidates: some Sequence<String>) -> String? {
        let w = Array(word.lowercased().unicodeScalars)
        guard !w.isEmpty, w.count <= 64 else { return nil }
        var best: (distance: Int, candidate: String)? = nil
        for candidate in candidates {
            let c = Array(candidate.lowercased().unicodeScalars)
            guard abs(c.count - w.count) <= 2 else { continue }
            let d = distance(w, c)
            guard d <= 2, d < w.count else { continue }
            if best == nil || d < best!.distance || (d == best!.distance && candidate < best!.candidate) {
                best = (d, candidate)
            }
        }
        return best?.candidate
    }

    /// Levenshtein distance (insertions, deletions, substitutions).
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int { EditDistance.levenshtein(a, b) }

    /// " (did you mean 'x'?)" or "".
    static func hint(for word: String, in candidates: some Sequence<String>) -> String {
        guard let s = closest(to: word, in: candidates) else { return "" }
        return " (did you mean '\(s)'?)"
    }
}
