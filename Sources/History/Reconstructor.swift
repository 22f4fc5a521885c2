import DockerfileSyntax
import ImageModel

public struct ReconstructedInstruction: Sendable {
    /// One Dockerfile instruction; may span lines (heredocs).
    public var text: String
    public var historyIndex: Int?
    public var layerDigest: String?
    /// Part of the base image (the CLI's `--skip-base`).
    public var isBase: Bool
    /// Synthesised from a config fact the history does not state.
    public var fromConfig: Bool
    /// 1-based lines of `text` inside `Reconstruction.text`.
    public var lineRange: ClosedRange<Int>
}

public struct Reconstruction: Sendable {
    /// The pseudo-Dockerfile, with a `# [index] created ... (layer | empty)` comment before each entry.
    public var text: String
    public var instructions: [ReconstructedInstruction]
    /// `Dockerfile.parse(text)`: the same typed tree the rules run on.
    public var dockerfile: Dockerfile
    public var builder: Builder
    public var notes: [String]

    /// The history entry an instruction on `line` came from.
    public func historyIndex(ofLine line: Int) -> Int? {
        instructions.first { $0.lineRange.contains(line) }?.historyIndex
    }
}

public enum Reconstructor {
    /// Rebuilds a Dockerfile from `image`'s history and config.
    /// - Parameters:
    ///   - name: shown in the header comment and used as the Dockerfile path.
    ///   - layerDigests: the layers to tie non-empty entries to; defaults to the diff IDs
    ///     (or the manifest's layer digests when the shape has no diff IDs).
    ///   - layerSizes: size in bytes of each layer (by the digests entries are tied to), shown
    ///     in the entry comments when the history itself does not give one.
    public static func reconstruct(_ image: ImageMetadata, name: String, layerDigests: [String]? = nil,
                                   layerSizes: [String: Int64] = [:]) -> Reconstruction {
        let history = image.history
        var parser = CreatedByParser()
        let parsed = history.map { parser.parse($0) }
        var notes: [String] = []
        let builder = detectBuilder(image, parsed)

        if !image.hasHistory || history.isEmpty {
            let layers = image.diffIDs.count
            if [.inspect, .engineInspect, .skopeoInspect, .manifest].contains(image.shape) {
                notes.append("this JSON shape (\(image.shape.rawValue)) carries no history: linting the config alone")
            } else if image.config.labels["io.buildah.version"] != nil && layers > 0 {
                notes.append("history omitted (buildah --omit-history): linting the config alone")
            } else {
                notes.append("image has no history: linting the config alone")
            }
        } else if parsed.allSatisfy(\.isOpaque) {
            notes.append("history is opaque (\(builder.rawValue)): linting the config alone")
        }
        if [.kaniko, .buildkit].contains(builder) {
            if builder == .kaniko { notes.append("kaniko records no metadata instructions: config facts added") }
        }

        // Layers.
        let digests = layerDigests ?? (image.diffIDs.isEmpty ? image.layerDigests : image.diffIDs)
        var layerOf: [Int: String] = [:]
        var k = 0
        for (i, e) in history.enumerated() where !e.emptyLayer {
            if k < digests.count { layerOf[i] = digests[k] }
            k += 1
        }
        if !digests.isEmpty, k != digests.count, !history.isEmpty {
            notes.append("\(k) non-empty history entries for \(digests.count) layers: layer ties are approximate")
        }

        // Base boundary.
        let baseEnd = baseBoundary(history, parsed)
        var fromName: String?
        if let b = image.annotations["org.opencontainers.image.base.name"] ?? image.config.labels["org.opencontainers.image.base.name"] {
            fromName = b
        } else if let n = history.last(where: { namedFrom($0.comment) != nil }).flatMap({ namedFrom($0.comment) }) {
            fromName = n
        }

        var b = TextBuilder()
        b.comment("Reconstructed from the image history of \(sanitize(name)) (builder \(builder.rawValue))")
        for n in notes { b.comment(n) }
        if let fromName, !fromName.contains(" ") {
            b.add(ReconstructedInstruction(text: "FROM " + fromName, historyIndex: nil, layerDigest: nil, isBase: false,
                                           fromConfig: false, lineRange: 1...1))
        } else {
            b.comment("base image unknown: its layers (if any) are part of this image")
            b.add(ReconstructedInstruction(text: "FROM scratch", historyIndex: nil, layerDigest: nil, isBase: false,
                                           fromConfig: false, lineRange: 1...1))
        }

        var argValues: [String: String] = [:]
        var health: HealthConfig?
        var onbuilds: [String] = []
        for (i, e) in history.enumerated() {
            let p = parsed[i]
            let isBase = baseEnd.map { i <= $0 } ?? false
            var line = "[\(i)] created \(e.created ?? "?")"
            if e.emptyLayer { line += " (empty)" } else {
                line += " (layer"
                if let s = e.size ?? layerOf[i].flatMap({ layerSizes[$0] }) { line += " \(s) B" }
                if let d = layerOf[i] { line += " " + String(d.prefix(19)) }
                line += ")"
            }
            if isBase { line += " base" }
            if let c = e.comment, !c.isEmpty { line += " comment: " + sanitize(c) }
            b.comment(line)
            guard let text = p.text, let kw = p.keyword else {
                let by = e.createdBy ?? ""
                b.comment("  opaque (\(p.producer.rawValue)): " + sanitize(by.isEmpty ? "<no created_by>" : by))
                continue
            }
            for a in p.buildArgs where argValues[a.name] != a.value {
                argValues[a.name] = a.value
                b.addChecked("ARG \(a.name)=" + Render.value(a.value), index: i, digest: nil, isBase: isBase)
            }
            if kw == "ARG" {
                for t in Render.splitPairs(String(text.dropFirst(4)), env: true) {
                    if let v = t.1 { argValues[t.0] = Render.value(v) == v ? v : (argValues[t.0] ?? "") }
                }
            }
            if p.lowConfidence { b.comment("  low confidence: exec-form RUN or docker commit") }
            if b.addChecked(text, index: i, digest: layerOf[i], isBase: isBase) {
                if kw == "HEALTHCHECK" { health = p.health }
                if kw == "ONBUILD" { onbuilds.append(String(text.dropFirst(8))) }
            }
        }

        // Config facts win over history.
        let facts = configFacts(image.config, historyText: b.text, health: health, onbuilds: onbuilds)
        if !facts.isEmpty { b.comment("from the image config (not stated by the history):") }
        for f in facts { b.addChecked(f, index: nil, digest: nil, isBase: false, fromConfig: true) }

        let text = b.text
        return Reconstruction(text: text, instructions: b.instructions, dockerfile: Dockerfile.parse(text, path: name),
                              builder: builder, notes: notes)
    }

