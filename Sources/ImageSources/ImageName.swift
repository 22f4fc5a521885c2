// Docker's reference normalisation and the rules for matching a user's
// NAME against the images of a store: full id, unique id prefix (>= 4 hex
// digits), name:tag, name@digest, with `nginx` = `docker.io/library/nginx:latest`.

public enum ImageName {
    /// `nginx` -> `docker.io/library/nginx:latest`; `ghcr.io/a/b@sha256:x` unchanged;
    /// `localhost/x` keeps its registry. Returns nil for text that is no reference.
    public static func normalize(_ ref: String) -> String? {
        var s = Substring(ref)
        if s.isEmpty || s.contains(" ") { return nil }
        var hub = false
        for prefix in ["docker.io/", "index.docker.io/", "registry-1.docker.io/"] where s.hasPrefix(prefix) {
            s = s.dropFirst(prefix.count)
            hub = true
        }
        var digest: Substring?
        if let at = s.firstIndex(of: "@") {
            digest = s[s.index(after: at)...]
            s = s[..<at]
        }
        var tag: Substring?
        let lastSlash = s.lastIndex(of: "/")
        let tail = lastSlash.map { s[s.index(after: $0)...] } ?? s
        if let colon = tail.lastIndex(of: ":") {
            tag = tail[tail.index(after: colon)...]
            s = s[..<colon]
        }
        var name = String(s)
        if hub {
            name = "docker.io/" + (name.contains("/") ? name : "library/" + name)
        } else if let slash = name.firstIndex(of: "/") {
            let first = name[..<slash]
            let isRegistry = first.contains(".") || first.contains(":") || first == "localhost" || first.lowercased() != first
            if !isRegistry { name = "docker.io/" + name }
        } else {
            name = "docker.io/library/" + name
        }
        if name.isEmpty { return nil }
        var out = name
        if let tag { out += ":" + tag } else if digest == nil { out += ":latest" }
        if let digest { out += "@" + digest }
        return out
    }

    /// The name without tag or digest.
    public static func repository(of normalized: String) -> String {
        var s = Substring(normalized)
        if let at = s.firstIndex(of: "@") { s = s[..<at] }
        let lastSlash = s.lastIndex(of: "/")
        let tail = lastSlash.map { s[s.index(after: $0)...] } ?? s
        if let colon = tail.lastIndex(of: ":") { s = s[..<colon] }
        return String(s)
    }

    static func isHex(_ s: Substring) -> Bool { !s.isEmpty && s.allSatisfy { $0.isHexDigit && !$0.isUppercase } }

    /// Picks the one image `query` means among `candidates` (id = `sha256:<hex>` or bare hex,
    /// names = normalised or as stored). Throws with the candidates when none or several match.
    public static func pick(_ query: String, among candidates: [(id: String, names: [String])]) throws(ImageSourceError) -> Int {
        func bareID(_ id: String) -> Substring { id.hasPrefix("sha256:") ? id.dropFirst(7) : Substring(id) }
        let q = query.hasPrefix("sha256:") ? Substring(query.dropFirst(7)) : Substring(query)
        // 1. Full id or unique prefix of at least 4 hex digits.
        if isHex(q), q.count >= 4 {
            let hits = candidates.indices.filter { bareID(candidates[$0].id).hasPrefix(q) }
            if hits.count == 1 { return hits[0] }
            if hits.count > 1 {
                throw ImageSourceError("\(query) matches \(hits.count) images", candidates: hits.map { describe(candidates[$0]) })
            }
        }
        // 2. Name, normalised on both sides; `name@sha256:...` also matches by digest.
        if let n = normalize(query) {
            var hits = candidates.indices.filter { i in candidates[i].names.contains { normalize($0) == n } }
            if hits.isEmpty, let at = n.firstIndex(of: "@") {
                let digest = String(n[n.index(after: at)...])
                let repo = repository(of: n)
                hits = candidates.indices.filter { i in
                    candidates[i].id == digest || candidates[i].names.contains { normalize($0).map { repository(of: $0) == repo && $0.hasSuffix("@" + digest) } ?? false }
                }
            }
            if hits.count == 1 { return hits[0] }
            if hits.count > 1 {
                throw ImageSourceError("\(query) matches \(hits.count) images", candidates: hits.map { describe(candidates[$0]) })
            }
        }
        throw ImageSourceError("no image matches \(query)", candidates: candidates.map(describe))
    }

    static func describe(_ c: (id: String, names: [String])) -> String {
        let id = c.id.hasPrefix("sha256:") ? String(c.id.dropFirst(7).prefix(12)) : String(c.id.prefix(12))
        return c.names.isEmpty ? id : "\(id) \(c.names.joined(separator: ", "))"
    }
}
