// docker:// against a fake registry serving the kitchensink OCI fixture:
// anonymous pull (config through a redirect), the Bearer token flow with and
// without Basic credentials, platform choice from an index, digest mismatches
// as problems, HTTP errors naming registry and repository, reference parsing
// and auth-file lookup.

import Foundation
import Testing
@testable import ImageSources

@Suite(.serialized) struct RegistryTests {
    static let blobs = "/work/shared/fixtures/oci-layout/kitchensink_oci/blobs/sha256/"
    static let manifestDigest = "sha256:1c9fe9c7ef2a1c9f52b3d1671ec60d6861964285a8caea4ba6313353bc1724b5"
    static let configDigest = "sha256:399fe1f27797d310999d2ca01087b9edf3afd4eb7651717939430bc3ae2dd5cc"
    static let ociManifest = "application/vnd.oci.image.manifest.v1+json"

    static func blob(_ digest: String) -> [UInt8] {
        Array(FileManager.default.contents(atPath: blobs + digest.dropFirst(7)) ?? Data())
    }

    /// Serves the kitchensink image as dflint/kitchensink:v1, the config through a redirect.
    /// `auth` decides whether a request is let through (else a 401 with `challenge`).
    static func serveKitchensink(_ r: FakeRegistry, challenge: String? = nil, auth: @escaping @Sendable (FakeRequest) -> Bool = { _ in true },
                                 token: (@Sendable (FakeRequest) -> FakeResponse)? = nil,
                                 extra: @escaping @Sendable (FakeRequest) -> FakeResponse? = { _ in nil }) {
        let manifest = blob(manifestDigest)
        let config = blob(configDigest)
        r.route { req in
            if req.path.hasPrefix("/token"), let token { return token(req) }
            if let challenge, !auth(req) {
                return FakeResponse(status: 401, headers: ["WWW-Authenticate": challenge, "Content-Type": "application/json"],
                                    body: Array(#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#.utf8))
            }
            if let e = extra(req) { return e }
            switch req.path {
            case "/v2/": return .json(Array("{}".utf8))
            case "/v2/dflint/kitchensink/manifests/v1", "/v2/dflint/kitchensink/manifests/\(manifestDigest)":
                return .json(manifest, type: ociManifest, digest: manifestDigest)
            case "/v2/dflint/kitchensink/blobs/\(configDigest)":
                return FakeResponse(status: 307, headers: ["Location": "/storage/config"])
            case "/storage/config":
                return FakeResponse(status: 200, headers: ["Content-Type": "application/octet-stream"], body: config)
            default: return .notFound
            }
        }
    }

    static func resolve(_ r: FakeRegistry, _ name: String, platform: String? = nil,
                        settings: RegistrySettings = RegistrySettings(timeout: 10),
                        environment: [String: String] = [:]) throws(ImageSourceError) -> ResolvedImage {
        try Registry.resolve("//\(r.host)/\(name)", options: SourceOptions(platform: platform, environment: environment, registry: settings))
    }

    @Test func anonymousPull() throws {
        let r = try FakeRegistry()
        defer { r.stop() }
        Self.serveKitchensink(r)
        let image = try Self.resolve(r, "dflint/kitchensink:v1")
        #expect(image.configDigest == Self.configDigest)
        #expect(image.configBytes == Self.blob(Self.configDigest))
        #expect(image.manifestDigest == Self.manifestDigest)
        #expect(image.manifestBytes == Self.blob(Self.manifestDigest))
        #expect(image.layers.count >= 2)
        #expect(image.layers.first?.digest == "sha256:9eb279749ad5d353cb5630d51429e1a6d32e909e36a8a0ab23d14c238bc020dd")
        #expect(image.layerLocations.count == image.layers.count)
        #expect(image.layerLocations.allSatisfy { $0 == .unavailable(reason: "registry layers are not read with --no-layers") })
        #expect(image.names == ["\(r.host)/dflint/kitchensink:v1"])
        #expect(image.source == "docker://\(r.host)/dflint/kitchensink:v1")
        #expect(image.problems.isEmpty)
        let manifestRequest = r.requests.first { $0.path.contains("/manifests/") }
        let accept = manifestRequest?.headers["accept"] ?? ""
        for t in Registry.manifestTypes { #expect(accept.contains(t)) }
        #expect(r.requests.allSatisfy { $0.headers["authorization"] == nil })

        // By digest too, through the transport prefix.
        let byDigest = try ImageReader.resolve("docker://\(r.host)/dflint/kitchensink@\(Self.manifestDigest)",
                                               options: SourceOptions(), exists: { _ in false }, isDirectory: { _ in false })
        #expect(byDigest.configDigest == Self.configDigest)
        #expect(byDigest.problems.isEmpty)
    }

    @Test func bearerTokenFlow() throws {
        let r = try FakeRegistry()
        defer { r.stop() }
        let challenge = #"Bearer realm="http://\#(r.host)/token",service="fake-registry",scope="repository:dflint/kitchensink:pull""#
        Self.serveKitchensink(r, challenge: challenge, auth: { $0.headers["authorization"] == "Bearer s3cr3t-token" },
                              token: { req in
                                  guard req.path.contains("service=fake-registry"), req.path.contains("scope=repository:dflint/kitchensink:pull") else {
                                      return FakeResponse(status: 400)
                                  }
                                  return .json(Array(#"{"token":"s3cr3t-token","expires_in":300}"#.utf8))
                              })
        let image = try Self.resolve(r, "dflint/kitchensink:v1")
        #expect(image.configDigest == Self.configDigest)
        #expect(image.problems.isEmpty)
        #expect(r.requests.filter { $0.path.hasPrefix("/token") }.count == 1)
        // The redirected blob request is on the same host, so it keeps the token.
        #expect(r.requests.contains { $0.path == "/storage/config" })
    }

    @Test func bearerWithBasicCredentials() throws {
        let r = try FakeRegistry()
        defer { r.stop() }
        let challenge = #"Bearer realm="http://\#(r.host)/token",service="fake""#
        let basic = "Basic " + Data("alice:pw:with:colons".utf8).base64EncodedString()
        Self.serveKitchensink(r, challenge: challenge, auth: { $0.headers["authorization"] == "Bearer alice-token" },
                              token: { req in
                                  req.headers["authorization"] == basic ? .json(Array(#"{"access_token":"alice-token"}"#.utf8))
                                                                        : FakeResponse(status: 401)
                              })
        // From --username/--password-stdin...
        let creds = RegistrySettings(credentials: RegistryCredentials(username: "alice", password: "pw:with:colons"), timeout: 10)
        #expect(try Self.resolve(r, "dflint/kitchensink:v1", settings: creds).configDigest == Self.configDigest)
        // ...and from an auth file.
        let dir = ScratchDir()
        let auth = Data("alice:pw:with:colons".utf8).base64EncodedString()
        try dir.write("auth.json", Array(#"{"auths":{"\#(r.host)":{"auth":"\#(auth)"}}}"#.utf8))
        let fromFile = try Self.resolve(r, "dflint/kitchensink:v1", environment: ["REGISTRY_AUTH_FILE": dir.file("auth.json")])
        #expect(fromFile.configDigest == Self.configDigest)
        // Anonymous: refused, and the message says so without any secret.
        #expect {
            try Self.resolve(r, "dflint/kitchensink:v1")
        } throws: { e in
            let m = (e as? ImageSourceError)?.message ?? ""
            return m.contains(r.host) && m.contains("dflint/kitchensink") && m.contains("refused") && m.contains("anonymously")
                && !m.contains("alice-token")
        }
    }

    @Test func basicChallenge() throws {
        let r = try FakeRegistry()
        defer { r.stop() }
        let basic = "Basic " + Data("bob:hunter2".utf8).base64EncodedString()
        Self.serveKitchensink(r, challenge: #"Basic realm="fake""#, auth: { $0.headers["authorization"] == basic })
        let creds = RegistrySettings(credentials: RegistryCredentials(username: "bob", password: "hunter2"), timeout: 3)
        let image = try Self.resolve(r, "dflint/kitchensink:v1", settings: creds)
        #expect(image.configDigest == Self.configDigest)
        #expect(image.problems.isEmpty)
        #expect {
            try Self.resolve(r, "dflint/kitchensink:v1", settings: RegistrySettings(timeout: 3))
        } throws: { e in
            let m = (e as? ImageSourceError)?.message ?? ""
            return m.contains("authentication required for dflint/kitchensink") && m.contains(r.host)
        }
        let wrong = RegistrySettings(credentials: RegistryCredentials(username: "bob", password: "nope"), timeout: 3)
        #expect {
            try Self.resolve(r, "dflint/kitchensink:v1", settings: wrong)
        } throws: { e in
            let m = (e as? ImageSourceError)?.message ?? ""
            return m.contains("refused") && m.contains("bob") && !m.contains("nope")
        }
    }

    @Test func redirectToAnotherHostDropsAuthorization() throws {
        let r = try FakeRegistry()
        let storage = try FakeRegistry()
        defer { r.stop(); storage.stop() }
        let config = Self.blob(Self.configDigest)
        storage.route { _ in FakeResponse(status: 200, body: config) }
        let challenge = #"Bearer realm="http://\#(r.host)/token",service="fake""#
        let storageHost = storage.host
        Self.serveKitchensink(r, challenge: challenge, auth: { $0.headers["authorization"] == "Bearer t0k" },
                              token: { _ in .json(Array(#"{"token":"t0k"}"#.utf8)) },
                              extra: { req in
                                  req.path.contains("/blobs/") ? FakeResponse(status: 307, headers: ["Location": "http://\(storageHost)/blob?sig=x"]) : nil
                              })
        let image = try Self.resolve(r, "dflint/kitchensink:v1")
        #expect(image.configDigest == Self.configDigest)
        #expect(storage.requests.count == 1)
        #expect(storage.requests.allSatisfy { $0.headers["authorization"] == nil })
    }

    @Test func platformSelection() throws {
        let r = try FakeRegistry()
        defer { r.stop() }
        let armConfig = Array(#"{"architecture":"arm64","os":"linux","variant":"v8","config":{"User":"arm"},"rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
        let armConfigDigest = Digest.of(armConfig)
        let armManifest = Array(#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"\#(armConfigDigest)","size":\#(armConfig.count)},"layers":[]}"#.utf8)
        let armDigest = Digest.of(armManifest)
        let amd = Self.blob(Self.manifestDigest)
        let list = Array(#"""
        {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[
         {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"\#(armDigest)","size":\#(armManifest.count),"platform":{"os":"linux","architecture":"arm64","variant":"v8"}},
         {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(Self.manifestDigest)","size":\#(amd.count),"platform":{"os":"linux","architecture":"amd64"}}]}
        """#.utf8)
        let listDigest = Digest.of(list)
        Self.serveKitchensink(r, extra: { req in
            switch req.path {
            case "/v2/dflint/multi/manifests/1": return .json(list, type: "application/vnd.docker.distribution.manifest.list.v2+json", digest: listDigest)
            case "/v2/dflint/multi/manifests/\(armDigest)": return .json(armManifest, type: "application/vnd.docker.distribution.manifest.v2+json", digest: armDigest)
            case "/v2/dflint/multi/manifests/\(Self.manifestDigest)": return .json(amd, type: Self.ociManifest, digest: Self.manifestDigest)
            case "/v2/dflint/multi/blobs/\(armConfigDigest)": return FakeResponse(status: 200, body: armConfig)
            case "/v2/dflint/multi/blobs/\(Self.configDigest)": return FakeResponse(status: 200, body: Self.blob(Self.configDigest))
            default: return nil
            }
        })
        let byDefault = try Self.resolve(r, "dflint/multi:1")
        #expect(byDefault.configDigest == Self.configDigest)
        #expect(byDefault.manifestDigest == Self.manifestDigest)
        #expect(byDefault.source.contains("linux/amd64"))
        #expect(byDefault.problems.isEmpty)
        for p in ["linux/arm64", "linux/arm64/v8"] {
            let arm = try Self.resolve(r, "dflint/multi:1", platform: p)
            #expect(arm.configDigest == armConfigDigest)
            #expect(arm.manifestDigest == armDigest)
            #expect(arm.layers.isEmpty)
            #expect(arm.problems.isEmpty)
        }
        #expect {
            try Self.resolve(r, "dflint/multi:1", platform: "linux/s390x")
        } throws: { e in
            let err = e as? ImageSourceError
            return err?.message.contains("no manifest for linux/s390x") == true && err?.candidates == ["linux/arm64/v8", "linux/amd64"]
        }
    }

    @Test func digestMismatchesBecomeProblems() throws {
        let r = try FakeRegistry()
        defer { r.stop() }
        var badConfig = Self.blob(Self.configDigest)
        badConfig[badConfig.count - 2] = UInt8(ascii: " ")
        let tampered = badConfig
        let wrong = "sha256:" + String(repeating: "0", count: 64)
        Self.serveKitchensink(r, extra: { req in
            switch req.path {
            case "/v2/dflint/kitchensink/manifests/v1": return .json(Self.blob(Self.manifestDigest), type: Self.ociManifest, digest: wrong)
            case "/storage/config": return FakeResponse(status: 200, body: tampered)
            default: return nil
            }
        })
        let image = try Self.resolve(r, "dflint/kitchensink:v1")
        #expect(image.problems.count == 2)
        #expect(image.problems.contains { $0.contains("Docker-Content-Digest says \(wrong)") })
        #expect(image.problems.contains { $0.contains("config digest mismatch: \(Self.configDigest) expected") })
        #expect(image.configBytes == tampered)

        // A digest reference whose content differs.
        let other = "sha256:" + String(repeating: "a", count: 64)
        Self.serveKitchensink(r, extra: { req in
            req.path == "/v2/dflint/kitchensink/manifests/\(other)" ? .json(Self.blob(Self.manifestDigest), type: Self.ociManifest) : nil
        })
        let byDigest = try Self.resolve(r, "dflint/kitchensink@\(other)")
        #expect(byDigest.problems.contains { $0.contains("digest mismatch: \(other) expected, content is \(Self.manifestDigest)") })
    }

    @Test func httpErrorsNameRegistryAndRepository() throws {
        let r = try FakeRegistry()
        defer { r.stop() }
        Self.serveKitchensink(r, extra: { req in
            switch req.path {
            case "/v2/dflint/limited/manifests/v1": return FakeResponse(status: 429, headers: ["Retry-After": "60"])
            case "/v2/dflint/broken/manifests/v1": return FakeResponse(status: 503)
            case "/v2/dflint/secret/manifests/v1": return FakeResponse(status: 403)
            default: return nil
            }
        })
        func message(_ name: String) -> String {
            do { _ = try Self.resolve(r, name, settings: RegistrySettings(timeout: 10, retryBudget: 0)); return "" } catch { return error.message }
        }
        let notFound = message("dflint/kitchensink:nope")
        #expect(notFound.contains("registry \(r.host)") && notFound.contains("dflint/kitchensink") && notFound.contains("404")
                && notFound.contains("MANIFEST_UNKNOWN"))
        #expect(message("dflint/limited:v1").contains("rate limited"))
        #expect(message("dflint/limited:v1").contains("retry after 60"))
        #expect(message("dflint/broken:v1").contains("HTTP 503"))
        #expect(message("dflint/secret:v1").contains("denied"))
        // Nothing listening: a transport error, quickly.
        let dead = try FakeRegistry()
        let host = dead.host
        dead.stop()
        #expect(throws: ImageSourceError.self) {
            try Registry.resolve("//\(host)/x/y", options: SourceOptions(registry: RegistrySettings(timeout: 5)))
        }
    }

    @Test(arguments: [
        ("//nginx", "docker.io/library/nginx:latest", "registry-1.docker.io", "library/nginx", "latest"),
        ("//docker.io/nginx:1.25", "docker.io/library/nginx:1.25", "registry-1.docker.io", "library/nginx", "1.25"),
        ("//bitnami/redis", "docker.io/bitnami/redis:latest", "registry-1.docker.io", "bitnami/redis", "latest"),
        ("//ghcr.io/a/b/c:t", "ghcr.io/a/b/c:t", "ghcr.io", "a/b/c", "t"),
        ("//127.0.0.1:5000/dflint/kitchensink:docker", "127.0.0.1:5000/dflint/kitchensink:docker", "127.0.0.1:5000", "dflint/kitchensink", "docker"),
        ("//localhost/x@sha256:" + String(repeating: "ab", count: 32), "localhost/x@sha256:" + String(repeating: "ab", count: 32),
         "localhost", "x", "sha256:" + String(repeating: "ab", count: 32)),
    ])
    func referenceNormalisation(_ text: String, _ name: String, _ host: String, _ repo: String, _ reference: String) throws {
        let ref = try RegistryReference.parse(text)
        #expect(ref.name == name)
        #expect(ref.host == host)
        #expect(ref.repository == repo)
        #expect(ref.reference == reference)
    }

    @Test func badReferences() {
        for text in ["nginx", "//", "//Nginx/UPPER", "//x@sha256:123", "//a b"] {
            #expect(throws: ImageSourceError.self) { try RegistryReference.parse(text) }
        }
        #expect(ImageReader.split("docker://nginx").0 == .docker)
        #expect(ImageReader.split("docker-archive:x.tar").0 == .dockerArchive)
        #expect(RegistryReference(name: "", host: "localhost:5000", repository: "x").isLoopback)
        #expect(!RegistryReference(name: "", host: "ghcr.io", repository: "x").isLoopback)
    }

    @Test func authFileLookup() throws {
        let dir = ScratchDir()
        let enc = { (s: String) in Data(s.utf8).base64EncodedString() }
        try FileManager.default.createDirectory(atPath: dir.file("docker"), withIntermediateDirectories: true)
        try dir.write("docker/config.json", Array(#"""
        {"auths":{"https://index.docker.io/v1/":{"auth":"\#(enc("hub:1"))"},"ghcr.io/team":{"auth":"\#(enc("team:2"))"},
                  "ghcr.io":{"auth":"\#(enc("any:3"))"}},"credHelpers":{"quay.io":"secretservice"}}
        """#.utf8))
        let env = ["DOCKER_CONFIG": dir.file("docker")]
        var notes: [String] = []
        #expect(RegistryAuthFiles.lookup(host: "registry-1.docker.io", repository: "library/nginx", environment: env, notes: &notes)?.username == "hub")
        #expect(RegistryAuthFiles.lookup(host: "ghcr.io", repository: "team/app", environment: env, notes: &notes)?.username == "team")
        #expect(RegistryAuthFiles.lookup(host: "ghcr.io", repository: "other/app", environment: env, notes: &notes)?.password == "3")
        #expect(notes.isEmpty)
        #expect(RegistryAuthFiles.lookup(host: "quay.io", repository: "a/b", environment: env, notes: &notes) == nil)
        #expect(notes.count == 1 && notes[0].contains("credential helper secretservice"))
    }

    @Test func challengeParsing() {
        let (scheme, params) = RegistryClient.parseChallenge(#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull,push""#)
        #expect(scheme == "bearer")
        #expect(params["realm"] == "https://auth.docker.io/token")
        #expect(params["service"] == "registry.docker.io")
        #expect(params["scope"] == "repository:library/nginx:pull,push")
        #expect(RegistryClient.parseChallenge(#"Basic realm="Registry Realm""#).params["realm"] == "Registry Realm")
    }
}
