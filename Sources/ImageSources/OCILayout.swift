// OCI image layouts: `oci:DIR[:REF]` (a directory) and `oci-archive:PATH[:REF]`
// (the same in a tar). index.json → (nested indexes, by platform) → manifest →
// config. REF is an `org.opencontainers.image.ref.name` (a bare tag as skopeo
// writes, or a full name as podman/skopeo oci-archive write), an
// `io.containerd.image.name`, an image id (config digest) or unique prefix,
// or a manifest digest. Manifest and config bytes are checked against their
// descriptors' digests and sizes; a mismatch becomes a problem, not a failure.

import Foundation

/// An OCI/Docker content descriptor.
struct Descriptor {
    var mediaType: String?
    var digest: String
    var size: Int64?
    var annotations: [String: String]
    var platform: Platform?
    /// Where a foreign (non-distributable) layer is fetched from.
    var urls: [String]?

    init?(_ json: Any?) {
        guard let o = json as? [String: Any], let digest = o["digest"] as? String else { return nil }
        self.digest = digest
        urls = (o["urls"] as? [Any])?.compactMap { $0 as? String }
        mediaType = o["mediaType"] as? String
        size = JSON.int64(o["size"])
        annotations = (o["annotations"] as? [String: Any])?.compactMapValues { $0 as? String } ?? [:]
        if let p = o["platform"] as? [String: Any], let os = p["os"] as? String, let arch = p["architecture"] as? String {
            platform = Platform(os: os, architecture: arch, variant: p["variant"] as? String)
        }
    }

    static let refName = "org.opencontainers.image.ref.name"
    static let containerdName = "io.containerd.image.name"

    var isIndex: Bool {
        mediaType == "application/vnd.oci.image.index.v1+json"
            || mediaType == "application/vnd.docker.distribution.manifest.list.v2+json"
    }
}

struct Platform: Equatable, CustomStringConvertible {
    var os: String
    var architecture: String
    var variant: String?

    /// `os/arch[/variant]`; nil for anything else.
    init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3, !parts.contains(where: \.isEmpty) else { return nil }
        os = parts[0]
        architecture = parts[1]
        variant = parts.count == 3 ? parts[2] : nil
    }

    init(os: String, architecture: String, variant: String?) {
        self.os = os
        self.architecture = architecture
        self.variant = variant
    }

    static let `default` = Platform(os: "linux", architecture: "amd64", variant: nil)

    /// Does a descriptor's platform satisfy the requested one? (An unrequested variant matches any.)
    func accepts(_ other: Platform) -> Bool {
        os == other.os && architecture == other.architecture && (variant == nil || variant == other.variant)
    }

    var description: String { "\(os)/\(architecture)" + (variant.map { "/" + $0 } ?? "") }
}

enum JSON {
    static func parse(_ bytes: [UInt8], what: String) throws(ImageSourceError) -> Any {
        do {
            return try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw ImageSourceError("\(what) is not valid JSON")
        }
    }

    static func object(_ bytes: [UInt8], what: String) throws(ImageSourceError) -> [String: Any] {
        guard let o = try parse(bytes, what: what) as? [String: Any] else { throw ImageSourceError("\(what) is not a JSON object") }
        return o
    }

    static func int64(_ v: Any?) -> Int64? {
        if let n = v as? NSNumber { return n.int64Value }
        return nil
    }
}

/// The OCI reading shared by `oci:`, `oci-archive:` and the OCI part of docker archives.
struct OCIReader {
    let store: LayoutStore
    let platform: Platform

    static let maxIndexDepth = 4

