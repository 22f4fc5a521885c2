// docker:// with layers, and the transport under it: layer blobs streamed from a
// fake registry give the same final view as the OCI layout on disk (also through
// a redirect and a Bearer token that expires half-way), a blob whose bytes do
// not match its digest is reported, a slow reader holds the transfer back
// (bounded buffer), 429/503 are retried within a budget, `--verbose` counts
// bytes, and extra CAs come from the cert directories.

import Foundation
import Testing
import LayerModel
import Checksums
@testable import ImageSources

@Suite(.serialized) struct RegistryLayerTests {
    static let layout = "/work/shared/fixtures/oci-layout/kitchensink_oci"

    /// Serves the kitchensink layers too: `/v2/dflint/kitchensink/blobs/<layer>` (through `/storage/<hex>` when `redirect`).
    static func serveWithLayers(_ r: FakeRegistry, redirect: Bool = false, challenge: String? = nil,
                                auth: @escaping @Sendable (FakeRequest) -> Bool = { _ in true },
                                token: (@Sendable (FakeRequest) -> FakeResponse)? = nil,
                                override: @escaping @Sendable (FakeRequest) -> FakeResponse? = { _ in nil }) {
        RegistryTests.serveKitchensink(r, challenge: challenge, auth: auth, token: token, extra: { req in
            if let o = override(req) { return o }
            let prefix = "/v2/dflint/kitchensink/blobs/sha256:"
            if req.path.hasPrefix(prefix) && !req.path.hasSuffix(String(RegistryTests.configDigest.dropFirst(7))) {
                let hex = String(req.path.dropFirst(prefix.count))
                if redirect { return FakeResponse(status: 302, headers: ["Location": "/storage/\(hex)"]) }
                return FakeResponse(status: 200, body: RegistryTests.blob("sha256:" + hex))
            }
            if req.path.hasPrefix("/storage/") && req.path != "/storage/config" {
                return FakeResponse(status: 200, body: RegistryTests.blob("sha256:" + req.path.dropFirst("/storage/".count)))
            }
            return nil
        })
    }

    static func withLayers(_ settings: RegistrySettings = RegistrySettings(timeout: 10)) -> SourceOptions {
        SourceOptions(registry: settings, remoteLayers: true)
    }

    /// The final view read from the layout on disk, to compare with.
    static func localView() throws -> FileSystemView {
        let image = try ImageReader.resolve("oci:\(layout)", options: SourceOptions(), exists: { FileManager.default.fileExists(atPath: $0) },
                                            isDirectory: { var d: ObjCBool = false; return FileManager.default.fileExists(atPath: $0, isDirectory: &d) && d.boolValue })
        return LayerScanner.scan(image)
    }

    static func same(_ a: FileSystemView, _ b: FileSystemView) -> Bool {
        a.files == b.files && a.removed == b.removed && a.captured == b.captured && a.problems == b.problems
            && a.layers.map(\.entries) == b.layers.map(\.entries)
    }

    @Test func layersStreamedGiveTheLocalView() throws {
        let local = try Self.localView()
        #expect(local.layers.count == 10 && local.problems.isEmpty)
        for redirect in [false, true] {
            let r = try FakeRegistry()
            defer { r.stop() }
            Self.serveWithLayers(r, redirect: redirect)
            let log = TransferLog()
            let image = try Registry.resolve("//\(r.host)/dflint/kitchensink:v1", options: Self.withLayers(RegistrySettings(timeout: 10, log: log)))
            #expect(image.layerLocations.allSatisfy { if case .remote = $0 { return true } else { return false } })
            let before = r.requests.count
            let view = LayerScanner.scan(image)
            #expect(Self.same(view, local), "redirect \(redirect): \(view.problems) \(view.layers)")
            #expect(view.files["/usr/local/bin/helper"]?.isSetuid == true || local.files["/usr/local/bin/helper"] == nil)
            // One request per layer (two with the redirect), none before the scan reached them.
            #expect(r.requests.count - before == image.layers.count * (redirect ? 2 : 1))
            // --verbose: every request logged, bytes at least the blobs' sizes.
            let blobBytes = image.layers.compactMap(\.size).reduce(0, +)
            #expect(log.bytes(host: r.host) > Int(blobBytes))
            #expect(log.summary().count == 1 && log.summary()[0].hasPrefix("registry \(r.host): \(r.requests.count) requests, "))
        }
    }

