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
    /// `--cert-dir DIR`: more CAs (`*.crt`) to trust.
    public var certDirectory: String?
    /// `--verbose`: where requests and totals are told.
    public var log: TransferLog?
    /// Seconds a run may sleep in all for `Retry-After` (429/503) before giving up.
    public var retryBudget: Double
    public init(credentials: RegistryCredentials? = nil, tlsVerify: Bool = true, timeout: Double = 30,
                certDirectory: String? = nil, log: TransferLog? = nil, retryBudget: Double = 10) {
        self.retryBudget = retryBudget
        self.credentials = credentials
        self.tlsVerify = tlsVerify
        self.timeout = timeout
        self.certDirectory = certDirectory
        self.log = log
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

/// Which CAs a registry's certificate may chain to besides the system's:
/// `--cert-dir DIR`, then the per-registry directories Docker and Podman read
/// (`/etc/docker/certs.d/HOST:PORT/`, `/etc/containers/certs.d/HOST:PORT/`,
/// `~/.config/containers/certs.d/HOST:PORT/`); every `*.crt` in them is a CA.
enum RegistryTrust {
    static func directories(host: String, certDir: String?, environment: [String: String]) -> [String] {
        var dirs: [String] = []
        if let certDir, !certDir.isEmpty { dirs.append(certDir) }
        let roots = environment["DFLINT_CERTS_D"].map { $0.split(separator: ":").map(String.init) }
            ?? ["/etc/containers/certs.d", "/etc/docker/certs.d"] + (environment["HOME"].map { [$0 + "/.config/containers/certs.d"] } ?? [])
        for r in roots { dirs.append(r + "/" + host) }
        return dirs
    }

    static func trust(host: String, settings: RegistrySettings, environment: [String: String]) throws(ImageSourceError) -> TLSTrust {
        guard settings.tlsVerify else { return TLSTrust(verify: false) }
        var pem: [UInt8] = []
        var files: [String] = []
        for dir in directories(host: host, certDir: settings.certDirectory, environment: environment) {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
                if dir == settings.certDirectory { throw ImageSourceError("--cert-dir \(dir): not a directory") }
                continue
            }
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".crt") }.sorted()
            for name in names {
                let path = dir + "/" + name
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw ImageSourceError("\(path): cannot be read")
                }
                guard let text = String(data: data, encoding: .utf8), text.contains("-----BEGIN CERTIFICATE-----") else {
                    throw ImageSourceError("\(path): not a PEM certificate")
                }
                pem += Array(data)
                if pem.last != 10 { pem.append(10) }
                files.append(path)
            }
        }
        return TLSTrust(verify: true, extraCAs: pem, caFiles: files)
    }
}
