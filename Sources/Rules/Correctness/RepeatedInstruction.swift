// RepeatedInstruction: a Dockerfile correctness check (documentation, examples and check together).
import DockerfileSyntax

extension CorrectnessRules {
    static let repeated = Rule(RuleDescriptor(
        id: "DF202", name: "repeated-instruction", title: "CMD, ENTRYPOINT or HEALTHCHECK repeated in a stage",
        defaultSeverity: .warning,
        rationale: "Only the last CMD, ENTRYPOINT or HEALTHCHECK of a stage takes effect; the earlier ones are dead code that misleads readers. In image mode the rule looks within each build of the history only: a base image's CMD that the child image replaces is how images are meant to be built, and the facts the config adds are not instructions anyone wrote twice.",
        fix: "Keep only the last one.",
        triggering: ["FROM alpine:3.19\n↓CMD [\"a\"]\nCMD [\"b\"]\n↓HEALTHCHECK CMD true\nHEALTHCHECK CMD false\n"],
        nonTriggering: ["FROM alpine:3.19 AS a\nCMD [\"a\"]\nFROM alpine:3.19\nCMD [\"b\"]\n",
                        "# settings: image-mode, builds=3-4;5-6\nFROM scratch\nADD rootfs.tar.xz /\nCMD [\"sh\"]\nRUN make install\nCMD [\"app\"]\n"],
        aliases: ["DL4003", "DL4004", "DL3012", "MultipleInstructionsDisallowed"]
    )) { ctx in
        var hits: [Hit] = []
        // Image mode: instructions of different builds (base image, this image, config facts) never repeat each other.
        let image = ctx.settings.imageMode ? ctx.settings.image : nil
        for st in ctx.dockerfile.stages {
            var groups: [Int?: [Int]] = [:]
            var order: [Int?] = []
            for i in st.instructionIndices {
                let g = image?.build(ofLine: ctx.instructions[i].startLine)
                if groups[g] == nil { order.append(g) }
                groups[g, default: []].append(i)
            }
            let what = image == nil ? "stage" : "build"
            for g in order {
                for kw in ["CMD", "ENTRYPOINT", "HEALTHCHECK"] {
                    let list = groups[g]!.filter { ctx.instructions[$0].keyword == kw }
                    guard let last = list.last else { continue }
                    let peer = kw == "CMD" ? "DL4003" : kw == "ENTRYPOINT" ? "DL4004" : "DL3012"
                    for i in list.dropLast() {
                        hits.append(Hit(ctx.instructions[i].keywordSpan,
                                        "this \(kw) is overridden by the one on line \(ctx.instructions[last].startLine); only the last \(kw) of a \(what) takes effect",
                                        aliases: [peer, "MultipleInstructionsDisallowed"]))
                    }
                }
            }
        }
        return hits
    }
}
