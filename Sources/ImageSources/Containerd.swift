// `containerd:NAME`: an image in a containerd root (default /var/lib/containerd),
// read from disk without containerd: names from the bbolt metadata store
// (`v1/<namespace>/images/<name>/target/{digest,mediatype,size}`), then index
// -> manifest -> config from the content store
// (`io.containerd.content.v1.content/blobs/sha256/<hex>`). Docker's containerd
// image store is the same thing with namespace `moby` (see DockerRoot).

public enum Containerd {
    public static let defaultRoot = "/var/lib/containerd"
    public static let defaultNamespace = "default"

    /// Resolves NAME (a reference, `sha256:<digest>` or a unique prefix of at least
    /// 4 hex digits of the image's target digest or of its config digest).
    /// `namespace` nil: `default` first, then the other namespaces of the store.
    /// `platform` "os/arch[/variant]" picks from an index (nil: linux and the host's arch).
    public static func resolve(name: String, root: String?, namespace: String?, platform: String?) throws(ImageSourceError) -> ResolvedImage {
        let root = root ?? defaultRoot
        let db = try openMeta(root: root)
        let spaces: [String]
        if let namespace {
            spaces = [namespace]
        } else {
            let all = try namespaces(db)
            spaces = [defaultNamespace] + all.filter { $0 != defaultNamespace }
        }
        var firstError: ImageSourceError?
        var allCandidates: [String] = []
        for ns in spaces {
            do {
                return try resolve(name: name, db: db, root: root, namespace: ns, platform: platform,
                                   source: "containerd:\(name) (namespace \(ns), root \(root))")
            } catch {
                if !error.message.hasPrefix("no image matches") { throw error }
                if firstError == nil { firstError = error }
                allCandidates += error.candidates.map { spaces.count > 1 ? "[\(ns)] \($0)" : $0 }
            }
        }
        if namespace == nil && spaces.count > 1 {
            throw ImageSourceError("no image matches \(name) in any namespace of \(root) (\(spaces.joined(separator: ", ")))", candidates: allCandidates)
        }
        throw ImageSourceError((firstError?.message ?? "no image matches \(name)") + " in namespace \(spaces[0]) of \(root)",
                               candidates: allCandidates)
    }

    /// The images of one namespace, grouped by target digest (the image id, as
    /// Docker's containerd store shows it): `(id: "sha256:...", names: [stored names])`.
    public static func list(root: String, namespace: String) throws(ImageSourceError) -> [(id: String, names: [String])] {
        let db = try openMeta(root: root)
        return try images(db, namespace: namespace).map { (id: $0.digest, names: $0.names) }
    }

    // MARK: - internals

    struct Target { var digest: String; var mediaType: String?; var size: Int64?; var names: [String] }

    static func metaPath(root: String) -> String { root + "/io.containerd.metadata.v1.bolt/meta.db" }

    static func openMeta(root: String) throws(ImageSourceError) -> BoltDB.File {
        let path = metaPath(root: root)
        if !JSONFile.fileExists(path) {
            if !JSONFile.isDirectory(root) { throw ImageSourceError("containerd root \(root) does not exist (use --root DIR)") }
            throw ImageSourceError("\(root) is not a containerd root: \(path) is missing")
        }
        return try BoltDB.open(path: path)
    }

    static func namespaces(_ db: BoltDB.File) throws(ImageSourceError) -> [String] {
        guard let v1 = try db.bucket(["v1"]) else { return [] }
        return v1.bucketKeys
    }

    /// Images of a namespace grouped by target digest, in name order of their first name.
    static func images(_ db: BoltDB.File, namespace: String) throws(ImageSourceError) -> [Target] {
        guard let imgs = try db.bucket(["v1", namespace, "images"]) else {
            let known = try namespaces(db)
            if known.contains(namespace) { return [] }
            throw ImageSourceError("containerd namespace \(namespace) does not exist in \(db.name)",
                                   candidates: known.map { "namespace \($0)" })
        }
        var out: [Target] = []
        var byDigest: [String: Int] = [:]
        for name in imgs.bucketKeys {
            guard let img = try imgs.bucket(for: name), let target = try img.bucket(for: "target"),
                  let digest = target.string(for: "digest") else { continue }
            if let i = byDigest[digest] {
                out[i].names.append(name)
                continue
            }
            byDigest[digest] = out.count
            out.append(Target(digest: digest, mediaType: target.string(for: "mediatype"),
                              size: target.value(for: "size").flatMap(BoltDB.varint), names: [name]))
        }
        return out
    }