    /// `blobs/<alg>/<hex>` for a well-formed digest (never a path that leaves blobs/).
    func blobPath(_ digest: String) throws(ImageSourceError) -> String {
        let parts = digest.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
              parts[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "." || $0 == "_" || $0 == "-" }),
              parts[1].allSatisfy({ $0.isHexDigit }) else {
            throw ImageSourceError("\(store.label): malformed digest \(digest)")
        }
        return "blobs/\(parts[0])/\(parts[1])"
    }

    /// Reads a blob and checks it against its descriptor (problems are appended, not thrown).
    func readBlob(_ d: Descriptor, what: String, problems: inout [String]) throws(ImageSourceError) -> [UInt8] {
        let path = try blobPath(d.digest)
        if let s = d.size, let actual = store.size(path), s != actual {
            problems.append("\(what) \(d.digest): descriptor says \(s) bytes, blob has \(actual)")
        }
        let bytes = try store.readMetadata(path)
        if d.digest.hasPrefix("sha256:") {
            let actual = Digest.of(bytes)
            if actual != d.digest {
                problems.append("\(what) digest mismatch: \(d.digest) expected, content is \(actual)")
            }
        }
        return bytes
    }

    func topLevel() throws(ImageSourceError) -> [Descriptor] {
        let bytes = try store.readMetadata("index.json")
        let index = try JSON.object(bytes, what: "\(store.label) index.json")
        guard let list = index["manifests"] as? [Any] else {
            throw ImageSourceError("\(store.label): index.json has no manifests")
        }
        return list.compactMap(Descriptor.init)
    }

    /// A descriptor's blob parsed as JSON; tells indexes and manifests apart by content too.
    func isIndex(_ d: Descriptor, json: [String: Any]) -> Bool {
        if d.isIndex { return true }
        if d.mediaType == nil { return json["manifests"] != nil && json["config"] == nil }
        return false
    }

    /// Follows indexes down to one image manifest for the platform.
    func manifest(for d: Descriptor, problems: inout [String], depth: Int = 0) throws(ImageSourceError) -> (Descriptor, [UInt8], [String: Any]) {
        if depth > OCIReader.maxIndexDepth { throw ImageSourceError("\(store.label): indexes nested too deeply") }
        let bytes = try readBlob(d, what: "manifest", problems: &problems)
        let json = try JSON.object(bytes, what: "\(store.label) \(d.digest)")
        if !isIndex(d, json: json) {
            if JSON.int64(json["schemaVersion"]) == 1 {
                throw ImageSourceError("\(store.label): \(d.digest) is a schema 1 manifest, which is not supported")
            }
            return (d, bytes, json)
        }
        let children = ((json["manifests"] as? [Any]) ?? []).compactMap(Descriptor.init)
        let chosen = try choose(children, in: d.digest)
        return try manifest(for: chosen, problems: &problems, depth: depth + 1)
    }

    /// Picks the manifest for the requested platform among an index's entries.
    func choose(_ children: [Descriptor], in digest: String) throws(ImageSourceError) -> Descriptor {
        let matching = children.filter { c in c.platform.map { platform.accepts($0) } ?? false }
        if let exact = matching.first(where: { $0.platform?.variant == nil }) ?? matching.first { return exact }
        let unplatformed = children.filter { $0.platform == nil }
        if unplatformed.count == 1 && children.count == 1 { return unplatformed[0] }
        let available = children.compactMap { $0.platform?.description }
        throw ImageSourceError("\(store.label): index \(digest) has no manifest for \(platform)",
                               candidates: available.isEmpty ? children.map(\.digest) : available)
    }

    /// Builds the image from a manifest.
    func image(manifestDescriptor d: Descriptor, manifestBytes: [UInt8], manifest: [String: Any],
               names: [String], source: String, problems: [String]) throws(ImageSourceError) -> ResolvedImage {
        var problems = problems
        guard let config = Descriptor(manifest["config"]) else {
            throw ImageSourceError("\(store.label): manifest \(d.digest) has no config descriptor")
        }
        let configBytes = try readBlob(config, what: "config", problems: &problems)
        let descriptors = ((manifest["layers"] as? [Any]) ?? []).compactMap(Descriptor.init)
        let layers = descriptors.map { LayerDescriptor(digest: $0.digest, size: $0.size, mediaType: $0.mediaType) }
        var image = ResolvedImage(configBytes: configBytes, configDigest: Digest.of(configBytes), manifestBytes: manifestBytes,
                                  manifestDigest: d.digest, names: names, layers: layers, source: source, problems: problems)
        image.layerLocations = descriptors.map { l in
            guard let p = try? blobPath(l.digest) else { return .unavailable(reason: "malformed layer digest \(l.digest)") }
            return store.location(p)
        }
        return image
    }

    /// Names a top-level descriptor gives its image, normalised. A bare tag is no name.
    static func names(of d: Descriptor) -> [String] {
        var out: [String] = []
        for key in [Descriptor.containerdName, Descriptor.refName] {
            guard let v = d.annotations[key], v.contains("/") || v.contains(":") || key == Descriptor.containerdName,
                  let n = ImageName.normalize(v), !out.contains(n) else { continue }
            out.append(n)
        }
        return out
    }

    /// Every image manifest reachable from index.json (all platforms), for matching by config digest.
    func allManifests() throws(ImageSourceError) -> [(Descriptor, [UInt8], [String: Any], top: Descriptor)] {
        var out: [(Descriptor, [UInt8], [String: Any], top: Descriptor)] = []
        var ignored: [String] = []
        func walk(_ d: Descriptor, top: Descriptor, depth: Int) throws(ImageSourceError) {
            guard depth <= OCIReader.maxIndexDepth, let path = try? blobPath(d.digest), store.exists(path) else { return }
            let bytes = try readBlob(d, what: "manifest", problems: &ignored)
            guard let json = try? JSON.object(bytes, what: d.digest) else { return }
            if isIndex(d, json: json) {
                for c in ((json["manifests"] as? [Any]) ?? []).compactMap(Descriptor.init) { try walk(c, top: top, depth: depth + 1) }
            } else {
                out.append((d, bytes, json, top))
            }
        }
        for d in try topLevel() { try walk(d, top: d, depth: 0) }
        return out
    }

    /// Resolves REF (or the only image) in this layout.
    func resolve(ref: String?, sourcePrefix: String) throws(ImageSourceError) -> ResolvedImage {
        let top = try topLevel()
        if top.isEmpty { throw ImageSourceError("\(store.label): index.json lists no images") }
        func describe(_ d: Descriptor) -> String {
            let n = d.annotations[Descriptor.containerdName] ?? d.annotations[Descriptor.refName]
            return String(d.digest.dropFirst(7).prefix(12)) + (n.map { " " + $0 } ?? "")
                + (d.platform.map { " (\($0))" } ?? "")
        }
        var chosen: [Int]
        if let ref {
            chosen = top.indices.filter {
                top[$0].annotations[Descriptor.refName] == ref || top[$0].annotations[Descriptor.containerdName] == ref
                    || top[$0].digest == ref || top[$0].digest == "sha256:" + ref
            }
            if chosen.isEmpty {
                // Image id (config digest) or its prefix, or a name in any spelling.
                var candidates: [(id: String, names: [String])] = []
                for d in top {
                    var p: [String] = []
                    var id = d.digest
                    if let (_, _, m) = try? manifest(for: d, problems: &p), let c = Descriptor(m["config"]) { id = c.digest }
                    let raw = [d.annotations[Descriptor.containerdName], d.annotations[Descriptor.refName]].compactMap { $0 }
                    candidates.append((id, raw))
                }
                chosen = [try ImageName.pick(ref, among: candidates)]
            }
        } else {
            chosen = Array(top.indices)
        }
        if chosen.count > 1 {
            // Several per-platform entries for the same name: the platform decides.
            let byPlatform = chosen.filter { top[$0].platform.map { platform.accepts($0) } ?? false }
            if byPlatform.count >= 1 { chosen = [byPlatform[0]] }
        }
        guard chosen.count == 1 else {
            throw ImageSourceError(ref == nil ? "\(store.label) holds \(chosen.count) images; name one"
                                              : "\(ref!) matches \(chosen.count) images in \(store.label)",
                                   candidates: chosen.map { describe(top[$0]) })
        }
        let d = top[chosen[0]]
        var problems: [String] = []
        let (md, bytes, json) = try manifest(for: d, problems: &problems)
        var source = sourcePrefix
        if let r = d.annotations[Descriptor.containerdName] ?? d.annotations[Descriptor.refName] { source += ":" + r }
        if top.count > 1 { source += " (image \(chosen[0] + 1) of \(top.count))" }
        return try image(manifestDescriptor: md, manifestBytes: bytes, manifest: json, names: OCIReader.names(of: d),
                         source: source, problems: problems)
    }
}

