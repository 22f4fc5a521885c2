// Credentials for a registry: `--username` + `--password-stdin` first, then the
// auth files podman and Docker write (`REGISTRY_AUTH_FILE`,
// `$XDG_RUNTIME_DIR/containers/auth.json`, `$DOCKER_CONFIG/config.json` or
// `~/.docker/config.json`), whose `auths` entries hold base64 `user:password`.
// Credential helpers (`credHelpers`, `credsStore`) run programs: not supported,
// and said so. No secret is ever put in a message.

import Foundation

public struct RegistryCredentials: Sendable, Equatable {
    public var username: String
    public var password: String
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// The `Authorization: Basic ...` value.
    var basic: String { "Basic " + Data("\(username):\(password)".utf8).base64EncodedString() }
}

/// What the command line says about registries (the CLI sets it once; tests pass their own).
public struct RegistrySettings: Sendable {
    public var credentials: RegistryCredentials?
    /// `--tls-verify=false`: plain HTTP allowed and certificates not checked.
    public var tlsVerify: Bool
    /// Seconds for each request.
    public var timeout: Double
    public init(credentials: RegistryCredentials? = nil, tlsVerify: Bool = true, timeout: Double = 30) {
        self.credentials = credentials
        self.tlsVerify = tlsVerify
        self.timeout = timeout
    }

    private final class Box: @unchecked Sendable {
        let lock = NSLock()
        var value = RegistrySettings()
    }
    private static let box = Box()

    /// The settings `docker://` uses when none are passed (set by the CLI's options).
    public static var current: RegistrySettings {
        get { box.lock.lock(); defer { box.lock.unlock() }; return box.value }
        set { box.lock.lock(); box.value = newValue; box.lock.unlock() }
    }
}

enum RegistryAuthFiles {
    /// The auth files to look in, in order, from the environment.
    static func candidates(_ env: [String: String]) -> [String] {
        var out: [String] = []
        if let f = env["REGISTRY_AUTH_FILE"], !f.isEmpty { out.append(f) }
        if let d = env["XDG_RUNTIME_DIR"], !d.isEmpty { out.append(d + "/containers/auth.json") }
        if let d = env["DOCKER_CONFIG"], !d.isEmpty { out.append(d + "/config.json") }
        if let h = env["HOME"], !h.isEmpty { out.append(h + "/.docker/config.json") }
        return out
    }

    /// `https://index.docker.io/v1/` -> `index.docker.io`; `host/repo` stays.
    static func normalizeKey(_ key: String) -> String {
        var k = Substring(key)
        for scheme in ["https://", "http://"] where k.hasPrefix(scheme) { k = k.dropFirst(scheme.count) }
        var s = String(k)
        for suffix in ["/v1/", "/v2/", "/v1", "/v2", "/"] where s.hasSuffix(suffix) { s = String(s.dropLast(suffix.count)); break }
        if s == "docker.io" || s == "index.docker.io" || s == "registry-1.docker.io" { return "docker.io" }
        if s.hasPrefix("docker.io/") || s.hasPrefix("index.docker.io/") || s.hasPrefix("registry-1.docker.io/") {
            return "docker.io/" + s.split(separator: "/", maxSplits: 1)[1]
        }
        return s
    }

    /// Looks for credentials for `host`/`repository`; notes appear for helpers we cannot run.
    static func lookup(host: String, repository: String, environment: [String: String],
                       notes: inout [String]) -> RegistryCredentials? {
        let registry = (host == "registry-1.docker.io") ? "docker.io" : host
        // Most specific first: registry/repo/path, ..., registry.
        var wanted = [registry]
        var path = registry
        for part in repository.split(separator: "/") {
            path += "/" + part
            wanted.insert(path, at: 0)
        }
        for file in candidates(environment) {
            guard let data = FileManager.default.contents(atPath: file),
                  let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { continue }
            let auths = (root["auths"] as? [String: Any]) ?? [:]
            var byKey: [String: [String: Any]] = [:]
            for (k, v) in auths { if let o = v as? [String: Any] { byKey[normalizeKey(k)] = o } }
            for key in wanted {
                guard let entry = byKey[key] else { continue }
                if let auth = entry["auth"] as? String, let decoded = Data(base64Encoded: auth),
                   let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":") {
                    return RegistryCredentials(username: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
                }
                if entry["identitytoken"] != nil {
                    notes.append("\(file): the identity token for \(key) is not supported; trying anonymously")
                }
            }
            let helpers = (root["credHelpers"] as? [String: Any]) ?? [:]
            for (k, v) in helpers where wanted.contains(normalizeKey(k)) {
                notes.append("\(file): credential helper \(v) for \(k) is not supported; trying anonymously")
            }
            if let store = root["credsStore"] as? String, !store.isEmpty {
                notes.append("\(file): credential store \(store) is not supported; trying anonymously")
            }
        }
        return nil
    }
}
