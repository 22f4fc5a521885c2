// `docker-archive:PATH[:NAME]`: the tars of `docker save`, `podman save`,
// `skopeo copy docker-archive:` and `ctr export`, plain or gzip-compressed.
// manifest.json ([{Config, RepoTags, Layers}]) lists the images; `repositories`
// names them when RepoTags is missing; when the tar also holds an OCI layout
// (Docker 25+, ctr export) the image's OCI manifest is attached. A tar with an
// OCI layout and no manifest.json is read as an OCI layout.

public enum DockerArchive {
    struct Entry {
        var config: String
        var repoTags: [String]
        var layers: [String]
        /// sha256:<hex> when the config's member name says it (`<hex>.json`, `blobs/sha256/<hex>`).
        var claimedID: String?
        /// Names taken from `repositories` because manifest.json gave none.
        var claimedFromRepositories = false
    }

    /// Every image in the archive: id (config digest) and names as stored.
    public static func list(path: String) throws(ImageSourceError) -> [(id: String, names: [String])] {
        let archive = try TarArchive(path: path, label: "docker-archive:\(path)")
        if !archive.exists("manifest.json") {
            return try ociList(archive)
        }
        let entries = try manifestEntries(archive)
        var out: [(id: String, names: [String])] = []
        for e in entries { out.append((try imageID(e, archive), e.repoTags)) }
        return out
    }

    public static func resolve(path: String, name: String?) throws(ImageSourceError) -> ResolvedImage {
        try resolve(path: path, name: name, stats: nil)
    }

    /// Same, counting the bytes read (tests prove that layers are skipped).
    public static func resolve(path: String, name: String?, stats: ReadStats?) throws(ImageSourceError) -> ResolvedImage {
        let label = "docker-archive:\(path)"
        let archive = try TarArchive(path: path, label: label, stats: stats)
        if !archive.exists("manifest.json") {
            guard archive.exists("index.json") else {
                throw ImageSourceError("\(label): no manifest.json or index.json; not an image archive")
            }
            return try OCIReader(store: archive, platform: .default).resolve(ref: name, sourcePrefix: label)
        }
        let entries = try manifestEntries(archive)
        if entries.isEmpty { throw ImageSourceError("\(label): manifest.json lists no images") }
        var candidates: [(id: String, names: [String])] = []
        for e in entries {
            candidates.append((try imageID(e, archive), e.repoTags))
        }
        let index: Int
        if let name {
            index = try ImageName.pick(name, among: candidates)
        } else if entries.count == 1 {
            index = 0
        } else {
            throw ImageSourceError("\(label) holds \(entries.count) images; name one (name:tag or id)",
                                   candidates: candidates.map(ImageName.describe))
        }
        let e = entries[index]
        var problems: [String] = []
        let configBytes = try archive.readMetadata(e.config)
        let configDigest = Digest.of(configBytes)
        if let claimed = e.claimedID, claimed != configDigest {
            problems.append("config \(e.config) is named for \(claimed) but its content is \(configDigest)")
        }
        // Layer digests: from the member name when content-addressed, else the config's diff_ids.
        var diffIDs: [String] = []
        if let cfg = try? JSON.object(configBytes, what: "config"), let rootfs = cfg["rootfs"] as? [String: Any] {
            diffIDs = (rootfs["diff_ids"] as? [Any])?.compactMap { $0 as? String } ?? []
        }
        var layers: [LayerDescriptor] = []
        for (i, l) in e.layers.enumerated() {
            let size = archive.size(l)
            if size == nil { problems.append("layer \(l) is missing from the archive") }
            let digest = contentAddress(l) ?? (diffIDs.count == e.layers.count ? diffIDs[i] : "")
            layers.append(LayerDescriptor(digest: digest, size: size,
                                          mediaType: "application/vnd.docker.image.rootfs.diff.tar"))
        }
        var image = ResolvedImage(configBytes: configBytes, configDigest: configDigest,
                                  names: e.repoTags.compactMap(ImageName.normalize), layers: layers,
                                  source: label, problems: problems)
        // Layer bytes: the members manifest.json names (v1 `layer.tar` symlinks are followed in the archive).
        image.layerLocations = e.layers.map { archive.location($0) }
        // Docker 25+ and ctr export also carry an OCI layout: attach the image's manifest.
        if archive.exists("index.json"), let all = try? OCIReader(store: archive, platform: .default).allManifests() {
            for (d, bytes, json, _) in all {
                guard let c = Descriptor(json["config"]), c.digest == configDigest else { continue }
                image.manifestBytes = bytes
                image.manifestDigest = d.digest
                if Digest.of(bytes) != d.digest { image.problems.append("manifest digest mismatch: \(d.digest) expected, content is \(Digest.of(bytes))") }
                let ociLayers = ((json["layers"] as? [Any]) ?? []).compactMap(Descriptor.init)
                if ociLayers.count == layers.count {
                    image.layers = ociLayers.map { LayerDescriptor(digest: $0.digest, size: $0.size, mediaType: $0.mediaType) }
                }
                break
            }
        }
        let what = image.names.first ?? String(configDigest.dropFirst(7).prefix(12))
        image.source = entries.count > 1 ? "\(label) (image \(index + 1) of \(entries.count): \(what))"
                                         : (image.names.isEmpty ? label : "\(label) (\(what))")
        return image
    }

