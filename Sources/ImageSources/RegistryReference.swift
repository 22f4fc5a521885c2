// `docker://[REGISTRY/]REPO[:TAG|@DIGEST]`: a reference to an image in a
// registry, normalised as Docker does (`nginx` is
// `docker.io/library/nginx:latest`, whose API lives at registry-1.docker.io).

public struct RegistryReference: Sendable, Equatable {
    /// The normalised name (`docker.io/library/nginx:latest`), as images are named elsewhere.
    public var name: String
    /// Where the API is: `registry-1.docker.io`, `ghcr.io`, `127.0.0.1:5000`.
    public var host: String
    /// `library/nginx`.
    public var repository: String
    public var tag: String?
    public var digest: String?

    /// What to ask the manifests endpoint for: the digest when given, else the tag.
    public var reference: String { digest ?? tag ?? "latest" }

    /// Parses what follows `docker:` (so it starts with `//`).
    public static func parse(_ rest: String) throws(ImageSourceError) -> RegistryReference {
        guard rest.hasPrefix("//") else {
            throw ImageSourceError("docker:\(rest): registry references are spelled docker://[REGISTRY/]REPO[:TAG|@DIGEST]")
        }
        let raw = String(rest.dropFirst(2))
        guard let name = ImageName.normalize(raw), !raw.hasSuffix("/") else {
            throw ImageSourceError("docker://\(raw) is not an image reference")
        }
        var s = Substring(name)
        var digest: String?
        if let at = s.firstIndex(of: "@") {
            digest = String(s[s.index(after: at)...])
            s = s[..<at]
        }
        let repoAndHost = ImageName.repository(of: String(s))
        let tag = s.count > repoAndHost.count ? String(s.dropFirst(repoAndHost.count + 1)) : nil
        guard let slash = repoAndHost.firstIndex(of: "/") else { throw ImageSourceError("docker://\(raw) names no repository") }
        var host = String(repoAndHost[..<slash])
        let repository = String(repoAndHost[repoAndHost.index(after: slash)...])
        if host == "docker.io" { host = "registry-1.docker.io" }
        if let digest {
            let parts = digest.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0] == "sha256", parts[1].count == 64, ImageName.isHex(parts[1]) else {
                throw ImageSourceError("docker://\(raw): \(digest) is not a sha256 digest")
            }
        }
        let repoOK = repository.allSatisfy { c in
            (c.isASCII && (c.isLowercase || c.isNumber)) || c == "." || c == "_" || c == "-" || c == "/"
        }
        guard repoOK, !repository.isEmpty, !repository.contains("//"),
              tag.map({ !$0.isEmpty && $0.count <= 128 && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) } }) ?? true else {
            throw ImageSourceError("docker://\(raw) is not a valid image reference")
        }
        return RegistryReference(name: name, host: host, repository: repository, tag: tag, digest: digest)
    }

    /// Registries reached over plain HTTP without being asked: the loopback ones.
    public var isLoopback: Bool {
        let h = hostWithoutPort
        return h == "localhost" || h == "127.0.0.1" || h == "::1" || h.hasPrefix("127.")
    }

    var hostWithoutPort: String {
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            return String(host[host.index(after: host.startIndex)..<close])
        }
        if let colon = host.lastIndex(of: ":") { return String(host[..<colon]) }
        return host
    }
}
