// CdInRun: a Dockerfile correctness check (documentation, examples and check together).
import DockerfileSyntax

extension CorrectnessRules {
    static let cdInRun = Rule(RuleDescriptor(
        id: "DF208", name: "cd-in-run", title: "cd in RUN instead of WORKDIR",
        defaultSeverity: .info,
        rationale: "A `cd` lasts only until the end of its RUN; later instructions start again from WORKDIR, which surprises readers. WORKDIR states the directory once for every instruction that follows.",
        fix: "Use `WORKDIR /path` before the RUN.",
        triggering: ["FROM alpine:3.19\nRUN ↓cd /src && make\n"],
        nonTriggering: ["FROM alpine:3.19\nWORKDIR /src\nRUN make && (cd docs && make html)\n"],
        aliases: ["DL3003", "DS-0013"]
    )) { ctx in
        ctx.commands.filter { c in
            guard c.name == "cd", let sc = c.shell else { return false }
            return sc.depth == 0 && !isInSubshell(c, ctx)
        }.map { Hit($0.span(ofWord: 0), "cd in RUN only lasts until the end of this RUN; use WORKDIR") }
    }

    /// Whether the command sits inside `( ... )` in its RUN text (a subshell cd is fine).
    static func isInSubshell(_ c: Command, _ ctx: LintContext) -> Bool {
        guard case .run(let r) = ctx.instructions[c.instruction].value, case .shell(let w)? = r.command,
              let start = w.raw.indices.first(where: { w.sourceOffset($0) == c.span.start }) else { return false }
        var depth = 0
        var quote: UInt8 = 0
        for b in w.raw[..<start] {
            if quote != 0 { if b == quote { quote = 0 }; continue }
            if b == 0x27 || b == 0x22 { quote = b; continue }
            if b == 0x28 { depth += 1 }
            if b == 0x29 { depth = max(0, depth - 1) }
        }
        return depth > 0
    }
}