    /// buildah's `FROM <name>` comment when it names an image rather than an intermediate ID.
    static func namedFrom(_ comment: String?) -> String? {
        guard let c = comment, c.hasPrefix("FROM ") else { return nil }
        let n = String(c.dropFirst(5)).trimmingSpaces
        if n.isEmpty || (n.count == 12 && n.allSatisfy(\.isHexDigit)) || n.contains(" ") { return nil }
        return n
    }

    static func sanitize(_ s: String) -> String {
        let one = s.split(whereSeparator: \.isNewline).joined(separator: " ")
        return one.count > 160 ? String(one.prefix(160)) + "…" : one
    }

    // MARK: builder and base

    static func detectBuilder(_ image: ImageMetadata, _ parsed: [ParsedEntry]) -> Builder {
        if parsed.contains(where: { $0.producer == .windows }) { return .windows }
        if let last = parsed.last(where: { !$0.isOpaque }) {
            if last.producer == .buildah || image.history.contains(where: { $0.comment?.hasPrefix("FROM ") == true }) {
                if last.producer != .buildkit { return .buildah }
            }
            return last.producer == .opaque ? .unknown : last.producer
        }
        if let p = parsed.last(where: { $0.producer != .opaque })?.producer { return p }
        return parsed.isEmpty ? .opaque : .opaque
    }

