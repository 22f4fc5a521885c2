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
    /// Index in `Reconstruction.builds` of the build that wrote it (nil for FROM and config facts).
    public var build: Int? = nil
}

/// One build the history is made of: the entries one `docker build` (or buildah, or a tool
/// without a Dockerfile) added on top of the image before it.
public struct BuildSegment: Sendable, Hashable {
    /// Its history entries.
    public var entries: ClosedRange<Int>
    /// How its start was found, as `reconstruct` says it.
    public var evidence: String
    /// True when the history itself marks the start (buildah's and BuildKit's comments); false
    /// for a rule of thumb (a CMD followed by more layers, a label set again, ...).
    public var exact: Bool
    /// The image it was built FROM, when the history names it (`scratch` for none).
    public var from: String?

    public init(entries: ClosedRange<Int>, evidence: String, exact: Bool, from: String? = nil) {
        self.entries = entries
        self.evidence = evidence
        self.exact = exact
        self.from = from
    }
}

public struct Reconstruction: Sendable {
    /// The pseudo-Dockerfile: the header comments (what was read, the builder, notes, how the
    /// base image was told apart), then a `# [index] created ... (layer | empty)` comment before
    /// each entry. `dflint reconstruct` prints exactly this text and the rules lint exactly this
    /// text, so a finding's line:column is a place in what `reconstruct` shows.
    public var text: String
    public var instructions: [ReconstructedInstruction]
    /// `Dockerfile.parse(text)`: the same typed tree the rules run on.
    public var dockerfile: Dockerfile
    public var builder: Builder
    public var notes: [String]
    /// The builds the history is made of, oldest first (one when nothing tells them apart).
    public var builds: [BuildSegment]
    /// The base image's boundary as the header states it.
    public var boundary: String

    /// The history entry an instruction on `line` came from.
    public func historyIndex(ofLine line: Int) -> Int? {
        instructions.first { $0.lineRange.contains(line) }?.historyIndex
    }

    /// Index of the last entry of the base image (nil: no base entries in the history).
    public var baseEnd: Int? {
        guard let first = builds.last?.entries.lowerBound, first > 0 else { return nil }
        return first - 1
    }

