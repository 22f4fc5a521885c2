// ShRelinked: replacing /bin/sh instead of declaring the shell.
import DockerfileSyntax

extension RunRules {
    static let shRelinked = Rule(RuleDescriptor(
        id: "DF216", name: "sh-relinked", title: "/bin/sh replaced by a link instead of SHELL",
        defaultSeverity: .warning,
        rationale: "Linking another shell over /bin/sh changes the shell of every program in the image that runs `sh`, scripts from packages included, and hides the change from anyone reading the Dockerfile. SHELL changes the shell of the RUN instructions only, visibly.",
        fix: "Use `SHELL [\"/bin/bash\", \"-c\"]` (with `-o pipefail` as needed).",
        triggering: ["FROM debian:12\nRUN ↓ln -sf /bin/bash /bin/sh\n"],
        nonTriggering: ["FROM debian:12\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN ln -sf /usr/bin/python3 /usr/local/bin/python\n"],
        aliases: ["DL4005"]
    )) { ctx in
        ctx.commands.compactMap { c in
            guard c.name == "ln", let last = c.operands(after: 0, optionsWithValue: ["-t", "--target-directory", "-S", "--suffix"]).last,
                  last.0 == "/bin/sh" || last.0 == "/usr/bin/sh" else { return nil }
            return Hit(c.span(ofWord: 0), "ln replaces \(last.0): use SHELL to change the shell of RUN instructions")
        }
    }
}
