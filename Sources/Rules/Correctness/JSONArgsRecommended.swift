// JSONArgsRecommended: a Dockerfile correctness check (documentation, examples and check together).
import DockerfileSyntax

extension CorrectnessRules {
    static let jsonArgs = Rule(RuleDescriptor(
        id: "DF203", name: "json-args-recommended", title: "CMD or ENTRYPOINT in shell form",
        defaultSeverity: .warning,
        rationale: "In shell form the command runs under `/bin/sh -c`, which becomes PID 1 and does not forward signals: `docker stop` waits for the timeout and kills the process. The exec (JSON) form runs the program directly.",
        fix: "Write `CMD [\"executable\", \"arg\"]`.",
        triggering: ["FROM alpine:3.19\nCMD ↓nginx -g 'daemon off;'\n"],
        nonTriggering: ["FROM alpine:3.19\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n",
                        "FROM alpine:3.19\nSHELL [\"/bin/ash\", \"-c\"]\nCMD nginx\n"],
        aliases: ["DL3025", "JSONArgsRecommended"]
    )) { ctx in
        var hits: [Hit] = []
        for st in ctx.dockerfile.stages {
            let hasShell = st.instructionIndices.contains { if case .shell = ctx.instructions[$0].value { return true } else { return false } }
            if hasShell { continue }
            for i in st.instructionIndices {
                switch ctx.instructions[i].value {
                case .cmd(.shell(let w)?), .entrypoint(.shell(let w)?):
                    hits.append(Hit(w.span, "\(ctx.instructions[i].keyword) in shell form runs under /bin/sh, which does not forward signals"))
                default: break
                }
            }
        }
        return hits
    }
}
