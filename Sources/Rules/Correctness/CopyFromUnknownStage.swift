// CopyFromUnknownStage: a Dockerfile correctness check (documentation, examples and check together).
import DockerfileSyntax

extension CorrectnessRules {
    static let copyFromUnknown = Rule(RuleDescriptor(
        id: "DF205", name: "copy-from-unknown-stage", title: "COPY --from names no stage",
        defaultSeverity: .warning,
        rationale: "`COPY --from=name` with a name that is no stage is taken as an image name and pulled from Docker Hub: a typo in a stage name silently copies from a stranger's image.",
        fix: "Use the name of an earlier stage (or a full image reference if an image was meant).",
        triggering: ["FROM golang:1.22 AS builder\nFROM alpine:3.19\nCOPY --from=↓buidler /out/app /app\n"],
        nonTriggering: ["FROM golang:1.22 AS builder\nFROM alpine:3.19\nCOPY --from=builder /out/app /app\nCOPY --from=0 /a /a\nCOPY --from=nginx:1.27 /etc/nginx /etc/nginx\n"],
        aliases: ["DL3022"]
    )) { ctx in
        var hits: [Hit] = []
        let names = ctx.dockerfile.stages.compactMap(\.name)
        for ins in ctx.instructions {
            guard case .copy(let c) = ins.value, let f = c.from, let v = f.value, !v.isEmpty, !v.contains("$") else { continue }
            if Int(v) != nil || names.contains(v.lowercased()) { continue }
            if v.contains("/") || v.contains(":") || v.contains(".") || v.contains("@") { continue }
            var msg = "--from=\(v) names no stage, so BuildKit pulls an image called \(v)"
            if let s = names.min(by: { levenshtein($0, v) < levenshtein($1, v) }), levenshtein(s, v) <= 2 { msg += " (did you mean \(s)?)" }
            hits.append(Hit(f.valueSpan, msg))
        }
        return hits
    }

    static func levenshtein(_ a: String, _ b: String) -> Int { EditDistance.levenshtein(a, b) }
}
