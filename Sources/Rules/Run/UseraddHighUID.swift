// UseraddHighUID: useradd writes lastlog/faillog entries sized by the uid.
import DockerfileSyntax

extension RunRules {
    static let useraddHighUID = Rule(RuleDescriptor(
        id: "DF213", name: "useradd-high-uid", title: "useradd with a high uid and no -l",
        defaultSeverity: .warning,
        rationale: "useradd records the new user in /var/log/lastlog and /var/log/faillog at an offset proportional to its uid. In a layer that sparse file is stored in full: a uid of 1000000 adds about 300 MB of zeros to the image. `-l` (`--no-log-init`) skips those records.",
        fix: "Add `-l` (`--no-log-init`) to useradd, or use a uid below 100000.",
        triggering: ["FROM debian:12\nRUN useradd -u ↓1000000 app\n",
                     "FROM debian:12\nARG UID=1000000\nRUN useradd -m -u ↓\"$UID\" app\n",
                     "FROM debian:12\nRUN useradd --uid=↓2000000 -m app\n"],
        nonTriggering: ["FROM debian:12\nRUN useradd -l -u 1000000 app && useradd --no-log-init --uid 2000000 other\n",
                        "FROM jupyter/base-notebook\nARG NB_UID=1000\nRUN useradd -m -s /bin/bash -N -u $NB_UID jovyan\n",
                        "FROM debian:12\nRUN useradd -u 10001 app && useradd -u \"$APP_UID\" app2\n"],
        aliases: ["DL3046"]
    )) { ctx in
        var hits: [Hit] = []
        for c in ctx.commands where c.name == "useradd" {
            if c.has("-l", "--no-log-init") { continue }
            var uid: (String, Int)?
            if let (v, i) = c.value(of: "-u", "--uid") { uid = (v, i) }
            for (i, a) in c.argv.enumerated() where a.hasPrefix("-u") && a.count > 2 && !a.hasPrefix("--") && a.dropFirst(2).allSatisfy(\.isNumber) {
                uid = (String(a.dropFirst(2)), i)
            }
            guard let (raw, i) = uid, let v = ctx.shellExpand(raw, for: c), let n = Int(v), n > 99_999 else { continue }
            var span = c.span(ofWord: i)
            if c.argv[i].hasPrefix("--uid=") { span = Span(span.start + 6, span.end) }
            hits.append(Hit(span, "useradd -u \(v) without -l writes a lastlog record at an offset of uid × 292 bytes into the layer (about \(n * 292 / 1_000_000) MB)"))
        }
        return hits
    }
}