    /// Index of the last base-image entry: buildah's `FROM` comment, else trivy's
    /// GuessBaseImageIndex (the last empty-layer CMD/ENTRYPOINT before a non-empty layer),
    /// else the leading opaque entries.
    static func baseBoundary(_ h: [HistoryEntry], _ parsed: [ParsedEntry]) -> Int? {
        if let named = h.lastIndex(where: { namedFrom($0.comment) != nil }) {
            if named == h.count - 1 {
                // buildah without --layers: only the last entry carries the comment.
                var j = named - 1
                while j >= 0, h[j].emptyLayer, h[j].comment == nil, !parsed[j].isOpaque { j -= 1 }
                return j >= 0 ? j : nil
            }
            return named > 0 ? named - 1 : nil
        }
        if h.contains(where: { $0.comment?.hasPrefix("FROM ") == true }) { return nil } // buildah FROM scratch
        var foundNonEmpty = false
        var i = h.count - 1
        while i >= 0 {
            let e = h[i]
            if !foundNonEmpty {
                if e.emptyLayer { i -= 1; continue }
                foundNonEmpty = true
            }
            if e.emptyLayer, ["CMD", "ENTRYPOINT"].contains(parsed[i].keyword ?? "") { return i }
            i -= 1
        }
        let leading = parsed.prefix { $0.isOpaque }.count
        return leading > 0 && leading < parsed.count ? leading - 1 : nil
    }

    // MARK: config facts

    static func configFacts(_ c: ContainerConfig, historyText: String, health: HealthConfig?, onbuilds: [String]) -> [String] {
        let df = Dockerfile.parse(historyText)
        func x(_ w: Word, _ i: Int) -> String { (try? df.expand(w, at: i).get()) ?? w.text }
        var user: String?
        var env: [String: String] = [:]
        var labels: [String: String] = [:]
        var ports = Set<String>()
        var volumes = Set<String>()
        var workdir: String?
        var stop: String?
        var shell = ["/bin/sh", "-c"]
        var shellSet: [String]?
        var entrypoint: [String]?
        var cmd: [String]?
        func form(_ f: CommandForm?, _ i: Int) -> [String]? {
            switch f {
            case .exec(let ws)?: return ws.map(\.text)
            case .shell(let w)?: return shell + [w.text]
            case nil: return nil
            }
        }
        for ins in df.instructions {
            let i = ins.index
            switch ins.value {
            case .user(let u?): user = x(u.word, i)
            case .env(let kvs): for kv in kvs { env[kv.key.text] = x(kv.value, i) }
            case .label(let kvs): for kv in kvs { labels[x(kv.key, i)] = x(kv.value, i) }
            case .expose(let ps): for p in ps { let t = x(p.word, i); ports.insert(t.contains("/") ? t.lowercased() : t + "/tcp") }
            case .volume(let ws): for w in ws { volumes.insert(x(w, i)) }
            case .workdir(let w?): workdir = x(w, i)
            case .stopSignal(let w?): stop = x(w, i)
            case .shell(let ws, _): shell = ws.map(\.text); shellSet = shell
            case .entrypoint(let f): entrypoint = form(f, i)
            case .cmd(let f): cmd = form(f, i)
            default: break
            }
        }
        var out: [String] = []
        if let s = c.shell, !s.isEmpty, s != (shellSet ?? ["/bin/sh", "-c"]) { out.append("SHELL " + Render.json(s)) }
        let envDiff = c.environment.filter { env[$0.name] != $0.value }
        if !envDiff.isEmpty {
            out.append("ENV " + envDiff.map { ($0.name.isEmpty ? "_" : $0.name) + "=" + Render.value($0.value) }.joined(separator: " "))
        }
        let labelDiff = c.labels.keys.sorted().filter { labels[$0] != c.labels[$0] }
        if !labelDiff.isEmpty {
            out.append("LABEL " + labelDiff.map { Render.value($0) + "=" + Render.value(c.labels[$0]!) }.joined(separator: " "))
        }
        let portDiff = c.exposedPorts.filter { !ports.contains($0.contains("/") ? $0.lowercased() : $0 + "/tcp") }
        if !portDiff.isEmpty { out.append("EXPOSE " + portDiff.joined(separator: " ")) }
        let volDiff = c.volumes.filter { !volumes.contains($0) }
        if !volDiff.isEmpty { out.append("VOLUME " + Render.json(volDiff)) }
        if let w = c.workingDir, !w.isEmpty, w != workdir { out.append("WORKDIR " + w) }
        if let s = c.stopSignal, !s.isEmpty, s != stop { out.append("STOPSIGNAL " + s) }
        if let h = c.healthcheck, !h.test.isEmpty, !(health.map { $0.isEquivalent(to: h) } ?? false) {
            out.append("HEALTHCHECK " + Health.render(h))
        }
        for o in c.onBuild where !onbuilds.contains(o) { out.append("ONBUILD " + Render.oneLine(o)) }
        let u = c.user ?? ""
        if !u.isEmpty, u != user { out.append("USER " + u) }
        if u.isEmpty, let hu = user, !hu.isEmpty, hu != "root", hu != "0" { out.append("USER root") }
        if c.entrypoint != entrypoint, !(c.entrypoint == nil && entrypoint == nil) {
            out.append("ENTRYPOINT " + Render.json(c.entrypoint ?? []))
            if let cm = c.cmd { out.append("CMD " + Render.json(cm)) }
        } else if c.cmd != cmd, !(c.cmd ?? []).isEmpty || cmd != nil {
            out.append("CMD " + Render.json(c.cmd ?? []))
        }
        return out
    }
}

