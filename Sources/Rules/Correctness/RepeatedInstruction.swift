// RepeatedInstruction: a Dockerfile correctness check (documentation, examples and check together).
import DockerfileSyntax

extension CorrectnessRules {
    static let repeated = Rule(RuleDescriptor(
        id: "DF202", name: "repeated-instruction", title: "CMD, ENTRYPOINT or HEALTHCHECK repeated in a stage",
        defaultSeverity: .warning,
        rationale: "Only the last CMD, ENTRYPOINT or HEALTHCHECK of a stage takes effect; the earlier ones are dead code that misleads readers.",
        fix: "Keep only the last one.",
        triggering: ["FROM alpine:3.19\n↓CMD [\"a\"]\nCMD [\"b\"]\n↓HEALTHCHECK CMD true\nHEALTHCHECK CMD false\n"],
        nonTriggering: ["FROM alpine:3.19 AS a\nCMD [\"a\"]\nFROM alpine:3.19\nCMD [\"b\"]\n"],
        aliases: ["DL4003", "DL4004", "DL3012", "MultipleInstructionsDisallowed"]
    )) { ctx in
        var hits: [Hit] = []
        for st in ctx.dockerfile.stages {
            for kw in ["CMD", "ENTRYPOINT", "HEALTHCHECK"] {
                let list = st.instructionIndices.filter { ctx.instructions[$0].keyword == kw }
                guard let last = list.last else { continue }
                let peer = kw == "CMD" ? "DL4003" : kw == "ENTRYPOINT" ? "DL4004" : "DL3012"
                for i in list.dropLast() {
                    hits.append(Hit(ctx.instructions[i].keywordSpan,
                                    "this \(kw) is overridden by the one on line \(ctx.instructions[last].startLine); only the last \(kw) of a stage takes effect",
                                    aliases: [peer, "MultipleInstructionsDisallowed"]))
                }
            }
        }
        return hits
    }
}
