// `docker-daemon:NAME`: ask a running Docker (or Podman) daemon over its Unix
// socket. Read-only calls only: `GET /_ping`, `GET /v<api>/images/{name}/json`
// and `/history` (Docker), or `/v<libpod>/libpod/images/{name}/json` and
// `/history` (Podman: its inspect carries the full OCI history with empty_layer).
//
// Socket: `--host unix:///path` (or `podman` for Podman's usual sockets), else
// DOCKER_HOST (unix:// only), else the current docker context's endpoint, else
// the first socket that exists of /var/run/docker.sock, $XDG_RUNTIME_DIR/docker.sock
// (rootless), $XDG_RUNTIME_DIR/podman/podman.sock, /run/podman/podman.sock.
//
// The API version is negotiated: min(the daemon's Api-Version from /_ping, the
// newest version dflint knows). Docker 29.0-29.2 refuse versions below 1.44, so
// nothing here is pinned to an old one.

import Foundation
import Checksums

public enum EngineAPI {
    /// The newest Engine API version whose replies dflint has been checked against.
    static let newestKnownVersion = "1.54"
    static let requestTimeout = 30.0

    public static func resolve(name: String, host: String?, environment: [String: String]) throws(ImageSourceError) -> ResolvedImage {
        let socket = try findSocket(host: host, environment: environment)
        let ping = try UnixHTTP.request(socket: socket.path, target: "/_ping", timeout: requestTimeout)
        guard ping.status == 200 else {
            throw ImageSourceError("\(socket.label): /_ping answered HTTP \(ping.status)\(message(ping).map { ": " + $0 } ?? "")")
        }
        let escaped = escape(name)
        let where_ = "docker-daemon:\(name) via \(socket.label)"
        if let libpod = libpodVersion(ping) {
            let base = "/v\(libpod)/libpod/images/\(escaped)"
            let inspect = try UnixHTTP.request(socket: socket.path, target: base + "/json", timeout: requestTimeout)
            if inspect.status == 200 {
                let history = try? UnixHTTP.request(socket: socket.path, target: base + "/history", timeout: requestTimeout)
                return image(inspect: inspect.body, history: history.flatMap { $0.status == 200 ? $0.body : nil },
                             podman: true, source: where_ + " (Podman \(libpod))")
            }
            if inspect.status == 404 { throw notFound(name, inspect, socket.label) }
            // Anything else: fall through to the Docker-compatible API Podman also serves.
        }
        let version = negotiate(ping.header("Api-Version"))
        let prefix = version.map { "/v\($0)" } ?? ""
        let inspect = try UnixHTTP.request(socket: socket.path, target: "\(prefix)/images/\(escaped)/json", timeout: requestTimeout)
        try check(inspect, name: name, socket: socket.label, what: "inspect")
        let history = try UnixHTTP.request(socket: socket.path, target: "\(prefix)/images/\(escaped)/history", timeout: requestTimeout)
        try check(history, name: name, socket: socket.label, what: "history")
        return image(inspect: inspect.body, history: history.body, podman: false,
                     source: where_ + (version.map { " (API \($0))" } ?? ""))
    }

    /// Whether a daemon answers `GET /_ping` within `timeout` seconds.
    public static func ping(host: String?, environment: [String: String], timeout: Double) -> Bool {
        guard let socket = try? findSocket(host: host, environment: environment),
              let r = try? UnixHTTP.request(socket: socket.path, target: "/_ping", timeout: timeout) else { return false }
        return r.status == 200
    }

    // MARK: - replies

    static func image(inspect: [UInt8], history: [UInt8]?, podman: Bool, source: String) -> ResolvedImage {
        var image = ResolvedImage(configBytes: inspect, historyBytes: history, source: source)
        guard let obj = JSONFile.object(inspect) else {
            image.problems.append("the daemon's inspect reply is not a JSON object")
            return image
        }
        let id = obj["Id"] as? String
        if podman {
            if let id { image.configDigest = id.hasPrefix("sha256:") ? id : "sha256:" + id }
            image.manifestDigest = obj["Digest"] as? String
        } else if let d = obj["Descriptor"] as? [String: Any], let digest = d["digest"] as? String {
            // containerd image store: the id is the index/manifest digest, not the config's.
            image.manifestDigest = digest
        } else if let id, id.hasPrefix("sha256:") {
            image.configDigest = id
        }
        let tags = (obj["RepoTags"] as? [String]) ?? (obj["NamesHistory"] as? [String]) ?? []
        image.names = tags.filter { $0 != "<none>:<none>" }.map { ImageName.normalize($0) ?? $0 }
        if let rootfs = obj["RootFS"] as? [String: Any], let layers = rootfs["Layers"] as? [String] {
            image.layers = layers.map { LayerDescriptor(digest: $0) }
            image.layerLocations = layers.map { _ in .unavailable(reason: "the Engine API replies carry no layers") }
        }
        return image
    }

