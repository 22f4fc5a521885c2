// `--from-image` references: `TRANSPORT:WHERE` as skopeo spells the archive
// transports, `TRANSPORT:NAME` for stores and the daemon, a path to a JSON
// file, or a bare reference (the daemon if it answers, else the local stores).

public enum Transport: String, CaseIterable, Sendable {
    case dockerArchive = "docker-archive"
    case oci = "oci"
    case ociArchive = "oci-archive"
    case dockerRoot = "docker-root"
    case containersStorage = "containers-storage"
    case containerd = "containerd"
    case dockerDaemon = "docker-daemon"
    case docker = "docker"
}

public enum ImageReader {
    /// Splits `TRANSPORT:REST` (nil transport for a bare reference or path).
    public static func split(_ ref: String) -> (Transport?, String) {
        for t in Transport.allCases where ref.hasPrefix(t.rawValue + ":") {
            return (t, String(ref.dropFirst(t.rawValue.count + 1)))
        }
        return (nil, ref)
    }

    /// `PATH[:NAME]` for archive transports: the longest prefix that is an existing file wins,
    /// so paths with colons still work.
    static func pathAndName(_ rest: String, exists: (String) -> Bool) -> (String, String?) {
        if exists(rest) { return (rest, nil) }
        var idx = rest.endIndex
        while let colon = rest[..<idx].lastIndex(of: ":") {
            let path = String(rest[..<colon])
            if exists(path) { return (path, String(rest[rest.index(after: colon)...])) }
            idx = colon
        }
        return (rest, nil)
    }

    /// Reads the image `ref` names. `exists` and `isJSONFile` are the file-system
    /// questions the bare-reference rule needs (injected so this stays testable).
    public static func resolve(_ ref: String, options: SourceOptions,
                               exists: (String) -> Bool, isDirectory: (String) -> Bool) throws(ImageSourceError) -> ResolvedImage {
        let (transport, rest) = split(ref)
        switch transport {
        case .dockerArchive?:
            let (path, name) = pathAndName(rest, exists: exists)
            return try DockerArchive.resolve(path: path, name: name)
        case .oci?:
            let (dir, name) = pathAndName(rest, exists: exists)
            return try OCILayout.resolve(directory: dir, ref: name, platform: options.platform)
        case .ociArchive?:
            let (path, name) = pathAndName(rest, exists: exists)
            return try OCILayout.resolveArchive(path: path, ref: name, platform: options.platform)
        case .dockerRoot?:
            return try DockerRoot.resolve(name: rest, root: options.root, platform: options.platform)
        case .containersStorage?:
            return try ContainersStorage.resolve(name: rest, root: options.root, environment: options.environment)
        case .containerd?:
            return try Containerd.resolve(name: rest, root: options.root, namespace: options.namespace, platform: options.platform)
        case .dockerDaemon?:
            return try EngineAPI.resolve(name: rest, host: options.host, environment: options.environment)
        case .docker?: return try Registry.resolve(rest, options: options)
        case nil:
            break
        }
        // A path: a directory is an OCI layout, a JSON file is metadata, anything else an archive.
        if exists(rest) {
            if isDirectory(rest) { return try OCILayout.resolve(directory: rest, ref: nil, platform: options.platform) }
            if rest.hasSuffix(".json") || rest.hasSuffix(".jsonl") { return try JSONFile.resolve(path: rest) }
            do {
                return try DockerArchive.resolve(path: rest, name: nil)
            } catch {
                if let oci = try? OCILayout.resolveArchive(path: rest, ref: nil, platform: options.platform) { return oci }
                if let json = try? JSONFile.resolve(path: rest) { return json }
                throw error
            }
        }
        // A bare reference: the daemon if it answers, else the stores in order.
        var tried: [String] = []
        if EngineAPI.ping(host: options.host, environment: options.environment, timeout: 2) {
            return try EngineAPI.resolve(name: rest, host: options.host, environment: options.environment)
        }
        tried.append("docker-daemon (no daemon answers)")
        var lastError: ImageSourceError?
        let stores: [(String, () throws(ImageSourceError) -> ResolvedImage)] = [
            ("docker-root", { () throws(ImageSourceError) in try DockerRoot.resolve(name: rest, root: options.root, platform: options.platform) }),
            ("containers-storage", { () throws(ImageSourceError) in try ContainersStorage.resolve(name: rest, root: options.root, environment: options.environment) }),
            ("containerd", { () throws(ImageSourceError) in try Containerd.resolve(name: rest, root: options.root, namespace: options.namespace, platform: options.platform) }),
        ]
        for (label, read) in stores {
            do {
                var img = try read()
                img.source = "\(label):\(rest) (bare reference; \(tried.joined(separator: ", ")))"
                return img
            } catch {
                tried.append("\(label) (\(error.message))")
                if !error.candidates.isEmpty { lastError = error }
            }
        }
        throw ImageSourceError("no image \(rest) in any local source: tried \(tried.joined(separator: "; "))",
                               candidates: lastError?.candidates ?? [])
    }
}
