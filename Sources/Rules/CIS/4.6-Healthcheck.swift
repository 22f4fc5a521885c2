// CIS Docker Benchmark 4.6 healthcheck: the rules of this item, each with its documentation,
// examples (`↓` marks where a finding starts) and check.
import DockerfileSyntax

extension CISRules {
    static let missingHealthcheck = Rule(RuleDescriptor(
        id: "DF140", name: "missing-healthcheck", title: "The final stage has no HEALTHCHECK", cis: "4.6", scored: true,
        defaultSeverity: .warning,
        rationale: "Without a HEALTHCHECK the engine only knows whether the main process is alive, not whether it serves; CIS 4.6 asks for one in every image. A HEALTHCHECK inherited from a base stage counts.",
        fix: "Add `HEALTHCHECK CMD <command that fails when the service is unhealthy>` to the final stage.",
        triggering: ["↓FROM nginx:1.27\nCOPY site /usr/share/nginx/html\n"],
        nonTriggering: ["FROM nginx:1.27\nHEALTHCHECK --interval=30s CMD curl -fsS http://localhost/ || exit 1\n",
                        "FROM nginx:1.27 AS base\nHEALTHCHECK CMD curl -f http://localhost/\nFROM base\n"],
        aliases: ["DL3057"]
    )) { ctx in
        guard let final = ctx.finalStage, ctx.facts(ofStage: final.index).lastHealthcheck == nil else { return [] }
        return [Hit(final.from.keywordSpan, "the final stage has no HEALTHCHECK")]
    }

    static let healthcheckNone = Rule(RuleDescriptor(
        id: "DF141", name: "healthcheck-none", title: "HEALTHCHECK NONE disables the health check", cis: "4.6", scored: true,
        defaultSeverity: .warning,
        rationale: "`HEALTHCHECK NONE` switches off any health check the base image defined. dockle and docker-bench count it as a HEALTHCHECK and pass it; it is the opposite of what CIS 4.6 asks.",
        fix: "Replace `HEALTHCHECK NONE` with a real check.",
        triggering: ["FROM nginx:1.27\nHEALTHCHECK ↓NONE\n"],
        nonTriggering: ["FROM nginx:1.27\nHEALTHCHECK NONE\nHEALTHCHECK CMD curl -f http://localhost/\n"],
        aliases: []
    )) { ctx in
        guard let final = ctx.finalStage, let hc = ctx.facts(ofStage: final.index).lastHealthcheck,
              case .healthcheck(.none(let w)) = hc.value else { return [] }
        return [Hit(w.span, "HEALTHCHECK NONE disables health checking for the image")]
    }
}
