// RelativeWorkdir: a Dockerfile correctness check (documentation, examples and check together).
import DockerfileSyntax

extension CorrectnessRules {
    static let relativeWorkdir = Rule(RuleDescriptor(
        id: "DF201", name: "relative-workdir", title: "Relative WORKDIR without an absolute one before it",
        defaultSeverity: .warning,
        rationale: "A relative WORKDIR is resolved against whatever directory the base image left, which changes when the base does. After an absolute WORKDIR in the same build (or a base stage) it is well defined, as BuildKit's WorkdirRelativePath check agrees.",
        fix: "Use an absolute path: `WORKDIR /app`.",
        triggering: ["FROM alpine:3.19\nWORKDIR ↓app\n"],
        nonTriggering: ["FROM alpine:3.19\nWORKDIR /srv\nWORKDIR app\n", "FROM alpine:3.19\nARG DIR=/opt/x\nWORKDIR $DIR\n",
                        "FROM alpine:3.19 AS base\nWORKDIR /src\nFROM base\nWORKDIR sub\n"],
        aliases: ["DL3000", "WorkdirRelativePath"]
    )) { ctx in
        var hits: [Hit] = []
        for st in ctx.dockerfile.stages {
            var absolute = false
            for c in ctx.stageChain(st.index).dropFirst() {
                for i in ctx.dockerfile.stages[c].instructionIndices {
                    if case .workdir(let w?) = ctx.instructions[i].value, ctx.expanded(w, at: i).hasPrefix("/") { absolute = true }
                }
            }
            for i in st.instructionIndices {
                guard case .workdir(let w?) = ctx.instructions[i].value else { continue }
                let v = ctx.expanded(w, at: i)
                let isAbs = v.hasPrefix("/") || v.hasPrefix("\\") || (v.count >= 2 && v.dropFirst().first == ":")
                if isAbs { absolute = true; continue }
                if v.isEmpty && w.text.contains("$") { continue }
                if !absolute { hits.append(Hit(w.span, "relative WORKDIR \(v) depends on the working directory the base image left")) }
            }
        }
        return hits
    }
}
