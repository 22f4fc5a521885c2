// WgetProgress: wget's default progress output in build logs.
import DockerfileSyntax

extension RunRules {
    static let wgetProgress = Rule(RuleDescriptor(
        id: "DF214", name: "wget-progress", title: "wget without a progress setting",
        defaultSeverity: .info,
        rationale: "Without a terminal wget prints a dot for every few kilobytes, so one large download can add thousands of lines to the build log and bury the messages that matter.",
        fix: "Add `--progress=dot:giga`, or `-q` / `-nv` (`--quiet` / `--no-verbose`).",
        triggering: ["FROM debian:12\nRUN ↓wget https://example.com/tool.tgz -O /tmp/tool.tgz\n"],
        nonTriggering: ["FROM debian:12\nRUN wget --progress=dot:giga https://example.com/a.tgz && wget -qO- https://example.com/b | tar xz && wget -nv https://example.com/c\n",
                        "FROM debian:12\nRUN wget -o /tmp/wget.log https://example.com/a.tgz\n"],
        aliases: ["DL3047"]
    )) { ctx in
        ctx.commands.compactMap { c in
            guard c.name == "wget" else { return nil }
            if c.has("--progress", "-q", "--quiet", "--no-verbose", "-o", "--output-file", "-a", "--append-output") { return nil }
            if c.argv.contains("-nv") { return nil }
            return Hit(c.span(ofWord: 0), "wget without --progress (or -q / -nv) fills the build log with progress dots")
        }
    }
}
