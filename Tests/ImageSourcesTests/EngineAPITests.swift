import Foundation
import Testing
import Checksums
#if canImport(Glibc)
import Glibc
#endif
@testable import ImageSources

/// A tiny HTTP server on a Unix socket that replays canned replies, one request per connection.
final class EngineAPIFakeDaemon: @unchecked Sendable {
    typealias Handler = @Sendable (String) -> [UInt8]?   // request target -> raw reply (nil: close without reply)
    let path: String
    let dir: String
    private let handler: Handler
    private let lock = NSLock()
    private var stopping = false
    private var seen: [String] = []
    private let done = DispatchSemaphore(value: 0)
    private var listenFD: Int32 = -1

    init(handler: @escaping Handler) throws {
        dir = ImgStoreFixtures.tempDir("api")
        path = dir + "/d.sock"
        self.handler = handler
        listenFD = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listenFD, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0, listen(listenFD, 16) == 0 else { throw ImageSourceError("fake daemon: bind/listen failed") }
        let thread = Thread { [self] in self.serve() }
        thread.start()
    }

    var requests: [String] { lock.withLock { seen } }

    func stop() {
        lock.withLock { stopping = true }
        done.wait()
        close(listenFD)
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func serve() {
        defer { done.signal() }
        while !lock.withLock({ stopping }) {
            var p = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 20) > 0 else { continue }
            let c = accept(listenFD, nil, nil)
            guard c >= 0 else { continue }
            var req: [UInt8] = []
            var buf = [UInt8](repeating: 0, count: 4096)
            while !(req.count >= 4 && req.suffix(4) == [13, 10, 13, 10]) {
                let n = buf.withUnsafeMutableBytes { recv(c, $0.baseAddress, $0.count, 0) }
                if n <= 0 { break }
                req += buf[0..<n]
            }
            let line = String(decoding: req, as: UTF8.self).split(separator: "\r\n").first ?? ""
            let parts = line.split(separator: " ")
            let target = parts.count > 1 ? String(parts[1]) : ""
            lock.withLock { seen.append(target) }
            if let reply = handler(target) {
                var sent = 0
                while sent < reply.count {
                    let n = reply.withUnsafeBytes { send(c, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
                    if n <= 0 { break }
                    sent += n
                }
            }
            close(c)
        }
    }

    // Reply builders.
    static func reply(_ status: String = "200 OK", headers: [String] = [], body: [UInt8], chunked: Bool = false) -> [UInt8] {
        var head = "HTTP/1.1 \(status)\r\nContent-Type: application/json\r\n" + headers.map { $0 + "\r\n" }.joined()
        if chunked {
            head += "Transfer-Encoding: chunked\r\n\r\n"
            var out = Array(head.utf8)
            var i = 0
            var size = 1
            while i < body.count {
                let n = min(size, body.count - i)
                out += Array((String(n, radix: 16) + (size % 3 == 0 ? ";ext=1" : "") + "\r\n").utf8) + body[i..<(i + n)] + [13, 10]
                i += n
                size = size * 3 + 7
            }
            return out + Array("0\r\nX-Trailer: t\r\n\r\n".utf8)
        }
        head += "Content-Length: \(body.count)\r\n\r\n"
        return Array(head.utf8) + body
    }
}

@Suite(.serialized) struct EngineAPITests {
    static let api = ImgStoreFixtures.engineAPI
    static let notFound = ImgStoreFixtures.bytes(api + "/image-json-404.http.txt")

    /// Replies captured from dockerd 20.10 (API 1.41), by name and by id.
    static func dockerRoutes(version: String = "1.41", pingVersion: String = "1.41") -> EngineAPIFakeDaemon.Handler {
        var routes: [String: [UInt8]] = [:]
        let slugs = (try? FileManager.default.contentsOfDirectory(atPath: api + "/images")) ?? []
        for slug in slugs {
            let dir = api + "/images/" + slug
            let inspect = ImgStoreFixtures.bytes(dir + "/image-json.json")
            let history = ImgStoreFixtures.bytes(dir + "/image-history.json")
            guard let obj = ImgStoreFixtures.json(dir + "/image-json.json") as? [String: Any], let id = obj["Id"] as? String else { continue }
            var names = [id, String(id.dropFirst(7).prefix(12))]
            names += (obj["RepoTags"] as? [String]) ?? []
            for n in names {
                routes["/v\(version)/images/\(n)/json"] = EngineAPIFakeDaemon.reply(headers: ["Api-Version: 1.41"], body: inspect, chunked: true)
                routes["/v\(version)/images/\(n)/history"] = EngineAPIFakeDaemon.reply(headers: ["Api-Version: 1.41"], body: history)
            }
        }
        let ping = EngineAPIFakeDaemon.reply(headers: ["Api-Version: \(pingVersion)", "Server: Docker/20.10.24+dfsg1 (linux)"],
                                             body: ImgStoreFixtures.bytes(api + "/ping.txt"))
        let frozen = routes
        let nf = notFound
        return { target in target == "/_ping" ? ping : (frozen[target] ?? nf) }
    }

    @Test func everyCapturedImageResolvesThroughTheSocket() throws {
        let daemon = try EngineAPIFakeDaemon(handler: Self.dockerRoutes())
        defer { daemon.stop() }
        let host = "unix://" + daemon.path
        #expect(EngineAPI.ping(host: host, environment: [:], timeout: 5))
        let slugs = try FileManager.default.contentsOfDirectory(atPath: Self.api + "/images").sorted()
        #expect(slugs.count == 29)
        for slug in slugs {
            let dir = Self.api + "/images/" + slug
            let obj = try #require(ImgStoreFixtures.json(dir + "/image-json.json") as? [String: Any])
            let id = try #require(obj["Id"] as? String)
            let name = (obj["RepoTags"] as? [String])?.first ?? String(id.dropFirst(7).prefix(12))
            let r = try EngineAPI.resolve(name: name, host: host, environment: [:])
            #expect(r.configBytes == ImgStoreFixtures.bytes(dir + "/image-json.json"), "chunked inspect of \(slug)")
            #expect(r.historyBytes == ImgStoreFixtures.bytes(dir + "/image-history.json"))
            #expect(r.configDigest == id)
            #expect(r.source.contains("API 1.41"))
            if let tags = obj["RepoTags"] as? [String], !tags.isEmpty { #expect(r.names == tags) }
            let layers = ((obj["RootFS"] as? [String: Any])?["Layers"] as? [String]) ?? []
            #expect(r.layers.map(\.digest) == layers)
        }
        #expect(daemon.requests.contains("/v1.41/images/localhost/dflint/kitchensink:docker/json"))
    }

    @Test func notFoundAndEnvironment() throws {
        let daemon = try EngineAPIFakeDaemon(handler: Self.dockerRoutes())
        defer { daemon.stop() }
        do {
            _ = try EngineAPI.resolve(name: "does-not-exist", host: nil, environment: ["DOCKER_HOST": "unix://" + daemon.path])
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasPrefix("no such image: does-not-exist"))
            #expect(error.message.contains("No such image: does-not-exist:latest"))
        }
        // A name that needs escaping goes out percent-encoded.
        _ = try? EngineAPI.resolve(name: "we ird#1", host: daemon.path, environment: [:])
        #expect(daemon.requests.contains("/v1.41/images/we%20ird%231/json"))
    }

    @Test func versionIsNegotiatedNotPinned() throws {
        // A daemon newer than dflint: use the newest version dflint knows.
        let newer = try EngineAPIFakeDaemon(handler: Self.dockerRoutes(version: EngineAPI.newestKnownVersion, pingVersion: "1.99"))
        defer { newer.stop() }
        let r = try EngineAPI.resolve(name: "localhost/busybase:1", host: "unix://" + newer.path, environment: [:])
        #expect(r.configDigest == "sha256:c58813e1d1ac9fc46a1144259b35f6975bf736b95a5dd2e0f02d795ac2a9bef6")
        #expect(newer.requests.contains("/v\(EngineAPI.newestKnownVersion)/images/localhost/busybase:1/json"))
        #expect(EngineAPI.negotiate("1.44") == "1.44")
        #expect(EngineAPI.negotiate("1.9") == "1.9")
        #expect(EngineAPI.negotiate("2.0") == EngineAPI.newestKnownVersion)
        #expect(EngineAPI.negotiate(nil) == nil)
        #expect(EngineAPI.negotiate("garbage") == nil)
    }

    @Test func podmanUsesLibpodInspect() throws {
        let dir = ImgStoreFixtures.fixtures + "/history/buildah-podman/kitchensink_docker"
        let arr = try #require(ImgStoreFixtures.json(dir + "/podman-image-inspect.json") as? [Any])
        let inspect = try JSONSerialization.data(withJSONObject: arr[0])
        let history = ImgStoreFixtures.bytes(dir + "/podman-history.json")
        let ping = EngineAPIFakeDaemon.reply(headers: ["Api-Version: 1.41", "Libpod-Api-Version: 4.3.1", "Server: Libpod/4.3.1 (linux)"], body: Array("OK".utf8))
        let name = "localhost/dflint/kitchensink:docker"
        let daemon = try EngineAPIFakeDaemon { target in
            switch target {
            case "/_ping": return ping
            case "/v4.3.1/libpod/images/\(name)/json": return EngineAPIFakeDaemon.reply(body: [UInt8](inspect), chunked: true)
            case "/v4.3.1/libpod/images/\(name)/history": return EngineAPIFakeDaemon.reply(body: history)
            default: return EngineAPIFakeDaemon.reply("404 Not Found", body: Array(#"{"cause":"failed to find image","message":"x: image not known","response":404}"#.utf8))
            }
        }
        defer { daemon.stop() }
        let r = try EngineAPI.resolve(name: name, host: "unix://" + daemon.path, environment: [:])
        #expect(r.configBytes == [UInt8](inspect))
        #expect(r.historyBytes == history)
        #expect(r.configDigest == "sha256:ecc05d776ec87b4a6f1f471d2144208897af492d03bdc1b59aec910079313795")
        #expect(r.manifestDigest?.hasPrefix("sha256:") == true)
        #expect(r.source.contains("Podman 4.3.1"))
        #expect(throws: ImageSourceError.self) { try EngineAPI.resolve(name: "nope", host: "unix://" + daemon.path, environment: [:]) }
    }

    @Test func socketProblemsAreClear() throws {
        let tmp = ImgStoreFixtures.tempDir("nosock")
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        do {
            _ = try EngineAPI.resolve(name: "x", host: "unix://\(tmp)/missing.sock", environment: [:])
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("no daemon socket at \(tmp)/missing.sock"))
        }
        // A stale socket file: bound once, nobody listening any more.
        let stale = tmp + "/stale.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in stale.utf8.enumerated() { raw[i] = b } }
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        close(fd)
        do {
            _ = try EngineAPI.resolve(name: "x", host: "unix://" + stale, environment: [:])
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("connection refused"))
        }
        #expect(!EngineAPI.ping(host: "unix://" + stale, environment: [:], timeout: 1))
        do {
            _ = try EngineAPI.resolve(name: "x", host: nil, environment: ["DOCKER_HOST": "tcp://127.0.0.1:2375"])
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("only unix://"))
        }
        #expect(throws: ImageSourceError.self) { try EngineAPI.resolve(name: "x", host: "podman", environment: ["XDG_RUNTIME_DIR": tmp]) }
    }

    @Test func stalledOrBrokenServers() throws {
        // Headers promise more body than arrives before the server hangs up.
        let daemon = try EngineAPIFakeDaemon { target in
            switch target {
            case "/_ping": return EngineAPIFakeDaemon.reply(headers: ["Api-Version: 1.41"], body: Array("OK".utf8))
            case let t where t.hasSuffix("/short/json"): return Array("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{}".utf8)
            case let t where t.hasSuffix("/badchunk/json"): return Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n".utf8)
            case let t where t.hasSuffix("/notjson/json"): return Array("SSH-2.0-OpenSSH_9\r\n\r\n".utf8)
            default: return nil
            }
        }
        defer { daemon.stop() }
        let host = "unix://" + daemon.path
        for (name, text) in [("short", "cut short"), ("badchunk", "malformed chunked"), ("notjson", "not an HTTP reply"), ("silent", "without replying")] {
            do {
                _ = try EngineAPI.resolve(name: name, host: host, environment: [:])
                Issue.record("expected an error for \(name)")
            } catch {
                #expect(error.message.contains(text), "\(name): \(error.message)")
            }
        }
        // A listener that never answers: ping gives up after its timeout.
        let mute = ImgStoreFixtures.tempDir("mute")
        defer { try? FileManager.default.removeItem(atPath: mute) }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in (mute + "/m.sock").utf8.enumerated() { raw[i] = b } }
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        listen(fd, 4)
        let start = Date()
        #expect(!EngineAPI.ping(host: "unix://" + mute + "/m.sock", environment: [:], timeout: 0.3))
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test func dechunking() {
        func d(_ s: String) -> UnixHTTP.Dechunked { UnixHTTP.dechunk(Array(s.utf8)[...]) }
        #expect(d("3\r\nabc\r\n0\r\n\r\n") == .complete(Array("abc".utf8)))
        #expect(d("3;x=y\r\nabc\r\nA\r\n0123456789\r\n0\r\nT: 1\r\n\r\n") == .complete(Array("abc0123456789".utf8)))
        #expect(d("3\r\nab") == .incomplete)
        #expect(d("3\r\nabc\r\n0\r\n") == .incomplete)
        #expect(d("3\r\nabcX\r\n") == .invalid("chunk not followed by CRLF"))
        if case .invalid = d("-1\r\n") {} else { Issue.record("negative size accepted") }
    }

    @Test func dockerContextEndpoint() throws {
        let home = ImgStoreFixtures.tempDir("home")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let meta = home + "/.docker/contexts/meta/" + SHA256.hex(Array("rootless".utf8))
        try FileManager.default.createDirectory(atPath: meta, withIntermediateDirectories: true)
        try Data(#"{"currentContext":"rootless"}"#.utf8).write(to: URL(fileURLWithPath: home + "/.docker/config.json"))
        try Data(#"{"Name":"rootless","Endpoints":{"docker":{"Host":"unix:///run/user/1000/docker.sock"}}}"#.utf8)
            .write(to: URL(fileURLWithPath: meta + "/meta.json"))
        let s = try EngineAPI.findSocket(host: nil, environment: ["HOME": home])
        #expect(s.path == "/run/user/1000/docker.sock")
        #expect((try? EngineAPI.findSocket(host: nil, environment: ["HOME": home, "DOCKER_CONTEXT": "default", "XDG_RUNTIME_DIR": home]))?.path != "/run/user/1000/docker.sock")
    }
}

@Suite struct EngineAPIJSONFileTests {
    @Test func acceptsJSONAndJSONLines() throws {
        let inspect = ImgStoreFixtures.fixtures + "/history/docker/busybase_1/docker-image-inspect.json"
        let r = try JSONFile.resolve(path: inspect)
        #expect(r.configBytes == ImgStoreFixtures.bytes(inspect))
        #expect(r.source == "json:" + inspect)
        _ = try JSONFile.resolve(path: ImgStoreFixtures.fixtures + "/history/docker/busybase_1/docker-history.jsonl")
        _ = try JSONFile.resolve(path: ImgStoreFixtures.engineAPI + "/images/busybase_1/image-history.json")
    }

    @Test func rejectsWhatIsNotJSON() throws {
        let tmp = ImgStoreFixtures.tempDir("json")
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let cases: [(String, [UInt8], String)] = [
            ("empty", [], "empty file"),
            ("dockerfile", Array("FROM alpine\nRUN true\n".utf8), "not JSON"),
            ("gzip", [0x1F, 0x8B, 8, 0, 0, 0], "gzip"),
            ("broken", Array("{\"a\": [1, 2}\n".utf8), "invalid JSON"),
            ("lines", Array("{\"a\":1}\n{\"b\":\n".utf8), "line 2"),
        ]
        for (name, bytes, text) in cases {
            let p = tmp + "/" + name
            try Data(bytes).write(to: URL(fileURLWithPath: p))
            do {
                _ = try JSONFile.resolve(path: p)
                Issue.record("expected an error for \(name)")
            } catch {
                #expect(error.message.contains(text), "\(name): \(error.message)")
            }
        }
        #expect(throws: ImageSourceError.self) { try JSONFile.resolve(path: tmp + "/missing.json") }
        #expect(throws: ImageSourceError.self) { try JSONFile.resolve(path: tmp) }
    }
}
