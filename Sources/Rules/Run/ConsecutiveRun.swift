// ConsecutiveRun: RUNs that could be one layer.
import DockerfileSyntax

extension RunRules {
    static let consecutiveRun = Rule(RuleDescriptor(
        id: "DF218", name: "consecutive-run", title: "Consecutive single-command RUN instructions",
        defaultSeverity: .style,
        rationale: "Each RUN is a layer. Two single-command RUNs in a row with the same flags usually belong together; joining them saves a layer and keeps related steps (and their cleanup) in one. RUNs of several commands (a deliberate split), RUNs with different flags (cache mounts, network), and RUNs separated by another instruction are left alone, as hadolint does; comments do not separate them.",
        fix: "Join the commands with `&&` into one RUN (or a heredoc).",
        triggering: ["FROM debian:12\nRUN mkdir -p /srv/app\n↓RUN chown app /srv/app\n"],
        nonTriggering: ["FROM debian:12\nRUN mkdir -p /srv/app\nWORKDIR /srv/app\nRUN touch x\n",
                        "FROM debian:12\nRUN --mount=type=cache,target=/root/.cache make deps\nRUN make\n",
                        "FROM debian:12\nRUN a && b\nRUN d\n"],
        aliases: ["DL3059"]
    )) { ctx in
        var hits: [Hit] = []
        var prev: (flags: [String], count: Int)?
        for ins in ctx.instructions {
            guard case .run = ins.value else {
                prev = nil
                continue
            }
            let flags = ins.flags.map { $0.name + "=" + ($0.value ?? "") }
            // Commands of the script and of its `$(...)`, not of `sh -c` strings (hadolint's count).
            let count = max(1, ctx.commands(of: ins.index).filter { ($0.shell?.origin ?? .script) != .shellDashC }.count)
            if let p = prev, p.flags == flags, p.count <= 1, count <= 1 {
                hits.append(Hit(ins.keywordSpan, "this single-command RUN follows another one: join them into one layer"))
            }
            prev = (flags, count)
        }
        return hits
    }
}
