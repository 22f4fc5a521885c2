// `containers-storage:NAME`: the podman/buildah/CRI-O store, read from its
// files only (never through its library or locks, never written).
// `<driver>-images/images.json` (any driver: overlay, vfs, ...) lists the images;
// each image's big data lives in `<driver>-images/<id>/` under a file named by
// containers/storage's makeBigDataBaseName: the key itself when it is only
// [a-z0-9.], else "=" + base64(key). The config is the key `sha256:<config hex>`,
// the manifest the key `manifest` (or `manifest-sha256:...`).

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public enum ContainersStorage {
    struct Record {
        var driver: String
        var id: String
        var names: [String]
        var digest: String?
        var topLayer: String?
        var bigDataNames: [String]
        var bigDataDigests: [String: String]
    }

    /// The graph root: --root, else rootful /var/lib/containers/storage, else the rootless
    /// `$XDG_DATA_HOME/containers/storage` (default `$HOME/.local/share/containers/storage`).
    static func defaultRoot(environment: [String: String]) -> String {
        if geteuid() == 0 { return "/var/lib/containers/storage" }
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") { return xdg + "/containers/storage" }
        let home = environment["HOME"] ?? "/root"
        return home + "/.local/share/containers/storage"
    }

    /// containers/storage makeBigDataBaseName.
    static func bigDataFileName(_ key: String) -> String {
        let plain = !key.isEmpty && key.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "." }
        return plain ? key : "=" + Data(key.utf8).base64EncodedString()
    }

    static func records(root: String) throws(ImageSourceError) -> [Record] {
        guard FileAccess.isDirectory(root) else {
            throw ImageSourceError("containers-storage: no store at \(root) (use --root DIR)")
        }
        let drivers = (FileAccess.listDirectory(root) ?? []).filter {
            $0.hasSuffix("-images") && FileAccess.exists(root + "/" + $0 + "/images.json")
        }
        if drivers.isEmpty {
            throw ImageSourceError("containers-storage: \(root) has no <driver>-images/images.json; not a containers/storage graph root")
        }
        var out: [Record] = []
        var seen = Set<String>()
        for dir in drivers {
            let driver = String(dir.dropLast("-images".count))
            let path = root + "/" + dir + "/images.json"
            let json = try JSON.parse(try FileAccess.readFile(path, limit: 1 << 30), what: path)
            guard let list = json as? [Any] else { throw ImageSourceError("\(path) is not a JSON array") }
            for item in list {
                guard let o = item as? [String: Any], let id = o["id"] as? String, Digest.isHex64(Substring(id)),
                      !seen.contains(id) else { continue }
                seen.insert(id)
                out.append(Record(
                    driver: driver, id: id,
                    names: (o["names"] as? [Any])?.compactMap { $0 as? String } ?? [],
                    digest: o["digest"] as? String,
                    topLayer: o["layer"] as? String,
                    bigDataNames: (o["big-data-names"] as? [Any])?.compactMap { $0 as? String } ?? [],
                    bigDataDigests: (o["big-data-digests"] as? [String: Any])?.compactMapValues { $0 as? String } ?? [:]))
            }
        }
        return out
    }

    public static func list(root: String) throws(ImageSourceError) -> [(id: String, names: [String])] {
        try records(root: root).map { ("sha256:" + $0.id, $0.names) }
    }

    public static func resolve(name: String, root: String?, environment: [String: String]) throws(ImageSourceError) -> ResolvedImage {
        let root = root ?? defaultRoot(environment: environment)
        let all = try records(root: root)
        let r = all[try ImageName.pick(name, among: all.map { ("sha256:" + $0.id, $0.names) })]
        let dir = root + "/" + r.driver + "-images/" + r.id
        var problems: [String] = []

        func read(_ key: String) throws(ImageSourceError) -> [UInt8] {
            try FileAccess.readFile(dir + "/" + bigDataFileName(key))
        }

        // Manifest: the `manifest` item, else any `manifest-<digest>` item.
        var manifestBytes: [UInt8]?
        var manifest: [String: Any]?
        if let key = r.bigDataNames.first(where: { $0 == "manifest" }) ?? r.bigDataNames.first(where: { $0.hasPrefix("manifest-") }) {
            let bytes = try read(key)
            manifestBytes = bytes
            manifest = try? JSON.object(bytes, what: "manifest")
            if key.hasPrefix("manifest-"), Digest.sha256Hex(String(key.dropFirst(9))) != nil, Digest.of(bytes) != String(key.dropFirst(9)) {
                problems.append("manifest \(key) does not match its content (\(Digest.of(bytes)))")
            }
        }

        // Config: the manifest's config digest, else `sha256:<id>`, else any sha256: item.
        var configKey: String?
        if let m = manifest, let c = Descriptor(m["config"]), r.bigDataNames.contains(c.digest) { configKey = c.digest }
        if configKey == nil, r.bigDataNames.contains("sha256:" + r.id) { configKey = "sha256:" + r.id }
        if configKey == nil { configKey = r.bigDataNames.first { $0.hasPrefix("sha256:") } }
        guard let configKey else {
            throw ImageSourceError("containers-storage: image \(r.id.prefix(12)) has no config among its big data (\(r.bigDataNames.joined(separator: ", ")))")
        }
        let configBytes = try read(configKey)
        let configDigest = Digest.of(configBytes)
        if configDigest != configKey {
            problems.append("config \(configKey) does not match its content (\(configDigest))")
        }

        var layers: [LayerDescriptor] = []
        if let m = manifest, let ls = m["layers"] as? [Any] {
            layers = ls.compactMap(Descriptor.init).map { LayerDescriptor(digest: $0.digest, size: $0.size, mediaType: $0.mediaType) }
        } else if let top = r.topLayer {
            layers = layerChain(root: root, driver: r.driver, top: top)
        }

        let names = r.names.compactMap(ImageName.normalize)
        let shown = names.first ?? String(r.id.prefix(12))
        var image = ResolvedImage(configBytes: configBytes, configDigest: configDigest, manifestBytes: manifestBytes,
                                  manifestDigest: manifestBytes.map(Digest.of), names: names, layers: layers,
                                  source: "containers-storage:\(shown) (\(r.driver) store at \(root))", problems: problems)
        image.layerLocations = layerLocations(root: root, driver: r.driver, top: r.topLayer, count: layers.count)
        return image
    }

    /// Unpacked layer directories, base first: overlay `<root>/overlay/<id>/diff`, vfs `<root>/vfs/dir/<id>`
    /// (a full snapshot per layer). The chain from layers.json must match the manifest's layer count.
    static func layerLocations(root: String, driver: String, top: String?, count: Int) -> [LayerLocation] {
        let chain = top.map { layerIDs(root: root, driver: driver, top: $0) } ?? []
        guard chain.count == count else {
            let why = "the layer chain in \(driver)-layers/layers.json has \(chain.count) layers, the manifest \(count)"
            return Array(repeating: .unavailable(reason: why), count: count)
        }
        return chain.map { id in
            guard Digest.isHex64(Substring(id)) else { return .unavailable(reason: "layer id \(id) is malformed") }
            let dir: String
            switch driver {
            case "overlay": dir = root + "/overlay/" + id + "/diff"
            case "vfs": dir = root + "/vfs/dir/" + id
            case "btrfs": dir = root + "/btrfs/subvolumes/" + id
            default: return .unavailable(reason: "layers of the \(driver) storage driver are not read")
            }
            guard FileAccess.isDirectory(dir) else {
                return .unavailable(reason: "the unpacked layer \(dir) is not in the store (only metadata was copied?)")
            }
            return .directory(path: dir)
        }
    }

    /// Layer ids from the top layer down the `parent` links, returned base first.
    static func layerIDs(root: String, driver: String, top: String) -> [String] {
        let path = root + "/" + driver + "-layers/layers.json"
        guard let bytes = try? FileAccess.readFile(path, limit: 1 << 30),
              let list = (try? JSON.parse(bytes, what: path)) as? [Any] else { return [] }
        var parent: [String: String] = [:]
        var known = Set<String>()
        for item in list {
            guard let o = item as? [String: Any], let id = o["id"] as? String else { continue }
            known.insert(id)
            if let p = o["parent"] as? String { parent[id] = p }
        }
        var out: [String] = []
        var current: String? = top
        while let id = current, known.contains(id), !out.contains(id) {
            out.append(id)
            current = parent[id]
        }
        return out.reversed()
    }

    /// Layers from `<driver>-layers/layers.json`, walking `parent` from the top layer (base first).
    static func layerChain(root: String, driver: String, top: String) -> [LayerDescriptor] {
        let path = root + "/" + driver + "-layers/layers.json"
        guard let bytes = try? FileAccess.readFile(path, limit: 1 << 30),
              let list = (try? JSON.parse(bytes, what: path)) as? [Any] else { return [] }
        var byID: [String: [String: Any]] = [:]
        for item in list {
            if let o = item as? [String: Any], let id = o["id"] as? String { byID[id] = o }
        }
        var out: [LayerDescriptor] = []
        var current: String? = top
        var seen = Set<String>()
        while let id = current, let o = byID[id], !seen.contains(id) {
            seen.insert(id)
            if let d = o["diff-digest"] as? String {
                out.append(LayerDescriptor(digest: d, size: JSON.int64(o["diff-size"]), mediaType: "application/vnd.oci.image.layer.v1.tar"))
            }
            current = o["parent"] as? String
        }
        return out.reversed()
    }
}
