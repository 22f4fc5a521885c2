// Image mode: `dflint --from-image REF` and `dflint reconstruct REF`.
// The reader gives bytes, ImageModel decodes them, History rebuilds a
// Dockerfile, and the same rules lint it; findings name REF as the file,
// the history entry, and a line/column in the reconstructed text.
import DockerfileSyntax
import History
import ImageModel
import ImageSources
import LayerModel
import Rules

struct ImageLint {
    var findings: [Finding]
    var text: [UInt8]
}

enum ImageCommands {
    static func sourceOptions(_ o: CLI.Options, _ console: Console) -> SourceOptions {
        SourceOptions(root: o.root, namespace: o.namespace, platform: o.platform, host: o.host,
                      environment: console.environment, registry: o.registry, remoteLayers: o.layers)
    }

    /// Reads `ref` and rebuilds its Dockerfile.
    static func load(_ ref: String, _ o: CLI.Options, _ console: Console) throws -> (ResolvedImage, Reconstruction) {
        let (image, rec, _) = try loadWithMetadata(ref, o, console)
        return (image, rec)
    }

    static func loadWithMetadata(_ ref: String, _ o: CLI.Options, _ console: Console) throws -> (ResolvedImage, Reconstruction, ImageMetadata) {
        let image = try ImageReader.resolve(ref, options: sourceOptions(o, console),
                                            exists: { FileIO.kind($0) != .missing },
                                            isDirectory: { FileIO.kind($0) == .directory })
        let metas: [ImageMetadata]
        do {
            metas = try ImageMetadataDecoder.decode(image.configBytes, history: image.historyBytes)
        } catch {
            throw UsageError(message: "\(ref): \(image.source): \(error)")
        }
        guard var meta = metas.first else { throw UsageError(message: "\(ref): \(image.source): no image in it") }
        if meta.repoTags.isEmpty { meta.repoTags = image.names }
        let layers = image.layers.isEmpty ? nil : image.layers.map(\.digest)
        // Sizes as the source stores the layers; tied by position when entries are tied to diff IDs.
        var sizes: [String: Int64] = [:]
        for l in image.layers { if let s = l.size { sizes[l.digest] = s } }
        if !meta.diffIDs.isEmpty, meta.diffIDs.count == image.layers.count {
            for (d, l) in zip(meta.diffIDs, image.layers) { if let s = l.size { sizes[d] = s } }
        }
        // The header is part of the text the rules lint, so positions are places in what `reconstruct` prints.
        let header = ["dflint reconstruct \(ref)", "source: \(image.source)"] + image.problems.map { "problem: \($0)" }
        let rec = Reconstructor.reconstruct(meta, name: ref, layerDigests: meta.diffIDs.isEmpty ? layers : nil,
                                            layerSizes: sizes, header: header)
        return (image, rec, meta)
    }

    /// Lints one image; `options` are the lint options from config and command line.
    static func lint(_ ref: String, _ o: CLI.Options, _ console: Console, options: LintOptions) throws -> ImageLint {
        let (image, rec, meta) = try loadWithMetadata(ref, o, console)
        var opts = options
        opts.rules.imageMode = true
        opts.rules.hostEnvironment = console.environment
        opts.rules.image = ImageFacts(os: meta.os, builds: rec.buildLines)
        // Layer contents, unless turned off or the source has no layer bytes.
        let readable = image.layerLocations.contains { if case .unavailable = $0 { return false } else { return true } }
        var catalogue = Catalogue.rules
        var notRead: String?
        if o.layers, readable {
            opts.rules.layers = LayerCommands.scan(image, diffIDs: meta.diffIDs)
            opts.rules.layerAnchors = LayerCommands.anchors(image, rec, diffIDs: meta.diffIDs)
            catalogue += Catalogue.layerRules
        } else if !o.layers {
            notRead = "--no-layers"
        } else {
            notRead = unreadableReason(image)
        }
        let df = rec.dockerfile
        var findings: [Finding] = []
        let baseLines = Set(rec.instructions.filter(\.isBase).flatMap { Array($0.lineRange) })
        for var f in Linter(options: opts, catalogue: catalogue).lint(df, path: ref) {
            if o.skipBase, baseLines.contains(f.range.start.line) { continue }
            if let h = rec.historyIndex(ofLine: f.range.start.line) {
                f.message = "history entry \(h)\(baseLines.contains(f.range.start.line) ? " (base image)" : ""): " + f.message
            }
            findings.append(f)
        }
        // Say when the layer rules did not run, so a clean result is not mistaken for a clean image.
        let note = ImageNotes.layersNotRead
        if let notRead, !opts.ignore.contains(note.id), !opts.ignore.contains(note.name),
           let sev = opts.severity[note.id] ?? opts.severity[note.name] ?? note.defaultSeverity {
            findings.append(Finding(file: ref, range: SourceRange(start: Position(line: 1, column: 1), end: Position(line: 1, column: 1)),
                                    ruleID: note.id, ruleName: note.name, severity: sev,
                                    message: "layer contents were not read (\(notRead)): the layer rules (DF5xx) did not run", fix: note.fix))
        }
        // What went wrong while reading (a digest that does not match its content) is a finding.
        let mismatch = Catalogue.digestMismatch
        if !opts.ignore.contains(mismatch.id) {
            for p in image.problems {
                findings.append(Finding(file: ref, range: SourceRange(start: Position(line: 1, column: 1), end: Position(line: 1, column: 1)),
                                        ruleID: mismatch.id, ruleName: mismatch.name, severity: mismatch.defaultSeverity,
                                        message: "\(image.source): \(p)", fix: mismatch.fix))
            }
        }
        return ImageLint(findings: findings.sorted(by: Finding.ordered), text: Array(rec.text.utf8))
    }

    /// Rules whose findings are not about the image: the linting host's settings (counted only with
    /// `--fail-on-host-findings`) and notes about the run (never counted).
    static let hostLevelRules: Set<String> = ["DF131"]   // content-trust-disabled
    static let runNotes: Set<String> = [ImageNotes.layersNotRead.id]

    /// Whether a finding may decide the exit status.
    static func counts(_ f: Finding, _ o: CLI.Options) -> Bool {
        guard o.imageRefs.contains(f.file) else { return true }
        if runNotes.contains(f.ruleID) { return false }
        return o.failOnHostFindings || !hostLevelRules.contains(f.ruleID)
    }

    /// Why a source's layers cannot be read (the first reason it gives).
    static func unreadableReason(_ image: ResolvedImage) -> String {
        if image.layers.isEmpty { return "this source holds no layer contents" }
        for l in image.layerLocations { if case .unavailable(let why) = l { return why } }
        return "this source holds no layer contents"
    }

    /// `--verbose`: the requests made and, per registry, requests, bytes and time (also after an error).
    static func reportTransfers(_ o: CLI.Options, _ console: inout Console) {
        guard let log = o.registry.log else { return }
        for line in log.takeLines() + log.summary() { console.writeErr("dflint: \(line)\n") }
    }

    static func reconstructCommand(_ args: [String], _ console: inout Console) throws -> Int32 {
        let o = try CLI.parseOptions(args, console)
        defer { reportTransfers(o, &console) }
        guard let ref = o.paths.first ?? o.imageRefs.first, o.paths.count + o.imageRefs.count == 1 else {
            throw UsageError(message: "reconstruct wants one image reference (see dflint --help)")
        }
        let (_, rec) = try load(ref, o, console)
        console.write(rec.text)
        if !rec.text.hasSuffix("\n") { console.write("\n") }
        return 0
    }
}
