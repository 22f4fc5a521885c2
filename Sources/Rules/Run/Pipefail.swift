// Pipefail: a pipeline's failure hidden by its last command.
import DockerfileSyntax

extension RunRules {
    /// Whether a SHELL command line turns pipefail on (`-o pipefail`, `-euxo pipefail`), or is not a
    /// POSIX shell (PowerShell, cmd), where the question does not arise.
    static func shellHandlesPipes(_ shell: [String]) -> Bool { isNonPOSIX(shell) || shellUsesPipefail(shell) }

    /// PowerShell or cmd.
    static func isNonPOSIX(_ shell: [String]) -> Bool {
        guard let first = shell.first.map(Command.basename)?.lowercased() else { return false }
        return first.hasPrefix("pwsh") || first.hasPrefix("powershell") || first == "cmd" || first == "cmd.exe"
    }

    /// Whether a SHELL command line is a POSIX shell with `-o pipefail`.
    static func shellUsesPipefail(_ shell: [String]) -> Bool {
        for (i, a) in shell.enumerated() where i + 1 < shell.count && shell[i + 1] == "pipefail" {
            if a == "-o" || (a.hasPrefix("-") && !a.hasPrefix("--") && a.hasSuffix("o")) { return true }
        }
        return false
    }

    /// Whether a `set` command turns pipefail on: `set -o pipefail`, `set -euxo pipefail`.
    static func setsPipefail(_ c: Command) -> Bool {
        guard c.name == "set" else { return false }
        let a = c.argv
        for i in a.indices.dropFirst() where i + 1 < a.count && a[i + 1] == "pipefail" {
            if a[i] == "-o" || (a[i].hasPrefix("-") && !a[i].hasPrefix("--") && a[i].hasSuffix("o")) { return true }
        }
        return false
    }

    static let pipefail = Rule(RuleDescriptor(
        id: "DF217", name: "pipe-without-pipefail", title: "RUN with a pipe and no pipefail",
        defaultSeverity: .info,
        rationale: "A pipeline's exit status is its last command's: in `curl -fsSL $URL | tar xz` a failed download still lets the RUN succeed, and the image is built without the tool. `set -o pipefail` (in the script, before the pipe) or a SHELL with `-o pipefail` makes any failing stage fail the RUN. A SHELL set in a stage the current one is built on counts; PowerShell and cmd shells are not checked. A heredoc script with a `#!` line runs without SHELL, so only its own `set -o pipefail` counts.",
        fix: "Start the script with `set -o pipefail` (bash, ash, zsh), or set `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before the RUN.",
        triggering: ["FROM debian:12\nRUN ↓curl -fsSL https://example.com/t.tgz | tar xz -C /opt\n",
                     "FROM debian:12\nRUN tar xzf /tmp/a.tgz && ↓wget -qO- https://example.com/b | sh -s -- --yes && set -o pipefail\n",
                     "FROM debian:12\nRUN <<EOF\n↓gzip -dc /tmp/a.gz | tar x\nEOF\n",
                     "FROM alpine:3.19\nRUN set -e; arch=\"$(↓apk --print-arch | cut -d- -f1)\"; echo \"$arch\"\n"],
        nonTriggering: ["FROM debian:12\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl -fsSL https://example.com/t.tgz | tar xz -C /opt\n",
                        "FROM debian:12\nRUN set -eux -o pipefail; curl -fsSL https://example.com/t.tgz | tar xz -C /opt\n",
                        "FROM debian:12\nRUN set -euxo pipefail && curl -fsSL https://example.com/t.tgz | tar xz -C /opt\n",
                        "FROM debian:12 AS base\nSHELL [\"/bin/bash\", \"-eo\", \"pipefail\", \"-c\"]\nFROM base\nRUN curl -fsSL https://example.com/t.tgz | tar xz\n",
                        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL [\"powershell\", \"-Command\"]\nRUN Get-ChildItem | Select-Object Name\n",
                        "FROM debian:12\nRUN echo \"a | b\" && bash -c 'x | y'\n"],
        aliases: ["DL4006", "DS-0032"]
    )) { ctx in
        var hits: [Hit] = []
        var reported = Set<Int>()
        for p in ctx.pipelines where !p.isTrigger && !reported.contains(p.instruction) {
            let shell = ctx.state(before: p.instruction).shell
            if !p.inShebangScript, let s = shell, shellHandlesPipes(s) { continue }
            guard let first = p.commands.first else { continue }
            let start = ctx.commands[first].span.start
            let enabled = (ctx.commandsByInstruction[p.instruction] ?? []).contains { k in
                let c = ctx.commands[k]
                return c.span.start < start && c.inShebangScript == p.inShebangScript && setsPipefail(c)
            }
            if enabled { continue }
            reported.insert(p.instruction)
            hits.append(Hit(ctx.commands[first].span(ofWord: 0),
                            "RUN with a pipe: only the last command's status counts, so a failing `\(ctx.commands[first].name)` goes unnoticed (set -o pipefail)"))
        }
        return hits
    }
}