    /// A signed schema 1 manifest skopeo pushed (`--format v2s1`) of the kitchensink fixture to distribution 2.8.
    static let schema1 = Array(FileManager.default.contents(atPath: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/.kitchensink-schema1.json").path) ?? Data())
    static let schema1Digest = "sha256:479324234cfb1d39fd92cb407ef3792e3406d98e4b5fad5b36d5eba72c878134"

    @Test func schema1ManifestIsReadFromItsHistory() throws {
        #expect(Self.schema1.count > 10_000)
        let r = try FakeRegistry()
        defer { r.stop() }
        let manifest = Self.schema1
        Self.serveWithLayers(r, override: { req in
            req.path == "/v2/dflint/old/manifests/v1" || req.path == "/v2/dflint/old/manifests/\(Self.schema1Digest)"
                ? .json(manifest, type: "application/vnd.docker.distribution.manifest.v1+prettyjws", digest: Self.schema1Digest) : nil
        })
        for reference in ["v1", Self.schema1Digest] {
            let image = try Registry.resolve("//\(r.host)/dflint/old\(reference.hasPrefix("sha256:") ? "@" : ":")\(reference)",
                                             options: Self.withLayers())
            // The digest covers the JWS payload, so a faithful registry raises no problem.
            #expect(image.problems.isEmpty, "\(image.problems)")
            #expect(image.manifestDigest == Self.schema1Digest)
            #expect(image.source.contains("schema 1"))
            let config = try #require(JSONFile.object(image.configBytes))
            let history = try #require(config["history"] as? [[String: Any]])
            #expect(history.count == 28)
            #expect((history.first?["created_by"] as? String)?.hasPrefix("busybase: buildah from scratch") == true)
            #expect(history.filter { $0["empty_layer"] as? Bool != true }.count == 10)
            #expect((config["config"] as? [String: Any])?["User"] as? String == "app:app")
            #expect(image.layers.count == 10)
            #expect(image.layers.first?.digest == "sha256:9eb279749ad5d353cb5630d51429e1a6d32e909e36a8a0ab23d14c238bc020dd")
        }
        // Unsigned, with the layout's layer blobs (skopeo recompressed them): the same final view.
        var doc = try #require(JSONFile.object(Self.schema1))
        doc["signatures"] = nil
        let ociLayers = try #require(JSONFile.object(RegistryTests.blob(RegistryTests.manifestDigest))?["layers"] as? [[String: Any]])
        var next = ociLayers.compactMap { $0["digest"] as? String }.makeIterator()
        let fs = try #require(doc["fsLayers"] as? [[String: String]])
        doc["fsLayers"] = fs.reversed().map { $0["blobSum"] == Schema1.emptyLayer ? $0 : ["blobSum": next.next()!] }.reversed() as [[String: String]]
        let unsigned = [UInt8](try JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys]))
        let unsignedDigest = "sha256:" + SHA256.hex(unsigned)
        Self.serveWithLayers(r, override: { req in
            req.path == "/v2/dflint/kitchensink/manifests/old"
                ? .json(unsigned, type: "application/vnd.docker.distribution.manifest.v1+json", digest: unsignedDigest) : nil
        })
        let old = try Registry.resolve("//\(r.host)/dflint/kitchensink:old", options: Self.withLayers())
        #expect(old.problems.isEmpty && old.manifestDigest == unsignedDigest, "\(old.problems)")
        let view = LayerScanner.scan(old)
        let local = try Self.localView()
        #expect(Self.same(view, local), "\(view.problems)")
        // A tampered payload no longer matches the digest the registry claims.
        var tampered = Self.schema1
        let at = tampered.firstIndex(of: UInt8(ascii: "k"))!   // inside "name":"k/s"
        tampered[at] = UInt8(ascii: "q")
        let bad = tampered
        r.route { req in
            if req.path == "/v2/" { return .json(Array("{}".utf8)) }
            return .json(bad, type: "application/vnd.docker.distribution.manifest.v1+prettyjws", digest: Self.schema1Digest)
        }
        let image = try Registry.resolve("//\(r.host)/dflint/old:v1", options: SourceOptions(registry: RegistrySettings(timeout: 10)))
        #expect(image.problems.contains { $0.contains("Docker-Content-Digest says \(Self.schema1Digest)") }, "\(image.problems)")
    }

    @Test func layersAreNotReadWithoutRemoteLayers() throws {
        let r = try FakeRegistry()
        defer { r.stop() }
        Self.serveWithLayers(r)
        let image = try RegistryTests.resolve(r, "dflint/kitchensink:v1")
        #expect(image.layerLocations.allSatisfy { $0 == .unavailable(reason: "registry layers are not read with --no-layers") })
        #expect(!r.requests.contains { $0.path.contains("/blobs/sha256:9eb2") })
    }

