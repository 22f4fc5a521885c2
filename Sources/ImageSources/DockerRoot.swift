// `docker-root:NAME`: an image in a Docker data-root (default /var/lib/docker),
// read from disk without dockerd.
//
// Graphdriver image store (Docker <= 28, upgraded hosts): names from
// `image/<driver>/repositories.json`, the config from
// `image/<driver>/imagedb/content/sha256/<id>` (id = sha256 of the file, verified),
// layer sizes from `image/<driver>/layerdb/sha256/<chainID>/size`.
//
// containerd image store (default on fresh Docker 29+): Docker keeps no image
// metadata in its root; the images live in containerd namespace `moby`, either
// in the system containerd (`/var/lib/containerd`, i.e. `<root>/../containerd`)
// or in the containerd dockerd supervises (`<root>/containerd/daemon`).

import Foundation
import Checksums

public enum DockerRoot {
    public static let defaultRoot = "/var/lib/docker"
    static let mobyNamespace = "moby"

    public static func resolve(name: String, root: String?, platform: String?) throws(ImageSourceError) -> ResolvedImage {
        let root = trimSlash(root ?? defaultRoot)
        let graph = try graphImages(root: root)
        let c8d = containerdStores(root: root)
        if graph.isEmpty && c8d.isEmpty {
            throw ImageSourceError("no Docker image store under \(root): no image/<driver>/imagedb and no containerd store with namespace moby in "
                                   + containerdRootCandidates(root: root).joined(separator: " or "))
        }
        var notFound: ImageSourceError?
        if !graph.isEmpty {
            do {
                let i = try ImageName.pick(name, among: graph.map { (id: $0.id, names: $0.names) })
                return try image(graph[i], name: name, root: root)
            } catch {
                guard error.message.hasPrefix("no image matches"), !c8d.isEmpty else { throw error }
                notFound = error
            }
        }
        var candidates = notFound?.candidates ?? []
        for (croot, db) in c8d {
            do {
                return try Containerd.resolve(name: name, db: db, root: croot, namespace: mobyNamespace, platform: platform,
                                              source: "docker-root:\(name) (containerd image store, namespace moby, root \(croot))")
            } catch {
                guard error.message.hasPrefix("no image matches") else { throw error }
                candidates += error.candidates
            }
        }
        throw ImageSourceError("no image matches \(name) in the Docker root \(root)", candidates: candidates)
    }

    /// Every image of the root: graphdriver images (id = config digest) and, when
    /// present, images of the containerd image store (id = target digest).
    public static func list(root: String) throws(ImageSourceError) -> [(id: String, names: [String])] {
        let root = trimSlash(root)
        var out = try graphImages(root: root).map { (id: $0.id, names: $0.names) }
        for (_, db) in containerdStores(root: root) {
            out += try Containerd.images(db, namespace: mobyNamespace).map { (id: $0.digest, names: $0.names) }
        }
        return out
    }

    // MARK: - graphdriver store

    struct GraphImage { var id: String; var names: [String]; var driverDir: String }

    static func trimSlash(_ s: String) -> String {
        var s = s
        while s.count > 1 && s.hasSuffix("/") { s.removeLast() }
        return s
    }

    /// Driver directories under `<root>/image` that hold an imagedb.
    static func driverDirs(root: String) throws(ImageSourceError) -> [String] {
        let imageDir = root + "/image"
        if !JSONFile.isDirectory(root) { throw ImageSourceError("Docker root \(root) does not exist (use --root DIR)") }
        guard JSONFile.isDirectory(imageDir) else { return [] }
        guard let drivers = JSONFile.listDirectory(imageDir) else {
            throw ImageSourceError("\(imageDir): permission denied (the Docker root is readable by root only)")
        }
        return drivers.map { imageDir + "/" + $0 }.filter { JSONFile.isDirectory($0 + "/imagedb/content/sha256") }
    }

    static func graphImages(root: String) throws(ImageSourceError) -> [GraphImage] {
        var out: [GraphImage] = []
        var seen = Set<String>()
        for dir in try driverDirs(root: root) {
            let names = try repositories(dir + "/repositories.json")
            let contentDir = dir + "/imagedb/content/sha256"
            guard let ids = JSONFile.listDirectory(contentDir) else {
                throw ImageSourceError("\(contentDir): cannot be listed (permission denied?)")
            }
            for hex in ids where JSONFile.isSHA256Hex(Substring(hex)) {
                let id = "sha256:" + hex
                guard seen.insert(id).inserted else { continue }
                out.append(GraphImage(id: id, names: names[id] ?? [], driverDir: dir))
            }
        }
        return out
    }

