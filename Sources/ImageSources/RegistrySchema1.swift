// Docker image manifest schema 1 (`application/vnd.docker.distribution.manifest.v1+json`
// and its signed `+prettyjws` form): old registries and old pushes still serve
// it. It has no config blob: each `history[i].v1Compatibility` is a JSON string,
// newest first, the top one holding the image config; `fsLayers` are parallel
// to it. We derive a config the way Docker and containers/image do
// (created_by = the entry's `container_config.Cmd` joined with spaces,
// `throwaway` = empty layer), so the rest of dflint reads it like any other.

import Foundation

enum Schema1 {
    /// The gzip'd empty tar old builders gave instructions that changed no file.
    static let emptyLayer = "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"

    /// The bytes a signed manifest's digest covers: the JWS payload, i.e. the
    /// document up to `formatLength` followed by `formatTail` (both in the
    /// signature's protected header). nil when the manifest is not signed schema 1.
    static func signedPayload(_ body: [UInt8]) -> [UInt8]? {
        guard let o = JSONFile.object(body), JSON.int64(o["schemaVersion"]) == 1,
              let signatures = o["signatures"] as? [Any], let first = signatures.first as? [String: Any],
              let protected = first["protected"] as? String, let header = base64URL(protected),
              let h = JSONFile.object(header), let length = JSON.int64(h["formatLength"]),
              let tail = (h["formatTail"] as? String).flatMap(base64URL),
              length >= 0, length <= Int64(body.count) else { return nil }
        return Array(body[0..<Int(length)]) + tail
    }

    static func base64URL(_ s: String) -> [UInt8]? {
        var t = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while t.count % 4 != 0 { t += "=" }
        return Data(base64Encoded: t).map { [UInt8]($0) }
    }

    /// The config a schema 1 manifest implies, and its layer blobs (base first, empty ones left out).
    static func image(_ manifest: [String: Any], what: String) throws(ImageSourceError) -> (config: [UInt8], layers: [String]) {
        let entries = (manifest["history"] as? [Any] ?? []).map { ($0 as? [String: Any])?["v1Compatibility"] as? String }
        let blobs = (manifest["fsLayers"] as? [Any] ?? []).map { ($0 as? [String: Any])?["blobSum"] as? String }
        guard !entries.isEmpty, entries.count == blobs.count else {
            throw ImageSourceError("\(what): schema 1 manifest with \(entries.count) history entries for \(blobs.count) layers")
        }
        var parsed: [[String: Any]] = []
        for (i, e) in entries.enumerated() {
            guard let e, let o = JSONFile.object(Array(e.utf8)) else {
                throw ImageSourceError("\(what): schema 1 history entry \(i + 1) is not a JSON object")
            }
            parsed.append(o)
        }
        guard blobs.allSatisfy({ $0.map { Digest.sha256Hex($0) != nil } ?? false }) else {
            throw ImageSourceError("\(what): schema 1 manifest with a layer that is not a sha256 digest")
        }
        var config = parsed[0]
        for k in ["id", "parent", "throwaway", "Size", "layer_id", "parent_id"] { config[k] = nil }
        var history: [[String: Any]] = []
        var layers: [String] = []
        for i in stride(from: parsed.count - 1, through: 0, by: -1) {
            let h = parsed[i]
            var e: [String: Any] = [:]
            for k in ["created", "author", "comment"] { if let v = h[k] as? String { e[k] = v } }
            let cmd = ((h["container_config"] as? [String: Any])?["Cmd"] as? [Any])?.compactMap { $0 as? String } ?? []
            e["created_by"] = cmd.joined(separator: " ")
            // `throwaway` says so (Docker 1.10+); older pushes gave such steps the empty tar.
            let empty = (h["throwaway"] as? Bool) ?? (blobs[i] == emptyLayer)
            if empty { e["empty_layer"] = true } else { layers.append(blobs[i]!) }
            history.append(e)
        }
        config["history"] = history
        // Only compressed digests are known: the diff ids would need every layer decompressed.
        config["rootfs"] = ["type": "layers", "diff_ids": [String]()]
        guard let data = try? JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]) else {
            throw ImageSourceError("\(what): schema 1 config could not be rebuilt")
        }
        return ([UInt8](data), layers)
    }
}