    /// Line ranges of `text`, one per build with instructions, then one for the config facts:
    /// instructions of different ranges were not written by the same build.
    public var buildLines: [ClosedRange<Int>] {
        var out: [ClosedRange<Int>] = []
        for b in builds.indices {
            let ranges = instructions.filter { $0.build == b }.map(\.lineRange)
            if let lo = ranges.map(\.lowerBound).min(), let hi = ranges.map(\.upperBound).max() { out.append(lo...hi) }
        }
        let facts = instructions.filter(\.fromConfig).map(\.lineRange)
        if let lo = facts.map(\.lowerBound).min(), let hi = facts.map(\.upperBound).max() { out.append(lo...hi) }
        return out
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
    ///   - header: comment lines (without `# `) the text starts with, in place of the default
    ///     `Reconstructed from the image history of NAME`; `dflint reconstruct` puts what it read there.
    public static func reconstruct(_ image: ImageMetadata, name: String, layerDigests: [String]? = nil,
                                   layerSizes: [String: Int64] = [:], header: [String]? = nil) -> Reconstruction {
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
        if builder == .kaniko { notes.append("kaniko records no metadata instructions: config facts added") }

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

        // Builds and the base boundary.
        let builds = segments(history, parsed)
        let final = builds.last
        let baseEnd = final.map(\.entries.lowerBound).flatMap { $0 > 0 ? $0 - 1 : nil }
        var fromName: String?
        if let f = final?.from, f != "scratch" {
            fromName = f
        } else if final?.from == nil,
                  let b = image.annotations["org.opencontainers.image.base.name"] ?? image.config.labels["org.opencontainers.image.base.name"] {
            fromName = b
        }
        let boundary = describeBoundary(builds, history: history)

        var b = TextBuilder()
        if let header { for h in header { b.comment(Render.oneLine(h)) } } else { b.comment("Reconstructed from the image history of \(sanitize(name))") }
        b.comment("builder: \(builder.rawValue)")
        for n in notes { b.comment("note: " + n) }
        b.comment("base image: " + boundary)
        if builds.count > 1 {
            b.comment("builds: " + builds.map { "\(range($0.entries)) (\($0.exact ? "exact" : "approximate"))" }.joined(separator: ", "))
        }
        if let fromName, !fromName.contains(" ") {
            b.add(ReconstructedInstruction(text: "FROM " + fromName, historyIndex: nil, layerDigest: nil, isBase: false,
                                           fromConfig: false, lineRange: 1...1))
        } else {
            if final?.from != "scratch" { b.comment("base image unknown: its layers (if any) are part of this image") }
            b.add(ReconstructedInstruction(text: "FROM scratch", historyIndex: nil, layerDigest: nil, isBase: false,
                                           fromConfig: false, lineRange: 1...1))
        }

        var argValues: [String: String] = [:]
        var health: HealthConfig?
        var onbuilds: [String] = []
        for (i, e) in history.enumerated() {
            let p = parsed[i]
            let isBase = baseEnd.map { i <= $0 } ?? false
            let build = builds.firstIndex { $0.entries.contains(i) }
            if builds.count > 1, let bi = build, builds[bi].entries.lowerBound == i {
                let seg = builds[bi]
                b.comment("---- build \(bi + 1) of \(builds.count): \(entries(seg.entries))"
                          + (bi == builds.count - 1 ? ", this image's own" : ", part of the base image") + ": " + seg.evidence)
            }
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
                b.addChecked("ARG \(a.name)=" + Render.value(a.value), index: i, digest: nil, isBase: isBase, build: build)
            }
            if kw == "ARG" {
                for t in Render.splitPairs(String(text.dropFirst(4)), env: true) {
                    if let v = t.1 { argValues[t.0] = Render.value(v) == v ? v : (argValues[t.0] ?? "") }
                }
            }
            if p.lowConfidence { b.comment("  low confidence: exec-form RUN or docker commit") }
            if b.addChecked(text, index: i, digest: layerOf[i], isBase: isBase, build: build) {
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
                              builder: builder, notes: notes, builds: builds, boundary: boundary)
    }

    static func range(_ r: ClosedRange<Int>) -> String {
        r.lowerBound == r.upperBound ? "\(r.lowerBound)" : "\(r.lowerBound)-\(r.upperBound)"
    }

    /// `entry 3` or `entries 3-5`.
    static func entries(_ r: ClosedRange<Int>) -> String {
        (r.lowerBound == r.upperBound ? "entry " : "entries ") + range(r)
    }

    /// buildah's `FROM <name>` comment when it names an image rather than an intermediate ID.
    static func namedFrom(_ comment: String?) -> String? {
        guard let c = comment, c.hasPrefix("FROM ") else { return nil }
        let n = String(c.dropFirst(5)).trimmingSpaces
        if n.isEmpty || isImageID(n) || n.contains(" ") { return nil }
        return n
    }

    /// buildah's `FROM <12 hex>`: the previous step's intermediate image, so the same build goes on.
    static func continuesBuild(_ comment: String?) -> Bool {
        guard let c = comment, c.hasPrefix("FROM ") else { return false }
        return isImageID(String(c.dropFirst(5)).trimmingSpaces)
    }

    static func isImageID(_ n: String) -> Bool {
        (n.count == 12 || n.count == 64) && n.allSatisfy(\.isHexDigit)
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

    static let buildkitComment = "buildkit.dockerfile.v0"

    /// Splits the history into the builds it is made of, as exactly as the data allows:
    /// 1. buildah's `FROM <name>` comments start a build (with `--layers` on its first entry,
    ///    without on its last one); its `FROM <id>` comments go on with the same build, and
    ///    a run of them after an entry without one is a build `FROM scratch`;
    /// 2. BuildKit's `buildkit.dockerfile.v0` comments starting (or stopping) after entries
    ///    without them;
    /// 3. leading entries without Dockerfile history (a base made by another tool);
    /// then, inside what the comments do not split (rules of thumb):
    /// 4. the first empty-layer CMD after a rootfs `ADD file:… in /` ends the OS image;
    /// 5. an empty-layer CMD or ENTRYPOINT followed by more layers ends a build (trivy's
    ///    GuessBaseImageIndex, applied to every such CMD);
    /// 6. a LABEL setting a key an earlier entry of the same build set starts a new build.
    static func segments(_ h: [HistoryEntry], _ parsed: [ParsedEntry]) -> [BuildSegment] {
        let n = h.count
        guard n > 0 else { return [] }
        // start index -> (evidence, exact, from)
        var starts: [Int: (String, Bool, String?)] = [:]
        /// Starts found from comments whose builds need no rule of thumb inside.
        var exactParts = Set<Int>()

        // 1. buildah
        let named = h.indices.filter { namedFrom(h[$0].comment) != nil }
        for i in named {
            let name = namedFrom(h[i].comment)!
            let withoutLayers = i == n - 1 && i > 0 && h[i - 1].comment?.hasPrefix("FROM ") != true
            if withoutLayers {
                // buildah without --layers: only the last entry carries the comment; the build's other
                // entries are the empty-layer ones before it (a base's trailing empty entries look the same).
                var j = i - 1
                while j >= 0, h[j].emptyLayer, h[j].comment == nil, !parsed[j].isOpaque { j -= 1 }
                // Without --layers every entry but the last is empty: a layer before them is the base's for sure,
                // so a build of one entry (the usual `RUN` of a small Containerfile) is told apart exactly.
                if j + 1 == i {
                    starts[i] = ("buildah's `FROM \(name)` comment on the last entry (a build without --layers; the entry before it has a layer of its own, so it is the base's)", true, name)
                } else {
                    starts[j + 1] = ("buildah's `FROM \(name)` comment on the last entry (a build without --layers: the empty-layer entries before it are taken as its own)", false, name)
                }
                exactParts.insert(j + 1)   // no rule of thumb splits it further: it has no layers to go by
            } else {
                starts[i] = ("buildah's `FROM \(name)` comment on entry \(i)", true, name)
                exactParts.insert(i)
            }
        }
        var i = 0
        while i < n {
            guard continuesBuild(h[i].comment) else { i += 1; continue }
            var j = i
            while j + 1 < n, continuesBuild(h[j + 1].comment) { j += 1 }
            if i > 0, h[i - 1].comment?.hasPrefix("FROM ") != true, starts[i - 1] == nil {
                // The entry before a run of `FROM <id>` comments has none: buildah's first step of a build from scratch.
                starts[i - 1] = ("buildah's `FROM <id>` comments on \(entries(i...j)) continue a build whose first entry \(i - 1) names no base: FROM scratch", true, "scratch")
                exactParts.insert(i - 1)
            }
            i = j + 1
        }
        // 2. BuildKit
        func bk(_ k: Int) -> Bool { h[k].comment == buildkitComment }
        for k in 1..<max(1, n) where starts[k] == nil {
            if bk(k) && !bk(k - 1) && !named.contains(k - 1) {
                starts[k] = ("BuildKit's `\(buildkitComment)` comments begin at entry \(k)", true, nil)
            } else if !bk(k) && bk(k - 1) && h[k].comment?.hasPrefix("FROM ") != true {
                starts[k] = ("entry \(k) is the first without BuildKit's `\(buildkitComment)` comment after entries with it", true, nil)
            }
        }
        // 3. leading entries without Dockerfile history
        let leading = parsed.prefix { $0.isOpaque }.count
        if leading > 0, leading < n, starts[leading] == nil, !(1..<leading).contains(where: { starts[$0] != nil }) {
            starts[leading] = ("\(entries(0...(leading - 1))) \(leading == 1 ? "has" : "have") no Dockerfile history (a base made without a Dockerfile)", true, nil)
        }

        // 4.-6. inside parts the comments leave whole.
        var bounds = starts.keys.sorted()
        if bounds.first != 0 { bounds.insert(0, at: 0) }
        for (pi, a) in bounds.enumerated() where !exactParts.contains(a) {
            let b = pi + 1 < bounds.count ? bounds[pi + 1] - 1 : n - 1
            guard a < b else { continue }
            for (k, ev) in ruleOfThumbStarts(h, parsed, a...b) where starts[k] == nil { starts[k] = (ev, false, nil) }
        }

        let sorted = starts.keys.sorted()
        var first = sorted.first == 0 ? [] : [0]
        first += sorted
        var out: [BuildSegment] = []
        for (idx, a) in first.enumerated() {
            let b = idx + 1 < first.count ? first[idx + 1] - 1 : n - 1
            if let s = starts[a] {
                out.append(BuildSegment(entries: a...b, evidence: s.0, exact: s.1, from: s.2))
            } else {
                out.append(BuildSegment(entries: a...b, evidence: "the history's first entry", exact: true, from: nil))
            }
        }
        return out
    }

    /// Rules of thumb for build starts inside `part` (history entries): see `segments`.
    static func ruleOfThumbStarts(_ h: [HistoryEntry], _ parsed: [ParsedEntry], _ part: ClosedRange<Int>) -> [(Int, String)] {
        var out: [(Int, String)] = []
        func isCmd(_ k: Int) -> Bool { h[k].emptyLayer && ["CMD", "ENTRYPOINT"].contains(parsed[k].keyword ?? "") }
        // 4. rootfs ADD, then its first empty-layer CMD.
        if let r = part.first(where: { !h[$0].emptyLayer }), isRootfsAdd(parsed[r]),
           let c = part.first(where: { $0 > r && isCmd($0) }), c < part.upperBound {
            out.append((c + 1, "entry \(c)'s CMD is the first empty-layer CMD after the rootfs `ADD … /` of entry \(r): the OS base image ends there"))
        }
        // 5. every empty-layer CMD/ENTRYPOINT that more layers follow.
        for c in part where isCmd(c) && c < part.upperBound && !out.contains(where: { $0.0 == c + 1 }) {
            // The CMD/ENTRYPOINT pair of one build's end stays together.
            if c + 1 <= part.upperBound, isCmd(c + 1) { continue }
            if let l = part.first(where: { $0 > c && !h[$0].emptyLayer }) {
                out.append((c + 1, "entry \(c)'s \(parsed[c].keyword!) is followed by layers (entry \(l)): a new build (as trivy guesses)"))
            }
        }
        // 6. a label set again.
        var labelSet: [String: Int] = [:]
        var buildStart = part.lowerBound
        for k in part {
            if out.contains(where: { $0.0 == k }) { buildStart = k; labelSet = [:] }
            guard parsed[k].keyword == "LABEL", let t = parsed[k].text else { continue }
            var again: (String, Int)?
            var keys: [(String, String)] = []
            for (key, v) in Render.splitPairs(String(t.dropFirst(6)), env: false) {
                let key = key.stripping("\"'")
                keys.append((key, (v ?? "").stripping("\"'")))
            }
            for (key, _) in keys { if let e = labelSet[key], e >= buildStart, again == nil { again = (key, e) } }
            if let (key, e) = again, k > part.lowerBound {
                out.append((k, "entry \(k) sets label \(key) again (entry \(e) set it): a build sets a label once"))
                buildStart = k
                labelSet = [:]
            }
            for (key, _) in keys { labelSet[key] = k }
        }
        return out
    }

    /// `ADD file:<hash> /` (or `COPY`): a base image's root file system.
    static func isRootfsAdd(_ p: ParsedEntry) -> Bool {
        guard let t = p.text, p.keyword == "ADD" || p.keyword == "COPY" else { return false }
        let w = t.split(separator: " ")
        return w.count == 3 && (w[1].hasPrefix("file:") || w[1].hasPrefix("multi:")) && w[2] == "/"
    }

    /// The header's sentence on the base image.
    static func describeBoundary(_ builds: [BuildSegment], history: [HistoryEntry]) -> String {
        guard let final = builds.last else { return "none (no history)" }
        if builds.count == 1 {
            if final.from == "scratch" { return "none: the image was built FROM scratch (" + final.evidence + ")" }
            return "none found: no FROM comment, BuildKit comment change, leading entries without Dockerfile history, CMD before more layers or label set twice tells a base apart, so every entry is taken as this image's"
        }
        let base = 0...(final.entries.lowerBound - 1)
        return "history \(entries(base))\(final.from.map { " (\($0))" } ?? ""), told apart by "
            + final.evidence + (final.exact ? "" : " (a rule of thumb: approximate)")
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
        // `Entrypoint: []` and no entrypoint run the same (buildah writes the former): only a real
        // difference is a fact to add. CMD follows only when it differs too: the history's CMD was
        // set in the same (single) stage, so an added ENTRYPOINT does not reset it.
        func set(_ a: [String]?) -> [String]? { (a ?? []).isEmpty ? nil : a }
        if set(c.entrypoint) != set(entrypoint) { out.append("ENTRYPOINT " + Render.json(c.entrypoint ?? [])) }
        if set(c.cmd) != set(cmd) { out.append("CMD " + Render.json(c.cmd ?? [])) }
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
    mutating func addChecked(_ text: String, index: Int?, digest: String?, isBase: Bool, fromConfig: Bool = false,
                             build: Int? = nil) -> Bool {
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
                                     fromConfig: fromConfig, lineRange: 1...1, build: build))
        return true
    }

    static func parses(_ t: String) -> Bool {
        let df = Dockerfile.parse("FROM scratch\n" + t + "\n")
        let endsWithContinuation = t.split(separator: "\n").last.map { $0.trimmingTrailingSpaces.hasSuffix("\\") } ?? false
        return !endsWithContinuation && df.instructions.count == 2 && !df.diagnostics.contains { $0.fatalInBuildKit }
    }
}

extension String {
    func stripping(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}