    static func message(_ r: UnixHTTP.Response) -> String? {
        if let obj = JSONFile.object(r.body), let m = (obj["message"] ?? obj["cause"]) as? String { return m }
        let text = String(decoding: r.body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    static func notFound(_ name: String, _ r: UnixHTTP.Response, _ label: String) -> ImageSourceError {
        ImageSourceError("no such image: \(name) (\(label) says: \(message(r) ?? "404 Not Found"))")
    }

    static func check(_ r: UnixHTTP.Response, name: String, socket: String, what: String) throws(ImageSourceError) {
        if r.status == 200 { return }
        if r.status == 404 { throw notFound(name, r, socket) }
        throw ImageSourceError("\(socket): image \(what) for \(name) failed: HTTP \(r.status) \(r.reason)\(message(r).map { ": " + $0 } ?? "")")
    }

    static func libpodVersion(_ ping: UnixHTTP.Response) -> String? {
        if let v = ping.header("Libpod-Api-Version"), !v.isEmpty, v.allSatisfy({ $0.isNumber || $0 == "." }) { return v }
        if let server = ping.header("Server"), server.lowercased().contains("libpod") { return "4.0.0" }
        return nil
    }

    /// min(daemon max, newest known); nil when the daemon does not say (unversioned paths).
    static func negotiate(_ daemon: String?) -> String? {
        guard let daemon, let d = parseVersion(daemon) else { return nil }
        let known = parseVersion(newestKnownVersion)!
        return d.lexicographicallyPrecedes(known) ? daemon : newestKnownVersion
    }

    static func parseVersion(_ s: String) -> [Int]? {
        let parts = s.split(separator: ".").map { Int($0) }
        guard parts.count == 2, !parts.contains(nil) else { return nil }
        return parts.compactMap { $0 }
    }

    /// Percent-encodes a reference for the URL path; `/`, `:` and `@` stay (the daemon routes `{name:.*}`).
    static func escape(_ name: String) -> String {
        var out = ""
        for b in name.utf8 {
            let c = Character(UnicodeScalar(b))
            if (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || "-._~/:@".contains(c) {
                out.append(c)
            } else {
                out += "%" + String(b, radix: 16, uppercase: true).leftPad(2)
            }
        }
        return out
    }

    // MARK: - socket discovery

    struct Socket { var path: String; var label: String }

    static func findSocket(host: String?, environment env: [String: String]) throws(ImageSourceError) -> Socket {
        if let host, !host.isEmpty {
            if host == "podman" { return try firstExisting(podmanSockets(env), what: "Podman") }
            return Socket(path: try unixPath(host, from: "--host"), label: host)
        }
        if let dh = env["DOCKER_HOST"], !dh.isEmpty {
            return Socket(path: try unixPath(dh, from: "DOCKER_HOST"), label: dh)
        }
        if let ctx = contextHost(env) {
            return Socket(path: try unixPath(ctx.host, from: "docker context \(ctx.name)"), label: ctx.host)
        }
        var candidates = ["/var/run/docker.sock"]
        if let x = env["XDG_RUNTIME_DIR"], !x.isEmpty { candidates.append(x + "/docker.sock") }
        candidates += podmanSockets(env)
        return try firstExisting(candidates, what: "Docker or Podman")
    }

    static func podmanSockets(_ env: [String: String]) -> [String] {
        var out: [String] = []
        if let x = env["XDG_RUNTIME_DIR"], !x.isEmpty { out.append(x + "/podman/podman.sock") }
        out.append("/run/podman/podman.sock")
        return out
    }

    static func firstExisting(_ paths: [String], what: String) throws(ImageSourceError) -> Socket {
        for p in paths where JSONFile.fileExists(p) { return Socket(path: p, label: "unix://" + p) }
        throw ImageSourceError("no \(what) daemon socket found (tried \(paths.joined(separator: ", "))); is the daemon running? use --host unix:///path or DOCKER_HOST")
    }

    static func unixPath(_ host: String, from: String) throws(ImageSourceError) -> String {
        if host.hasPrefix("unix://") {
            let p = String(host.dropFirst(7))
            guard p.hasPrefix("/") else { throw ImageSourceError("\(from) \(host): the socket path must be absolute (unix:///path)") }
            return p
        }
        if host.hasPrefix("/") { return host }
        let scheme = host.split(separator: ":", maxSplits: 1).first.map(String.init) ?? host
        throw ImageSourceError("\(from) \(host): only unix:// sockets are supported (not \(scheme)://); reading images over TCP or SSH is not implemented")
    }

    /// The current docker context's endpoint (DOCKER_CONTEXT or config.json `currentContext`).
    static func contextHost(_ env: [String: String]) -> (name: String, host: String)? {
        let configDir = env["DOCKER_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? env["HOME"].map { $0 + "/.docker" }
        guard let configDir else { return nil }
        var name = env["DOCKER_CONTEXT"]
        if name == nil || name!.isEmpty,
           let bytes = try? JSONFile.readFile(configDir + "/config.json", limit: 1 << 20),
           let obj = JSONFile.object(bytes) {
            name = obj["currentContext"] as? String
        }
        guard let name, !name.isEmpty, name != "default" else { return nil }
        let meta = configDir + "/contexts/meta/" + SHA256.hex(Array(name.utf8)) + "/meta.json"
        guard let bytes = try? JSONFile.readFile(meta, limit: 1 << 20), let obj = JSONFile.object(bytes),
              let endpoints = obj["Endpoints"] as? [String: Any], let docker = endpoints["docker"] as? [String: Any],
              let host = docker["Host"] as? String else { return nil }
        return (name, host)
    }
}

fileprivate extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