    static func imageID(_ e: Entry, _ archive: TarArchive) throws(ImageSourceError) -> String {
        if let id = e.claimedID { return id }
        return Digest.of(try archive.readMetadata(e.config))
    }

    /// `sha256:<hex>` from `<hex>.tar`, `<hex>.json`, `blobs/sha256/<hex>`, `<hex>/layer.tar` is NOT one (v1 id).
    static func contentAddress(_ member: String) -> String? {
        let norm = TarScanner.normalize(member) ?? member
        let parts = norm.split(separator: "/")
        if parts.count == 3, parts[0] == "blobs", parts[1] == "sha256", Digest.isHex64(parts[2]) { return "sha256:" + parts[2] }
        if parts.count == 1 {
            let name = parts[0]
            for ext in [".tar", ".json", ".tar.gz"] where name.hasSuffix(ext) {
                let hex = name.dropLast(ext.count)
                if Digest.isHex64(hex) { return "sha256:" + hex }
            }
        }
        return nil
    }

    static func manifestEntries(_ archive: TarArchive) throws(ImageSourceError) -> [Entry] {
        let json = try JSON.parse(try archive.readMetadata("manifest.json"), what: "\(archive.label) manifest.json")
        guard let list = json as? [Any] else { throw ImageSourceError("\(archive.label): manifest.json is not an array") }
        var entries: [Entry] = []
        for item in list {
            guard let o = item as? [String: Any], let config = o["Config"] as? String else {
                throw ImageSourceError("\(archive.label): manifest.json entry without Config")
            }
            let tags = (o["RepoTags"] as? [Any])?.compactMap { $0 as? String } ?? []
            let layers = (o["Layers"] as? [Any])?.compactMap { $0 as? String } ?? []
            entries.append(Entry(config: config, repoTags: tags, layers: layers, claimedID: contentAddress(config)))
        }
        // Images without RepoTags: `repositories` maps repo → tag → top v1 layer id.
        if entries.contains(where: { $0.repoTags.isEmpty }), archive.exists("repositories"),
           let repos = try? JSON.object(archive.readMetadata("repositories"), what: "repositories") {
            for (repo, tags) in repos {
                for (tag, v1) in (tags as? [String: Any]) ?? [:] {
                    guard let v1 = v1 as? String else { continue }
                    for i in entries.indices where entries[i].claimedFromRepositories || entries[i].repoTags.isEmpty {
                        guard entries[i].layers.last?.hasPrefix(v1 + "/") == true else { continue }
                        entries[i].repoTags.append("\(repo):\(tag)")
                        entries[i].claimedFromRepositories = true
                    }
                }
            }
        }
        return entries
    }

    static func ociList(_ archive: TarArchive) throws(ImageSourceError) -> [(id: String, names: [String])] {
        guard archive.exists("index.json") else {
            throw ImageSourceError("\(archive.label): no manifest.json or index.json; not an image archive")
        }
        let reader = OCIReader(store: archive, platform: .default)
        var out: [(id: String, names: [String])] = []
        for d in try reader.topLevel() {
            var p: [String] = []
            var id = d.digest
            if let (_, _, m) = try? reader.manifest(for: d, problems: &p), let c = Descriptor(m["config"]) { id = c.digest }
            out.append((id, OCIReader.names(of: d)))
        }
        return out
    }
}
