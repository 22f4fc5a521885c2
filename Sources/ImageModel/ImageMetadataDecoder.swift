import Foundation

/// Decodes every JSON shape an image's metadata comes in (see `ImageMetadata.Shape`).
public enum ImageMetadataDecoder {
    /// Decodes: an OCI/Docker image config; `docker inspect` / `podman image inspect`
    /// output (an array, or one object); an Engine API `/images/{id}/json` reply; an
    /// Engine API or podman `/history` reply; `docker history --format '{{json .}}'` lines;
    /// `buildah inspect` output; `skopeo inspect`; `umoci stat --json`; a manifest.
    /// `history`, when given, is a separate history reply (Engine API replies come in two
    /// requests) that replaces the history of every decoded image.
    public static func decode(_ bytes: [UInt8], history: [UInt8]? = nil) throws -> [ImageMetadata] {
        var images = try decodeOne(bytes)
        if let history {
            let h = try decodeOne(history)
            guard let first = h.first, [.engineHistory, .podmanHistory, .dockerHistoryLines, .umociStat, .config,
                                        .buildahInspect, .inspect].contains(first.shape) else {
                throw ImageDecodeError("not a history reply: \(first(of: history))")
            }
            for i in images.indices {
                images[i].history = first.history
                images[i].hasHistory = first.hasHistory
                if images[i].diffIDs.isEmpty { images[i].diffIDs = first.diffIDs }
                reconcileEmptyLayers(&images[i])
            }
        }
        return images
    }

    /// Inferred `empty_layer` may undercount layers: a legacy `WORKDIR` that created its
    /// directory is a 0-byte layer. Flip such entries until the count matches the diff IDs.
    static func reconcileEmptyLayers(_ m: inout ImageMetadata) {
        guard !m.diffIDs.isEmpty else { return }
        var missing = m.diffIDs.count - m.history.filter { !$0.emptyLayer }.count
        guard missing > 0 else { return }
        for i in m.history.indices where missing > 0 && m.history[i].emptyLayer && m.history[i].size == 0 {
            if (m.history[i].createdBy ?? "").contains("WORKDIR") { m.history[i].emptyLayer = false; missing -= 1 }
        }
    }

    static func first(of b: [UInt8]) -> String {
        let s = String(decoding: b.prefix(80), as: UTF8.self)
        return s.isEmpty ? "empty input" : s.replacingOccurrences(of: "\n", with: " ")
    }