    /// image id -> refs (`name:tag`, `name@sha256:...`) from repositories.json.
    static func repositories(_ path: String) throws(ImageSourceError) -> [String: [String]] {
        guard JSONFile.fileExists(path) else { return [:] }
        let bytes = try JSONFile.readFile(path, limit: 256 << 20)
        guard let obj = JSONFile.object(bytes) else { throw ImageSourceError("\(path): not valid JSON") }
        var out: [String: [String]] = [:]
        let repos = obj["Repositories"] as? [String: Any] ?? [:]
        for repo in repos.keys.sorted() {
            guard let refs = repos[repo] as? [String: Any] else { continue }
            for ref in refs.keys.sorted() {
                if let id = refs[ref] as? String { out[id, default: []].append(ref) }
            }
        }
        return out
    }

    static func image(_ g: GraphImage, name: String, root: String) throws(ImageSourceError) -> ResolvedImage {
        let hex = g.id.dropFirst(7)
        let path = g.driverDir + "/imagedb/content/sha256/" + hex
        let bytes = try JSONFile.readFile(path, limit: 64 << 20)
        var problems: [String] = []
        let actual = JSONFile.sha256Digest(bytes)
        if actual != g.id {
            problems.append("image config \(path) has sha256 \(actual), not its id \(g.id): the image store is corrupt or was modified")
        }
        var layers: [LayerDescriptor] = []
        var locations: [LayerLocation] = []
        let driverName = g.driverDir.split(separator: "/").last.map(String.init) ?? "?"
        if let cfg = JSONFile.object(bytes), let rootfs = cfg["rootfs"] as? [String: Any],
           let diffIDs = rootfs["diff_ids"] as? [String] {
            var chain: String?
            for diff in diffIDs {
                let id = chain.map { "sha256:" + SHA256.hex(Array(($0 + " " + diff).utf8)) } ?? diff
                chain = id
                var size: Int64?
                if id.hasPrefix("sha256:"), let s = try? JSONFile.readFile(g.driverDir + "/layerdb/sha256/" + id.dropFirst(7) + "/size", limit: 64) {
                    size = Int64(String(decoding: s, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
                }
                layers.append(LayerDescriptor(digest: diff, size: size, mediaType: "application/vnd.docker.image.rootfs.diff.tar"))
                locations.append(unpackedLayer(root: root, driver: driverName, layerDB: g.driverDir + "/layerdb/sha256/", chainID: id))
            }
        }
        var image = ResolvedImage(configBytes: bytes, configDigest: g.id, names: g.names.map { ImageName.normalize($0) ?? $0 },
                                  layers: layers, source: "docker-root:\(name) (\(driverName) image store, root \(root))",
                                  problems: problems)
        image.layerLocations = locations
        return image
    }

    /// The unpacked layer of a chain id: `layerdb/sha256/<chain>/cache-id` names the driver's directory
    /// (overlay2 `<root>/overlay2/<cache-id>/diff`, vfs `<root>/vfs/dir/<cache-id>`, a full snapshot).
    static func unpackedLayer(root: String, driver: String, layerDB: String, chainID: String) -> LayerLocation {
        guard let hex = Digest.sha256Hex(chainID) else { return .unavailable(reason: "layer chain id \(chainID) is not sha256") }
        guard let raw = try? JSONFile.readFile(layerDB + hex + "/cache-id", limit: 256) else {
            return .unavailable(reason: "no layerdb/sha256/\(hex.prefix(12))/cache-id in the \(driver) store")
        }
        let cacheID = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !cacheID.isEmpty, !cacheID.contains("/"), cacheID != ".", cacheID != ".." else {
            return .unavailable(reason: "layerdb/sha256/\(hex.prefix(12))/cache-id is malformed")
        }
        let dir: String
        switch driver {
        case "overlay2", "overlay", "fuse-overlayfs": dir = root + "/" + driver + "/" + cacheID + "/diff"
        case "vfs": dir = root + "/vfs/dir/" + cacheID
        case "btrfs": dir = root + "/btrfs/subvolumes/" + cacheID
        default: return .unavailable(reason: "layers of the \(driver) storage driver are not read")
        }
        guard JSONFile.isDirectory(dir) else {
            return .unavailable(reason: "the unpacked layer \(dir) is not in the store (only metadata was copied?)")
        }
        return .directory(path: dir)
    }

    // MARK: - containerd image store

    static func containerdRootCandidates(root: String) -> [String] {
        var out = [root + "/containerd/daemon"]
        if let slash = root.lastIndex(of: "/") {
            let parent = root[..<slash]
            out.append((parent.isEmpty ? "" : String(parent)) + "/containerd")
        }
        if !out.contains(Containerd.defaultRoot) && root == defaultRoot { out.append(Containerd.defaultRoot) }
        return out
    }

    /// containerd roots holding a `moby` namespace, with their opened meta.db.
    static func containerdStores(root: String) -> [(String, BoltDB.File)] {
        var out: [(String, BoltDB.File)] = []
        for croot in containerdRootCandidates(root: root) where JSONFile.fileExists(Containerd.metaPath(root: croot)) {
            guard let db = try? Containerd.openMeta(root: croot),
                  (try? db.bucket(["v1", mobyNamespace, "images"])) != nil else { continue }
            out.append((croot, db))
        }
        return out
    }
}

