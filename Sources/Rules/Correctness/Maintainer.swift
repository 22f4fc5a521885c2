// Maintainer: a Dockerfile correctness check (documentation, examples and check together).
import DockerfileSyntax

extension CorrectnessRules {
    static let maintainer = Rule(RuleDescriptor(
        id: "DF204", name: "maintainer-deprecated", title: "MAINTAINER is deprecated",
        defaultSeverity: .info,
        rationale: "MAINTAINER was deprecated in favour of a label, which tools can read.",
        fix: "Use `LABEL org.opencontainers.image.authors=\"...\"`.",
        triggering: ["FROM alpine:3.19\n↓MAINTAINER Jane <jane@example.com>\n"],
        nonTriggering: ["FROM alpine:3.19\nLABEL org.opencontainers.image.authors=\"jane@example.com\"\n"],
        aliases: ["DL4000", "MaintainerDeprecated"]
    )) { ctx in
        ctx.instructions.filter { $0.keyword == "MAINTAINER" }.map { Hit($0.keywordSpan, "MAINTAINER is deprecated; use LABEL org.opencontainers.image.authors") }
    }
}