    static func resolve(name: String, db: BoltDB.File, root: String, namespace: String, platform: String?,
                        source: String) throws(ImageSourceError) -> ResolvedImage {
        let targets = try images(db, namespace: namespace)
        let store = ContainerdContent(root: root)
        let candidates = targets.map { (id: $0.digest, names: $0.names) }
        var chosen: Int
        do {
            chosen = try ImageName.pick(name, among: candidates)
        } catch {
            // `docker images` on a graphdriver host shows config digests: accept those too.
            guard error.message.hasPrefix("no image matches"), isHexQuery(name) else { throw error }
            let byConfig = targets.map { t in
                (id: (try? store.configDigest(of: t, platform: platform)) ?? "", names: [String]())
            }
            guard let i = try? ImageName.pick(name, among: byConfig) else { throw error }
            chosen = i
        }
        let t = targets[chosen]
        var image = try store.image(target: t, platform: platform, source: source)
        image.names = t.names.map { ImageName.normalize($0) ?? $0 }
        return image
    }

    static func isHexQuery(_ q: String) -> Bool {
        let s = q.hasPrefix("sha256:") ? q.dropFirst(7) : Substring(q)
        return s.count >= 4 && ImageName.isHex(s)
    }
}

/// The blob side of a containerd root: index -> manifest -> config, with digests verified.
struct ContainerdContent {
    var root: String

    static let indexTypes: Set<String> = ["application/vnd.oci.image.index.v1+json",
                                          "application/vnd.docker.distribution.manifest.list.v2+json"]
    static let manifestTypes: Set<String> = ["application/vnd.oci.image.manifest.v1+json",
                                             "application/vnd.docker.distribution.manifest.v2+json"]
    static let maxMetadataBlob = 64 << 20

    func blobPath(_ digest: String) -> String? {
        guard digest.hasPrefix("sha256:"), JSONFile.isSHA256Hex(digest.dropFirst(7)) else { return nil }
        return root + "/io.containerd.content.v1.content/blobs/sha256/" + digest.dropFirst(7)
    }

    /// Reads a metadata blob and records a digest or size mismatch in `problems`.
    func blob(_ digest: String, size: Int64?, what: String, problems: inout [String]) throws(ImageSourceError) -> [UInt8] {
        guard let path = blobPath(digest) else { throw ImageSourceError("\(what) has an unsupported digest \(digest) (only sha256 is read)") }
        if !JSONFile.fileExists(path) {
            throw ImageSourceError("\(what) \(digest) is not in the content store \(root) (content for other platforms is often not pulled)")
        }
        let bytes = try JSONFile.readFile(path, limit: Self.maxMetadataBlob)
        let actual = JSONFile.sha256Digest(bytes)
        if actual != digest {
            problems.append("\(what) blob \(digest) in \(root) has sha256 \(actual): the content store is corrupt or was modified")
        }
        if let size, size != Int64(bytes.count) {
            problems.append("\(what) \(digest): descriptor says \(size) bytes, blob has \(bytes.count)")
        }
        return bytes
    }

    struct Platform: Equatable {
        var os: String
        var arch: String
        var variant: String?
        var description: String { [os, arch, variant].compactMap { $0 }.joined(separator: "/") }
    }

    static var hostArch: String {
        #if arch(arm64)
        return "arm64"
        #elseif arch(arm)
        return "arm"
        #elseif arch(s390x)
        return "s390x"
        #elseif arch(powerpc64le)
        return "ppc64le"
        #elseif arch(riscv64)
        return "riscv64"
        #elseif arch(i386)
        return "386"
        #else
        return "amd64"
        #endif
    }

    static func parsePlatform(_ s: String?) throws(ImageSourceError) -> Platform {
        guard let s, !s.isEmpty else { return Platform(os: "linux", arch: hostArch, variant: nil) }
        let parts = s.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard (2...3).contains(parts.count), !parts.contains(where: \.isEmpty) else {
            throw ImageSourceError("bad platform \(s): expected os/arch[/variant], e.g. linux/arm64")
        }
        var arch = parts[1]
        if arch == "x86_64" { arch = "amd64" }
        if arch == "aarch64" { arch = "arm64" }
        return Platform(os: parts[0], arch: arch, variant: parts.count == 3 ? parts[2] : nil)
    }

