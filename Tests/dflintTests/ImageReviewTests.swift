import Foundation
import Testing
@testable import dflint

/// Tests/ImageReview/review.tsv: every finding image mode reports on the corpus image configs and
/// the fixture images, with a verdict. Each image is linted here as the review was made (default
/// options, empty environment, JSON); a finding without a row, a row whose finding is gone, and a
/// finding reviewed false that comes back all fail. `Tests/ImageReview/review.py draft` rewrites the
/// file (keep its verdict logic honest when a finding changes).
enum Review {
    struct Row: Sendable {
        var verdict: String, label: String, rule: String, at: String, message: String, reason: String
    }

    static let shared = CLITests.repo.deletingLastPathComponent().appendingPathComponent("shared").path
    static let file = CLITests.repo.appendingPathComponent("Tests/ImageReview/review.tsv")

    static func unescape(_ s: Substring) -> String {
        var out = "", esc = false
        for c in s {
            if esc { out.append(c == "t" ? "\t" : c); esc = false } else if c == "\\" { esc = true } else { out.append(c) }
        }
        return out
    }

    /// (images label → command-line words, rows)
    static let parsed: ([String: [String]], [String], [Row]) = {
        let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        var images: [String: [String]] = [:], order: [String] = [], rows: [Row] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            if f.first == "image", f.count == 3 {
                images[String(f[1])] = f[2].replacingOccurrences(of: "$SHARED", with: shared).split(separator: " ").map(String.init)
                order.append(String(f[1]))
            } else if f.count == 6 {
                rows.append(Row(verdict: String(f[0]), label: String(f[1]), rule: String(f[2]), at: unescape(f[3]),
                                message: unescape(f[4]), reason: unescape(f[5])))
            }
        }
        return (images, order, rows)
    }()

    static func normal(_ s: String) -> String { s.replacingOccurrences(of: shared, with: "$SHARED") }

    /// `*` matches any run of characters.
    static func glob(_ pattern: String, _ s: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { return pattern == s }
        guard s.hasPrefix(parts[0]) else { return false }
        var rest = Substring(s.dropFirst(parts[0].count))
        for (i, p) in parts.enumerated().dropFirst() {
            if i == parts.count - 1 { return p.isEmpty || rest.hasSuffix(p) }
            guard !p.isEmpty else { continue }
            guard let r = rest.range(of: p) else { return false }
            rest = rest[r.upperBound...]
        }
        return true
    }
}

@Suite struct ImageReviewTests {
    @Test func reviewCoversTheCorpusAndTheFixtures() {
        let (images, order, rows) = Review.parsed
        #expect(order.count == images.count && order.filter { $0.hasPrefix("corpus/") }.count == 118, "\(order.count)")
        #expect(order.filter { $0.hasPrefix("fixture/") }.count == 30)
        #expect(rows.allSatisfy { ["true", "false", "false-open", "dropped"].contains($0.verdict) && !$0.reason.isEmpty })
        #expect(rows.filter { $0.verdict == "false" }.count > 100)
    }

    @Test(arguments: Review.parsed.1)
    func everyFindingHasAVerdict(_ label: String) throws {
        let (images, _, all) = Review.parsed
        let args = try #require(images[label])
        let rows = all.filter { $0.label == label }
        let (_, out, err) = CLITests.run(["--from-image"] + args + ["-f", "json", "--failure-threshold", "none"], env: [:])
        let list = try #require((try? JSONSerialization.jsonObject(with: Data(out.utf8))) as? [[String: Any]], "\(label): \(err)")
        let lines = CLITests.run(["reconstruct"] + args).1.split(separator: "\n", omittingEmptySubsequences: false).map { Review.normal(String($0)) }
        var reported = Set<String>()
        for f in list {
            let rule = f["rule"] as? String ?? "", line = f["line"] as? Int ?? 0
            let at = "\(line):\(f["column"] as? Int ?? 0)", msg = Review.normal(f["message"] as? String ?? "")
            reported.insert("\(rule)\t\(at)\t\(msg)")
            let reviewed = rows.contains { ["true", "false-open"].contains($0.verdict) && $0.rule == rule && $0.at == at && $0.message == msg }
            #expect(reviewed, "unreviewed finding: \(label)\t\(rule)\t\(at)\t\(msg)")
            // A finding reviewed false must not come back on the instruction it was about.
            // (`at` holds the line's first 100 characters as the old binary printed it.)
            let text = line >= 1 && line <= lines.count ? lines[line - 1] : ""
            for r in rows where r.verdict == "false" && r.rule == rule && r.at.count > 3 && text.hasPrefix(r.at.dropFirst(3))
                && Review.glob(r.message, msg) {
                Issue.record("reviewed false, back again: \(label) \(rule) \(at) \(msg) (\(r.reason))")
            }
        }
        for r in rows where ["true", "false-open"].contains(r.verdict) {
            #expect(reported.contains("\(r.rule)\t\(r.at)\t\(r.message)"), "reviewed finding no longer reported (review it again): \(label) \(r.rule) \(r.at) \(r.message)")
        }
    }

    /// The guard itself: a false row matches the finding it was written for (the old DF170 on a
    /// rootfs ADD of alpine), by instruction and glob.
    @Test func falseRowsMatchTheirOldFinding() throws {
        let rows = Review.parsed.2.filter { $0.verdict == "false" && $0.rule == "DF170" && $0.label.contains("alpine-310") }
        let r = try #require(rows.first)
        #expect(r.at.hasPrefix("at ADD file:d48cac34fac3") && r.at.hasSuffix(" /"))
        #expect(Review.glob(r.message, "history entry 0: ADD of build-context content (file:d48cac34fac3…): COPY does the same"))
        let scratch = try #require(Review.parsed.2.first { $0.verdict == "false" && $0.rule == "DF101" })
        #expect(Review.glob(scratch.message, "the image config sets no User, so the container runs as root (uid 0: scratch has no users)"))
        #expect(!Review.glob(scratch.message, "the image config sets no User, so the container runs as root (uid 0)"))
    }
}