    @Test func corruptBlobIsReportedNotUsed() throws {
        let r = try FakeRegistry()
        defer { r.stop() }
        let first = "sha256:9eb279749ad5d353cb5630d51429e1a6d32e909e36a8a0ab23d14c238bc020dd"
        var bytes = RegistryTests.blob(first)
        bytes[bytes.count - 3] ^= 0xff   // in the gzip trailer: the tar still reads, the digest does not match
        let corrupted = bytes
        Self.serveWithLayers(r, override: { req in
            req.path.hasSuffix(first) ? FakeResponse(status: 200, body: corrupted) : nil
        })
        let image = try Registry.resolve("//\(r.host)/dflint/kitchensink:v1", options: Self.withLayers())
        let view = LayerScanner.scan(image)
        #expect(view.problems.contains { $0.contains("layer 1") && ($0.contains("digest mismatch") || $0.contains("crc")) }, "\(view.problems)")
        // A short blob is named as such.
        let r2 = try FakeRegistry()
        defer { r2.stop() }
        let short = Array(RegistryTests.blob(first).prefix(1000))
        Self.serveWithLayers(r2, override: { req in req.path.hasSuffix(first) ? FakeResponse(status: 200, body: short) : nil })
        let v2 = LayerScanner.scan(try Registry.resolve("//\(r2.host)/dflint/kitchensink:v1", options: Self.withLayers()))
        #expect(v2.problems.contains { $0.contains("layer 1") }, "\(v2.problems)")
    }

