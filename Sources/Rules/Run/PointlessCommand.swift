// PointlessCommand: interactive and system-management commands in a build step.
import DockerfileSyntax

extension RunRules {
    static let pointlessCommands: [String: String] = [
        "ssh": "a build step has no one to log in as", "vim": "an editor needs a terminal", "shutdown": "there is no system to shut down",
        "service": "a service started in a RUN stops when the RUN ends", "ps": "no process of the build outlives its RUN",
        "free": "the build container's memory says nothing about the image", "top": "an interactive monitor needs a terminal",
        "kill": "no process of an earlier RUN is still running", "mount": "mounts do not survive the RUN (and need privileges)",
        "ifconfig": "the build container's network says nothing about the image",
    ]

    static let pointlessCommand = Rule(RuleDescriptor(
        id: "DF220", name: "pointless-command", title: "A command that makes no sense in a build step",
        defaultSeverity: .info,
        rationale: "Each RUN starts a fresh container and keeps only the files it leaves: services it starts, processes it kills, mounts it makes and terminals it opens are gone at its end. Such commands are usually left over from an interactive session. `ssh` with an SSH agent mount (`RUN --mount=type=ssh`) is how BuildKit lends the build a key, and is not reported.",
        fix: "Remove the command; configure services in the image's entrypoint.",
        triggering: ["FROM debian:12\nRUN ↓service nginx start && nginx -t\n"],
        nonTriggering: ["FROM debian:12\nRUN --mount=type=ssh ssh -T git@github.com || true\n",
                        "FROM debian:12\nRUN apt-get install -y --no-install-recommends openssh-client=1:9.2p1-2\n"],
        aliases: ["DL3001"]
    )) { ctx in
        ctx.commands.compactMap { c in
            guard let why = pointlessCommands[c.name] else { return nil }
            if c.name == "ssh" {
                let ins = ctx.instructions[c.instruction]
                var mounts: [Mount] = []
                if case .run(let r) = ins.value { mounts = r.mounts }
                if case .onbuild(let inner?) = ins.value, case .run(let r) = inner.value { mounts = r.mounts }
                if mounts.contains(where: { $0.type == "ssh" }) { return nil }
            }
            return Hit(c.span(ofWord: 0), "`\(c.name)` in RUN: \(why)")
        }
    }
}
