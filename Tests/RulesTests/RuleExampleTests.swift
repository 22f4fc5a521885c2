import Foundation
import Testing
@testable import DockerfileSyntax
@testable import Rules

/// One generic test runs every rule's documented examples, so the docs
/// (`dflint explain`, SARIF help) cannot drift from the behaviour.
struct Example: CustomTestStringConvertible, Sendable {
    var rule: String
    var text: String
    var triggering: Bool
    var testDescription: String { "\(rule) \(triggering ? "+" : "-") \(text.prefix(60).replacingOccurrences(of: "\n", with: "⏎"))" }

    static var all: [Example] {
        Catalogue.descriptors.flatMap { d in
            d.triggering.map { Example(rule: d.id, text: $0, triggering: true) }
                + d.nonTriggering.map { Example(rule: d.id, text: $0, triggering: false) }
        }
    }

    /// The example without markers, and the (line, column) of each `↓`.
    var stripped: (String, [Position]) {
        var out = ""
        var marks: [Position] = []
        var line = 1, col = 1
        for ch in text.unicodeScalars {
            if ch == "↓" { marks.append(Position(line: line, column: col)); continue }
            out.unicodeScalars.append(ch)
            if ch == "\n" { line += 1; col = 1 } else { col += 1 }
        }
        return (out, marks)
    }

    /// `# settings: trusted-registries=a,b, secret-allow=X_*, image-mode, env=K=V, os=windows, builds=3-4;5-6` on the first line.
    static func settings(_ text: String) -> RuleSettings {
        var s = RuleSettings()
        guard let first = text.split(separator: "\n").first, first.hasPrefix("# settings:") else { return s }
        for item in String(first.dropFirst("# settings:".count)).components(separatedBy: ", ").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let kv = item.split(separator: "=", maxSplits: 1).map(String.init)
            switch kv[0] {
            case "trusted-registries": s.trustedRegistries = kv[1].split(separator: ",").map(String.init)
            case "secret-allow": s.secretAllow = kv[1].split(separator: ",").map(String.init)
            case "image-mode": s.imageMode = true
            case "os": s.image = ImageFacts(os: kv[1], builds: s.image?.builds ?? [])
            case "builds":   // image mode: `builds=3-4;5-6`, line ranges of one build each
                let ranges = kv[1].split(separator: ";").map { r -> ClosedRange<Int> in
                    let b = r.split(separator: "-").compactMap { Int($0) }
                    return b[0]...b[b.count - 1]
                }
                s.image = ImageFacts(os: s.image?.os, builds: ranges)
            case "env":
                let e = kv[1].split(separator: "=", maxSplits: 1).map(String.init)
                s.hostEnvironment[e[0]] = e.count > 1 ? e[1] : ""
            default: Issue.record("unknown example setting \(item)")
            }
        }
        return s
    }
}



@Suite struct RuleExampleTests {
    @Test func everyRuleIsDocumented() {
        var ids = Set<String>(), names = Set<String>()
        for d in Catalogue.descriptors {
            #expect(ids.insert(d.id).inserted, "duplicate id \(d.id)")
            #expect(names.insert(d.name).inserted, "duplicate name \(d.name)")
            #expect(!d.title.isEmpty && !d.fix.isEmpty && !d.rationale.isEmpty, "\(d.id) lacks docs")
            #expect(d.name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" }, "\(d.name) is not kebab-case")
        }
        for r in Catalogue.rules {
            #expect(!r.descriptor.triggering.isEmpty, "\(r.descriptor.id) has no triggering example")
            #expect(!r.descriptor.nonTriggering.isEmpty, "\(r.descriptor.id) has no non-triggering example")
            #expect(r.descriptor.triggering.allSatisfy { $0.contains("↓") }, "\(r.descriptor.id) example without a marker")
        }
        // Every CIS section 4 item a Dockerfile can show has at least one rule.
        let items = Set(Catalogue.rules.compactMap(\.descriptor.cis))
        for item in ["4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "4.8", "4.9", "4.10", "4.11"] {
            #expect(items.contains(item), "no rule for CIS \(item)")
        }
        // Scored items are exactly 4.1, 4.5, 4.6.
        #expect(Set(Catalogue.rules.filter(\.descriptor.scored).compactMap(\.descriptor.cis)) == ["4.1", "4.5", "4.6"])
    }

    @Test(arguments: Example.all)
    func example(_ e: Example) {
        let (text, marks) = e.stripped
        var options = LintOptions()
        options.rules = Example.settings(text)
        let df = Dockerfile.parse(text)
        let found = Linter(options: options).lint(df, path: "Dockerfile").filter { $0.ruleID == e.rule }
        if e.triggering {
            #expect(found.map(\.range.start).sorted() == marks.sorted(), "\(found.map { "\($0.range.start) \($0.message)" })")
            #expect(!found.isEmpty)
            // A sub-case alias must be one the rule documents, so `--ignore ALIAS` and lookups agree.
            let documented = Set(Catalogue.lookup(e.rule)?.aliases ?? [])
            for f in found { #expect(Set(f.aliases).isSubset(of: documented), "\(f.aliases) not among \(documented)") }
        } else {
            #expect(found.isEmpty, "\(found.map { "\($0.range.start) \($0.message)" })")
        }
    }
}
