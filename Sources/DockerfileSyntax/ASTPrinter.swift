// A readable dump of the typed tree with line:column ranges (`dflint ast`).

public enum ASTPrinter {
    public static func print(_ df: Dockerfile) -> String {
        var out = "file \(df.source.path)\n"
        func r(_ s: Span) -> String { df.range(s).description }
        for d in df.directives { out += "directive \(d.name)=\(d.value) @\(r(d.span))\n" }
        for s in df.stages {
            var base = ""
            switch s.base {
            case .image(let i): base = "image \(i.normalized)"
            case .stage(let n): base = "stage \(n)"
            case .scratch: base = "scratch"
            case .missing: base = "missing"
            }
            out += "stage \(s.index)\(s.name.map { " \"\($0)\"" } ?? "") from \(base)\n"
        }
        for ins in df.instructions {
            out += describe(ins, df: df, indent: "")
        }
        for d in df.diagnostics {
            out += "diagnostic \(d.id) \(d.severity.rawValue) @\(r(d.span)): \(d.message)\n"
        }
        return out
    }

    static func describe(_ ins: Instruction, df: Dockerfile, indent: String) -> String {
        func r(_ s: Span) -> String { df.range(s).description }
        func w(_ x: Word) -> String { "\(GoQuote.quote(x.raw))@\(r(x.span))" }
        var out = "\(indent)\(ins.keyword) @\(r(ins.span))"
        for f in ins.flags { out += " --\(f.name)\(f.value.map { "=" + GoQuote.quote($0) } ?? "")@\(r(f.span))" }
        switch ins.value {
        case .from(let f):
            if let i = f.image { out += " image=\(w(i))" }
            if let n = f.stageName { out += " as=\(w(n))" }
        case .run(let run):
            out += form(run.command, w)
            for m in run.mounts { out += " mount(type=\(m.type))" }
        case .copy(let c):
            out += " sources=[" + c.sources.map(w).joined(separator: ", ") + "]"
            if let d = c.destination { out += " dest=\(w(d))" }
        case .user(let u):
            if let u { out += " user=\(GoQuote.quote(u.user))" + (u.group.map { " group=\(GoQuote.quote($0))" } ?? "") + "@\(r(u.word.span))" }
        case .healthcheck(let h):
            switch h {
            case .none: out += " NONE"
            case .cmd(let c, _): out += " CMD" + form(c, w)
            case .other(let x): out += " type=\(w(x))"
            case .empty: break
            }
        case .expose(let ps):
            for p in ps { out += " \(w(p.word))[\(p.lower.map(String.init) ?? "?")-\(p.upper.map(String.init) ?? "?")/\(p.proto)]" }
        case .env(let kv), .label(let kv):
            for p in kv { out += " \(w(p.key))=\(w(p.value))" }
        case .arg(let ds):
            for d in ds { out += " \(w(d.name))" + (d.defaultValue.map { "=" + w($0) } ?? "") }
        case .shell(let ws, _), .volume(let ws):
            out += " [" + ws.map(w).joined(separator: ", ") + "]"
        case .workdir(let x), .stopSignal(let x), .maintainer(let x):
            if let x { out += " " + w(x) }
        case .cmd(let c), .entrypoint(let c):
            out += form(c, w)
        case .onbuild(let inner):
            out += "\n"
            if let inner { out += describe(inner, df: df, indent: indent + "  ") }
            return out
        case .unknown:
            break
        }
        out += "\n"
        for h in ins.heredocs {
            out += "\(indent)  heredoc \(GoQuote.quote(h.name)) fd=\(h.fileDescriptor) chomp=\(h.chomp) expand=\(h.expand) marker@\(r(h.markerSpan)) body@\(r(h.bodySpan))\n"
        }
        return out
    }

    static func form(_ c: CommandForm?, _ w: (Word) -> String) -> String {
        switch c {
        case .none: return ""
        case .shell(let s): return " shell=\(w(s))"
        case .exec(let ws): return " exec=[" + ws.map(w).joined(separator: ", ") + "]"
        }
    }
}