public enum OCILayout {
    static func platform(_ text: String?) throws(ImageSourceError) -> Platform {
        guard let text else { return .default }
        guard let p = Platform(parsing: text) else {
            throw ImageSourceError("bad platform \(text): expected os/arch[/variant], e.g. linux/amd64")
        }
        return p
    }

    /// `oci:DIR[:REF]`: an OCI image layout directory.
    public static func resolve(directory: String, ref: String?, platform: String?) throws(ImageSourceError) -> ResolvedImage {
        guard FileAccess.isDirectory(directory) else { throw ImageSourceError("oci:\(directory): no such directory") }
        let store = DirectoryStore(root: directory, label: "oci:\(directory)")
        guard store.exists("index.json") else {
            throw ImageSourceError("oci:\(directory) is not an OCI image layout (no index.json)")
        }
        let reader = OCIReader(store: store, platform: try Self.platform(platform))
        var image = try reader.resolve(ref: ref, sourcePrefix: "oci:\(directory)")
        image.problems += layoutVersionProblems(store)
        return image
    }

    /// `oci-archive:PATH[:REF]`: an OCI image layout in a tar (plain or gzip).
    public static func resolveArchive(path: String, ref: String?, platform: String?) throws(ImageSourceError) -> ResolvedImage {
        try resolveArchive(path: path, ref: ref, platform: platform, stats: nil)
    }

    /// Same, counting what was read.
    public static func resolveArchive(path: String, ref: String?, platform: String?, stats: ReadStats?) throws(ImageSourceError) -> ResolvedImage {
        let p = try Self.platform(platform)
        let archive = try TarArchive(path: path, label: "oci-archive:\(path)", stats: stats)
        guard archive.exists("index.json") else {
            throw ImageSourceError("oci-archive:\(path) is not an OCI image layout (no index.json)")
        }
        var image = try OCIReader(store: archive, platform: p).resolve(ref: ref, sourcePrefix: "oci-archive:\(path)")
        image.problems += layoutVersionProblems(archive)
        return image
    }

    static func layoutVersionProblems(_ store: LayoutStore) -> [String] {
        guard let bytes = try? store.readMetadata("oci-layout") else { return ["\(store.label): no oci-layout file"] }
        guard let o = try? JSON.object(bytes, what: "oci-layout"), o["imageLayoutVersion"] is String else {
            return ["\(store.label): oci-layout has no imageLayoutVersion"]
        }
        return []
    }
}