/// Accumulates lines and instructions with their line ranges.
struct TextBuilder {
    var lines: [String] = []
    var instructions: [ReconstructedInstruction] = []

    var text: String { lines.joined(separator: "\n") + "\n" }

    mutating func comment(_ s: String) { lines.append("# " + s) }

    mutating func add(_ r: ReconstructedInstruction) {
        var r = r
        let n = r.text.split(separator: "\n", omittingEmptySubsequences: false).count
        let start = lines.count + 1
        lines.append(contentsOf: r.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        r.lineRange = start...(start + n - 1)
        instructions.append(r)
    }

    /// Adds `text` if it parses on its own without a BuildKit-fatal error; else falls back
    /// (RUN to exec form) or keeps it as a comment. Returns whether an instruction was added.
    @discardableResult
    mutating func addChecked(_ text: String, index: Int?, digest: String?, isBase: Bool, fromConfig: Bool = false) -> Bool {
        var t = text
        if !Self.parses(t) {
            if t.hasPrefix("RUN ") {
                t = "RUN " + Render.json(["/bin/sh", "-c", String(text.dropFirst(4))])
            }
            if !Self.parses(t) {
                comment("  not valid Dockerfile syntax, kept as a comment: " + Reconstructor.sanitize(text))
                return false
            }
        }
        add(ReconstructedInstruction(text: t, historyIndex: index, layerDigest: digest, isBase: isBase,
                                     fromConfig: fromConfig, lineRange: 1...1))
        return true
    }

    static func parses(_ t: String) -> Bool {
        let df = Dockerfile.parse("FROM scratch\n" + t + "\n")
        let endsWithContinuation = t.split(separator: "\n").last.map { $0.trimmingTrailingSpaces.hasSuffix("\\") } ?? false
        return !endsWithContinuation && df.instructions.count == 2 && !df.diagnostics.contains { $0.fatalInBuildKit }
    }
}