    /// Picks the manifest descriptor of `want` from an index's `manifests`.
    static func pick(_ manifests: [[String: Any]], want: Platform, what: String) throws(ImageSourceError) -> [String: Any] {
        func platform(_ m: [String: Any]) -> Platform? {
            guard let p = m["platform"] as? [String: Any], let os = p["os"] as? String,
                  let arch = p["architecture"] as? String else { return nil }
            return Platform(os: os, arch: arch, variant: (p["variant"] as? String).flatMap { $0.isEmpty ? nil : $0 })
        }
        func isAttestation(_ m: [String: Any]) -> Bool {
            (m["annotations"] as? [String: Any])?["vnd.docker.reference.type"] as? String == "attestation-manifest"
        }
        let usable = manifests.filter { !isAttestation($0) }
        let matching = usable.filter { m in
            guard let p = platform(m) else { return false }
            guard p.os == want.os, p.arch == want.arch else { return false }
            if let v = want.variant { return p.variant == v || (p.variant == nil && ((want.arch == "arm64" && v == "v8"))) }
            return true
        }
        if want.variant == nil, matching.count > 1 {
            // arm64 without a variant means v8; otherwise take the highest variant listed first.
            let defaultVariant = want.arch == "arm64" ? "v8" : want.arch == "arm" ? "v7" : nil
            if let dv = defaultVariant, let m = matching.first(where: { platform($0)?.variant == dv }) { return m }
        }
        if let m = matching.first { return m }
        if usable.count == 1, platform(usable[0]) == nil { return usable[0] }
        let available = usable.compactMap { platform($0)?.description }
        throw ImageSourceError("\(what) has no manifest for platform \(want.description)",
                               candidates: available.map { "platform \($0)" })
    }

    struct Resolved { var manifest: [UInt8]; var manifestDigest: String; var config: [String: Any] }

    /// Follows index -> manifest for `digest`; returns the manifest and its config descriptor.
    func manifest(digest: String, mediaType: String?, size: Int64?, platform: String?, problems: inout [String],
                  depth: Int = 0) throws(ImageSourceError) -> Resolved {
        guard depth < 4 else { throw ImageSourceError("image index \(digest): indexes nested too deeply") }
        let bytes = try blob(digest, size: size, what: depth == 0 ? "image target" : "manifest", problems: &problems)
        guard let obj = JSONFile.object(bytes) else { throw ImageSourceError("\(digest) in \(root) is not a JSON manifest or index") }
        let type = (obj["mediaType"] as? String) ?? mediaType ?? ""
        if Self.indexTypes.contains(type) || (type.isEmpty && obj["manifests"] != nil) {
            let list = (obj["manifests"] as? [[String: Any]]) ?? []
            let want = try Self.parsePlatform(platform)
            let m = try Self.pick(list, want: want, what: "image index \(digest)")
            guard let d = m["digest"] as? String else { throw ImageSourceError("image index \(digest): manifest entry without digest") }
            return try manifest(digest: d, mediaType: m["mediaType"] as? String, size: Self.int64(m["size"]),
                                platform: platform, problems: &problems, depth: depth + 1)
        }
        if let config = obj["config"] as? [String: Any], config["digest"] is String {
            return Resolved(manifest: bytes, manifestDigest: digest, config: config)
        }
        if obj["schemaVersion"] as? Int == 1 {
            throw ImageSourceError("\(digest) is a Docker schema 1 manifest, which has no config blob (not supported)")
        }
        throw ImageSourceError("\(digest) in \(root) is neither an image index nor a manifest (media type \(type.isEmpty ? "unknown" : type))")
    }

    static func int64(_ v: Any?) -> Int64? {
        if let n = v as? Int64 { return n }
        if let n = v as? Int { return Int64(n) }
        if let n = v as? Double { return Int64(exactly: n) }
        return nil
    }

    func configDigest(of t: Containerd.Target, platform: String?) throws(ImageSourceError) -> String {
        var ignored: [String] = []
        let r = try manifest(digest: t.digest, mediaType: t.mediaType, size: t.size, platform: platform, problems: &ignored)
        return r.config["digest"] as? String ?? ""
    }

    func image(target t: Containerd.Target, platform: String?, source: String) throws(ImageSourceError) -> ResolvedImage {
        var problems: [String] = []
        let r = try manifest(digest: t.digest, mediaType: t.mediaType, size: t.size, platform: platform, problems: &problems)
        let configDigest = r.config["digest"] as? String ?? ""
        let config = try blob(configDigest, size: Self.int64(r.config["size"]), what: "config", problems: &problems)
        var layers: [LayerDescriptor] = []
        var locations: [LayerLocation] = []
        if let obj = JSONFile.object(r.manifest), let ls = obj["layers"] as? [[String: Any]] {
            for l in ls {
                guard let d = l["digest"] as? String else { continue }
                layers.append(LayerDescriptor(digest: d, size: Self.int64(l["size"]), mediaType: l["mediaType"] as? String))
                if let p = blobPath(d), JSONFile.fileExists(p) {
                    locations.append(.file(path: p))
                } else {
                    // Content can be partial (a --no-unpack import, a pruned or other-platform blob).
                    locations.append(.unavailable(reason: "layer blob \(d) is not in the content store \(root)"))
                }
            }
        }
        var image = ResolvedImage(configBytes: config, configDigest: configDigest, manifestBytes: r.manifest,
                                  manifestDigest: r.manifestDigest, names: t.names, layers: layers,
                                  source: source, problems: problems)
        image.layerLocations = locations
        return image
    }
}