    static func decodeOne(_ bytes: [UInt8]) throws -> [ImageMetadata] {
        let trimmed = bytes.drop { $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }
        if trimmed.isEmpty {
            // `docker history --format json` prints nothing for an image without history.
            return [ImageMetadata(shape: .dockerHistoryLines, hasHistory: false)]
        }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            // JSON Lines: one object per line.
            let lines = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline)
            var objs: [[String: Any]] = []
            for l in lines where !l.trimmingCharacters(in: .whitespaces).isEmpty {
                guard let o = try? JSONSerialization.jsonObject(with: Data(l.utf8)) as? [String: Any] else {
                    throw ImageDecodeError("not an image config, inspect output or history: invalid JSON (\(first(of: bytes)))")
                }
                objs.append(o)
            }
            guard objs.allSatisfy(isHistoryRow) else {
                throw ImageDecodeError("not an image config, inspect output or history: JSON Lines without CreatedBy")
            }
            return [historyImage(objs, shape: .dockerHistoryLines)]
        }
        if let arr = json as? [Any] {
            let objs = arr.compactMap { $0 as? [String: Any] }
            guard objs.count == arr.count else {
                throw ImageDecodeError("not an image config, inspect output or history: array of non-objects")
            }
            if objs.isEmpty { return [historyImage([], shape: .engineHistory)] }
            if objs.allSatisfy(isHistoryRow) {
                let podman = objs.contains { $0["Created"] is String || $0["created"] != nil }
                return [historyImage(objs, shape: podman ? .podmanHistory : .engineHistory)]
            }
            return try objs.map { try decodeObject($0, inArray: true) }
        }
        if let obj = json as? [String: Any] { return [try decodeObject(obj, inArray: false)] }
        throw ImageDecodeError("not an image config, inspect output or history: top-level JSON is neither object nor array")
    }

    static func isHistoryRow(_ o: [String: Any]) -> Bool {
        o["CreatedBy"] != nil && o["Config"] == nil && o["config"] == nil
    }

    // MARK: objects

    static func decodeObject(_ o: [String: Any], inArray: Bool) throws -> ImageMetadata {
        if isHistoryRow(o) { return historyImage([o], shape: .dockerHistoryLines) }
        if o["OCIv1"] != nil || o["FromImageID"] != nil || (o["Type"] as? String)?.hasPrefix("buildah") == true {
            return try buildahInspect(o)
        }
        if o["schemaVersion"] != nil, o["layers"] != nil || o["manifests"] != nil {
            var m = ImageMetadata(shape: .manifest, hasHistory: false)
            m.layerDigests = (o["layers"] as? [[String: Any]] ?? []).compactMap { $0["digest"] as? String }
            m.annotations = strings(o["annotations"])
            return m
        }
        if o.keys.count <= 2, o["history"] != nil, o["config"] == nil, o["rootfs"] == nil {
            // umoci stat
            var m = ImageMetadata(shape: .umociStat)
            guard let h = o["history"] as? [[String: Any]] else { m.hasHistory = false; return m }
            m.history = h.map(configHistoryEntry)
            m.diffIDs = h.compactMap { ($0["diff_id"] as? String).flatMap { $0.isEmpty ? nil : $0 } }
            return m
        }
        if o["Name"] != nil, o["Layers"] != nil, o["Config"] == nil, o["RootFS"] == nil {
            var m = ImageMetadata(shape: .skopeoInspect, hasHistory: false)
            m.repoTags = (o["Name"] as? String).map { [$0] } ?? []
            m.id = o["Digest"] as? String
            m.created = o["Created"] as? String
            m.os = o["Os"] as? String
            m.architecture = o["Architecture"] as? String
            m.config.labels = strings(o["Labels"])
            m.config.env = stringArray(o["Env"]) ?? []
            m.layerDigests = stringArray(o["Layers"]) ?? []
            return m
        }
        if o["ParentId"] != nil, o["Config"] == nil, o["RootFS"] == nil {
            throw ImageDecodeError("not an image config, inspect output or history: an Engine API image list (/images/json); inspect one image instead")
        }
        if o["Id"] != nil || o["RootFS"] != nil || o["Config"] != nil || o["RepoTags"] != nil {
            return inspect(o, inArray: inArray)
        }
        if o["config"] != nil || o["rootfs"] != nil || o["history"] != nil || o["architecture"] != nil
            || o["os"] != nil || o["container_config"] != nil {
            return config(o, shape: .config)
        }
        throw ImageDecodeError("not an image config, inspect output or history: object with keys \(o.keys.sorted().prefix(8).joined(separator: ", "))")
    }

    static func config(_ o: [String: Any], shape: ImageMetadata.Shape) -> ImageMetadata {
        var m = ImageMetadata(shape: shape)
        m.created = o["created"] as? String
        m.author = o["author"] as? String
        m.os = o["os"] as? String
        m.architecture = o["architecture"] as? String
        m.variant = o["variant"] as? String
        if let c = (o["config"] as? [String: Any]) ?? (o["container_config"] as? [String: Any]) {
            m.config = containerConfig(c)
        }
        if let h = o["history"] as? [[String: Any]] {
            m.history = h.map(configHistoryEntry)
        } else {
            m.hasHistory = false
        }
        if let r = o["rootfs"] as? [String: Any] { m.diffIDs = stringArray(r["diff_ids"]) ?? [] }
        return m
    }

    static func inspect(_ o: [String: Any], inArray: Bool) -> ImageMetadata {
        var m = ImageMetadata(shape: inArray ? .inspect : .engineInspect)
        m.id = o["Id"] as? String
        m.repoTags = stringArray(o["RepoTags"]) ?? []
        m.repoDigests = stringArray(o["RepoDigests"]) ?? []
        m.created = o["Created"] as? String
        m.author = (o["Author"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        m.os = o["Os"] as? String
        m.architecture = o["Architecture"] as? String
        m.variant = o["Variant"] as? String
        if let c = o["Config"] as? [String: Any] { m.config = containerConfig(c) }
        if m.config.healthcheck == nil, let h = o["Healthcheck"] as? [String: Any] { m.config.healthcheck = health(h) }
        if (m.config.user ?? "").isEmpty, let u = o["User"] as? String, !u.isEmpty { m.config.user = u }
        if let r = o["RootFS"] as? [String: Any] { m.diffIDs = stringArray(r["Layers"]) ?? [] }
        m.annotations = strings(o["Annotations"])
        if let h = o["History"] as? [[String: Any]] {
            // podman image inspect carries the OCI history.
            m.history = h.map(configHistoryEntry)
        } else {
            m.hasHistory = false
        }
        return m
    }

    static func buildahInspect(_ o: [String: Any]) throws -> ImageMetadata {
        var m: ImageMetadata
        if let s = o["Config"] as? String, let c = try? JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any] {
            m = config(c, shape: .buildahInspect)
        } else if let d = o["Docker"] as? [String: Any], d["config"] != nil {
            m = config(d, shape: .buildahInspect)
        } else if let d = o["OCIv1"] as? [String: Any] {
            m = config(d, shape: .buildahInspect)
        } else {
            throw ImageDecodeError("not an image config, inspect output or history: buildah inspect without a config")
        }
        if let h = o["History"] as? [[String: Any]], m.history.isEmpty { m.history = h.map(configHistoryEntry); m.hasHistory = true }
        m.id = (o["FromImageID"] as? String).map { $0.hasPrefix("sha256:") ? $0 : "sha256:" + $0 }
        if let n = o["FromImage"] as? String, !n.isEmpty { m.repoTags = [n] }
        if let d = o["FromImageDigest"] as? String, !d.isEmpty { m.repoDigests = [d] }
        m.annotations = strings(o["ImageAnnotations"])
        return m
    }

    // MARK: history

    static func configHistoryEntry(_ h: [String: Any]) -> HistoryEntry {
        HistoryEntry(created: h["created"] as? String, createdBy: h["created_by"] as? String,
                     author: h["author"] as? String, comment: h["comment"] as? String,
                     emptyLayer: bool(h["empty_layer"]) ?? false)
    }

    /// Engine API / podman / `docker history` rows (newest first) → oldest-first entries.
    static func historyImage(_ rows: [[String: Any]], shape: ImageMetadata.Shape) -> ImageMetadata {
        var entries: [HistoryEntry] = []
        for r in rows.reversed() {
            var e = HistoryEntry()
            e.createdBy = (r["CreatedBy"] as? String) ?? (r["created_by"] as? String)
            e.comment = ((r["Comment"] as? String) ?? (r["comment"] as? String)).flatMap { $0.isEmpty ? nil : $0 }
            if let c = r["created"] as? String {
                e.created = c
            } else if let c = r["CreatedAt"] as? String {
                e.created = c
            } else if let c = r["Created"] as? String {
                e.created = c
            } else if let n = int64(r["Created"]) {
                e.created = rfc3339(n)
            }
            if let s = r["Size"] as? String { e.size = humanSize(s) } else { e.size = int64(r["Size"]) ?? int64(r["size"]) }
            let id = (r["Id"] as? String) ?? (r["ID"] as? String) ?? (r["id"] as? String)
            e.id = (id == "<missing>" || id?.isEmpty == true) ? nil : id
            e.emptyLayer = (e.size ?? 1) == 0 && isMetadataOnly(e.createdBy ?? "")
            entries.append(e)
        }
        return ImageMetadata(shape: shape, history: entries, hasHistory: !rows.isEmpty || shape != .dockerHistoryLines)
    }

    /// trivy's heuristic for replies without `empty_layer`: the instruction writes no files.
    public static func isMetadataOnly(_ createdBy: String) -> Bool {
        var s = Substring(createdBy)
        if let r = s.range(of: "#(nop)") { s = s[r.upperBound...] }
        s = s.drop { $0 == " " }
        let kw = s.prefix { $0 != " " }.uppercased()
        if kw == "WORKDIR" { return !createdBy.contains("#(nop)") ? s.dropFirst(7).trimmingCharacters(in: .whitespaces) == "/" : true }
        return ["ENV", "MAINTAINER", "LABEL", "CMD", "ENTRYPOINT", "HEALTHCHECK", "EXPOSE", "USER", "VOLUME",
                "STOPSIGNAL", "SHELL", "ARG", "ONBUILD"].contains(kw)
    }

    static func rfc3339(_ seconds: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// `docker history` sizes: `0B`, `13B`, `1.98MB` (decimal units, as go-units prints them).
    static func humanSize(_ s: String) -> Int64? {
        let units: [(String, Double)] = [("kB", 1e3), ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("B", 1)]
        for (u, f) in units where s.hasSuffix(u) {
            guard let v = Double(s.dropLast(u.count)) else { return nil }
            return Int64((v * f).rounded())
        }
        return Int64(s)
    }

    // MARK: config fields

    static func value(_ d: [String: Any], _ name: String) -> Any? {
        if let v = d[name] { return v }
        let lower = name.lowercased()
        for (k, v) in d where k.lowercased() == lower { return v }
        return nil
    }

    static func containerConfig(_ c: [String: Any]) -> ContainerConfig {
        var cc = ContainerConfig()
        cc.user = value(c, "User") as? String
        cc.env = stringArray(value(c, "Env")) ?? []
        cc.entrypoint = stringArray(value(c, "Entrypoint"))
        cc.cmd = stringArray(value(c, "Cmd"))
        cc.workingDir = value(c, "WorkingDir") as? String
        cc.exposedPorts = (value(c, "ExposedPorts") as? [String: Any])?.keys.sorted() ?? []
        cc.volumes = (value(c, "Volumes") as? [String: Any])?.keys.sorted() ?? []
        cc.labels = strings(value(c, "Labels"))
        cc.stopSignal = value(c, "StopSignal") as? String
        cc.shell = stringArray(value(c, "Shell"))
        if let h = value(c, "Healthcheck") as? [String: Any] { cc.healthcheck = health(h) }
        cc.onBuild = stringArray(value(c, "OnBuild")) ?? []
        cc.argsEscaped = bool(value(c, "ArgsEscaped")) ?? false
        return cc
    }

    static func health(_ h: [String: Any]) -> HealthConfig {
        HealthConfig(test: stringArray(value(h, "Test")) ?? [], interval: int64(value(h, "Interval")),
                     timeout: int64(value(h, "Timeout")), startPeriod: int64(value(h, "StartPeriod")),
                     startInterval: int64(value(h, "StartInterval")), retries: int64(value(h, "Retries")).map { Int($0) })
    }

    static func stringArray(_ v: Any?) -> [String]? {
        guard let a = v as? [Any] else { return nil }
        return a.compactMap { $0 as? String }
    }

    static func strings(_ v: Any?) -> [String: String] {
        guard let d = v as? [String: Any] else { return [:] }
        var out: [String: String] = [:]
        for (k, v) in d { if let s = v as? String { out[k] = s } }
        return out
    }

    static func int64(_ v: Any?) -> Int64? {
        switch v {
        case let n as NSNumber: return n.int64Value
        case let i as Int: return Int64(i)
        case let d as Double: return Int64(d)
        case let s as String: return Int64(s)
        default: return nil
        }
    }

    static func bool(_ v: Any?) -> Bool? {
        switch v {
        case let b as Bool: return b
        case let n as NSNumber: return n.boolValue
        default: return nil
        }
    }
}
