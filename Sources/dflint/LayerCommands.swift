// Layer contents in image mode: scan the layers the source can reach (no
// daemon, nothing written), let the layer rules read the final view, and
// print the package inventory (`dflint packages REF`).
import DockerfileSyntax
import History
import ImageSources
import LayerModel
import Rules

enum LayerCommands {
    /// Scans the layers the source can reach, naming each by its diff id (the config's
    /// `rootfs.diff_ids`) when the config lists one per layer: the uncompressed content's
    /// digest, the same whether the layer came gzip'd from a registry or plain from a tarball.
    static func scan(_ image: ResolvedImage, diffIDs: [String]) -> FileSystemView {
        var view = LayerScanner.scan(image)
        if diffIDs.count == view.layers.count {
            for i in view.layers.indices { view.layers[i].digest = diffIDs[i] }
        }
        return view
    }

    /// For each layer index, the span of the reconstructed instruction that wrote it.
    static func anchors(_ image: ResolvedImage, _ rec: Reconstruction, diffIDs: [String]) -> [Int: Span] {
        var out: [Int: Span] = [:]
        let df = rec.dockerfile
        for (k, layer) in image.layers.enumerated() {
            let keys = Set([layer.digest] + (k < diffIDs.count ? [diffIDs[k]] : []))
            guard let ins = rec.instructions.first(where: { $0.layerDigest.map(keys.contains) ?? false }) else { continue }
            if let i = df.instructions.first(where: { $0.startLine == ins.lineRange.lowerBound }) {
                out[k] = i.span
            }
        }
        return out
    }

    static func packagesCommand(_ args: [String], _ console: inout Console) throws -> Int32 {
        var rest: [String] = []
        var format = InventoryFormat.text
        var i = 0
        while i < args.count {
            if args[i] == "--format" || args[i] == "-f", i + 1 < args.count {
                guard let f = InventoryFormat(rawValue: args[i + 1]) else {
                    throw UsageError(message: "packages: unknown format \(args[i + 1]) (use text, json or cyclonedx)")
                }
                format = f
                i += 2
                continue
            }
            rest.append(args[i])
            i += 1
        }
        var o = try CLI.parseOptions(rest, console)
        o.layers = true   // the packages are in the layers, wherever they come from
        defer { ImageCommands.reportTransfers(o, &console) }
        guard let ref = o.paths.first ?? o.imageRefs.first, o.paths.count + o.imageRefs.count == 1 else {
            throw UsageError(message: "packages wants one image reference")
        }
        let (image, _, meta) = try ImageCommands.loadWithMetadata(ref, o, console)
        let view = scan(image, diffIDs: meta.diffIDs)
        let (pkgs, notes) = Inventory.packages(in: view)
        console.write(Inventory.render(pkgs, notes: notes, format: format, imageName: ref))
        for n in view.problems { console.writeErr("dflint: \(ref): \(n)\n") }
        return 0
    }
}