    @Test func expiredTokenIsRenewedDuringLayerReads() throws {
        let r = try FakeRegistry()
        defer { r.stop() }
        final class Tokens: @unchecked Sendable {
            let lock = NSLock()
            var issued = 0
            var blobReads = 0
        }
        let t = Tokens()
        let challenge = #"Bearer realm="http://\#(r.host)/token",service="fake",scope="repository:dflint/kitchensink:pull""#
        // Token 1 is good for the manifest, config and three blobs; then only token 2 is.
        Self.serveWithLayers(r, challenge: challenge, auth: { req in
            let a = req.headers["authorization"] ?? ""
            t.lock.lock(); defer { t.lock.unlock() }
            if req.path.contains("/blobs/") && a == "Bearer one" { t.blobReads += 1; return t.blobReads <= 4 }
            return a == "Bearer one" || a == "Bearer two"
        }, token: { _ in
            t.lock.lock(); t.issued += 1; let n = t.issued; t.lock.unlock()
            return .json(Array(#"{"token":"\#(n == 1 ? "one" : "two")","expires_in":60}"#.utf8))
        })
        let image = try Registry.resolve("//\(r.host)/dflint/kitchensink:v1", options: Self.withLayers())
        let view = LayerScanner.scan(image)
        #expect(Self.same(view, try Self.localView()), "\(view.problems)")
        #expect(t.issued == 2)
    }

    @Test func rateLimitsAreRetriedWithinABudget() throws {
        let r = try FakeRegistry()
        defer { r.stop() }
        final class Count: @unchecked Sendable { let lock = NSLock(); var n = 0 }
        let c = Count()
        RegistryTests.serveKitchensink(r, extra: { req in
            guard req.path == "/v2/dflint/kitchensink/manifests/v1" else { return nil }
            c.lock.lock(); c.n += 1; let n = c.n; c.lock.unlock()
            return n <= 2 ? FakeResponse(status: n == 1 ? 429 : 503, headers: ["Retry-After": "0"]) : nil
        })
        let image = try RegistryTests.resolve(r, "dflint/kitchensink:v1")
        #expect(image.configDigest == RegistryTests.configDigest)
        #expect(c.n == 3)
        // A registry that keeps refusing: three retries, then a clear error.
        let busy = try FakeRegistry()
        defer { busy.stop() }
        busy.route { req in req.path == "/v2/" ? .json(Array("{}".utf8)) : FakeResponse(status: 429, headers: ["Retry-After": "0"]) }
        #expect {
            try RegistryTests.resolve(busy, "dflint/kitchensink:v1")
        } throws: { e in (e as? ImageSourceError)?.message.contains("rate limited") == true }
        #expect(busy.requests.filter { $0.path.contains("/manifests/") }.count == 1 + RegistryClient.maxRetries)
        // Retry-After beyond the budget: no sleeping, the error says when to come back.
        let later = try FakeRegistry()
        defer { later.stop() }
        later.route { req in req.path == "/v2/" ? .json(Array("{}".utf8)) : FakeResponse(status: 429, headers: ["Retry-After": "3600"]) }
        let started = Date()
        #expect {
            try RegistryTests.resolve(later, "dflint/kitchensink:v1")
        } throws: { e in (e as? ImageSourceError)?.message.contains("retry after 3600 s") == true }
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test func slowReaderHoldsTheTransferBack() throws {
        let r = try FakeRegistry()
        defer { r.stop() }
        var body = [UInt8](repeating: 0, count: 48 << 20)
        for i in stride(from: 0, to: body.count, by: 4093) { body[i] = UInt8(truncatingIfNeeded: i >> 12) }
        let payload = body
        r.route { _ in FakeResponse(status: 200, body: payload) }
        let stream = try HTTPBodyStream(trust: TLSTrust(), timeout: 10, url: "http://\(r.host)/big", headers: [:])
        #expect(stream.status == 200)
        Thread.sleep(forTimeInterval: 0.5)
        let t = stream.transfer
        t.condition.lock()
        let buffered = t.buffered, received = t.bodyBytes
        t.condition.unlock()
        // Nothing read yet: the transfer stops at the high-water mark, far below the 48 MiB body.
        #expect(buffered <= t.highWater + (1 << 20) && received < 16 << 20, "\(buffered) \(received)")
        var got: [UInt8] = []
        got.reserveCapacity(payload.count)
        var chunk = [UInt8](repeating: 0, count: 100_000)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try stream.read(into: $0) }
            if n == 0 { break }
            got += chunk[0..<n]
        }
        #expect(got.count == payload.count)
        #expect(got == payload)
    }

    @Test func droppingAStreamStopsItsTransfer() throws {
        let r = try FakeRegistry()
        defer { r.stop() }
        let payload = [UInt8](repeating: 7, count: 32 << 20)
        r.route { _ in FakeResponse(status: 200, body: payload) }
        var transfer: CurlTransfer?
        do {
            let stream = try HTTPBodyStream(trust: TLSTrust(), timeout: 10, url: "http://\(r.host)/big", headers: [:])
            transfer = stream.transfer
            var one = [UInt8](repeating: 0, count: 10)
            _ = try one.withUnsafeMutableBytes { try stream.read(into: $0) }
        }
        let deadline = Date().addingTimeInterval(5)
        var finished = false
        while Date() < deadline && !finished {
            transfer!.condition.lock(); finished = transfer!.finished; transfer!.condition.unlock()
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(finished)
        // The server is free again.
        r.route { _ in .json(Array("{}".utf8)) }
        let reply = try HTTPBodyStream(trust: TLSTrust(), timeout: 5, url: "http://\(r.host)/v2/", headers: [:], wholeReply: true)
        #expect(try reply.status == 200 && reply.readAll(limit: 100) == Array("{}".utf8))
    }

    @Test func extraCAsComeFromCertDirectories() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dflint-certs-\(getpid())").path
        let hostDir = dir + "/roots/reg.example:5000"
        try FileManager.default.createDirectory(atPath: hostDir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        try pem.write(toFile: hostDir + "/ca.crt", atomically: true, encoding: .utf8)
        try "client key".write(toFile: hostDir + "/client.key", atomically: true, encoding: .utf8)
        let env = ["DFLINT_CERTS_D": dir + "/roots"]
        let t = try RegistryTrust.trust(host: "reg.example:5000", settings: RegistrySettings(), environment: env)
        #expect(t.verify && t.caFiles == [hostDir + "/ca.crt"] && t.extraCAs == Array(pem.utf8))
        #expect(try RegistryTrust.trust(host: "other:5000", settings: RegistrySettings(), environment: env).extraCAs.isEmpty)
        // --tls-verify=false: nothing checked, nothing read.
        #expect(try RegistryTrust.trust(host: "reg.example:5000", settings: RegistrySettings(tlsVerify: false), environment: env) == TLSTrust(verify: false))
        // --cert-dir must exist, and its .crt files must be certificates.
        #expect(throws: ImageSourceError.self) {
            try RegistryTrust.trust(host: "x", settings: RegistrySettings(certDirectory: dir + "/missing"), environment: env)
        }
        try "not a cert".write(toFile: dir + "/bad.crt", atomically: true, encoding: .utf8)
        #expect {
            try RegistryTrust.trust(host: "x", settings: RegistrySettings(certDirectory: dir), environment: env)
        } throws: { e in (e as? ImageSourceError)?.message.contains("bad.crt: not a PEM certificate") == true }
    }
}
