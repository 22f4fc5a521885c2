import Foundation
import Testing
import Checksums
@testable import ImageSources

@Suite struct ContainerdTests {
    static let root = ImgStoreFixtures.containerdRoot

    /// Config digests of the same images in the Docker fixture (repositories.json).
    static let dockerIDs: [String: String] = {
        let obj = ImgStoreFixtures.json(ImgStoreFixtures.dockerRoot + "/image/vfs/repositories.json") as? [String: Any]
        var out: [String: String] = [:]
        for (_, refs) in (obj?["Repositories"] as? [String: Any]) ?? [:] {
            for (ref, id) in (refs as? [String: String]) ?? [:] { out[ref] = id }
        }
        return out
    }()

    @Test(arguments: ["default", "k8s.io"])
    func everyImageResolves(namespace: String) throws {
        let rows = ImgStoreFixtures.ctrListing(namespace)
        #expect(!rows.isEmpty)
        let listed = try Containerd.list(root: Self.root, namespace: namespace)
        #expect(Set(listed.map(\.id)) == Set(rows.map(\.digest)))
        for row in rows {
            let byName = try Containerd.resolve(name: row.ref, root: Self.root, namespace: namespace, platform: nil)
            #expect(byName.manifestDigest == row.digest)
            #expect(byName.problems.isEmpty, "\(byName.problems)")
            let config = try #require(byName.configDigest)
            #expect(config == "sha256:" + SHA256.hex(byName.configBytes))
            #expect(byName.manifestBytes.map { "sha256:" + SHA256.hex($0) } == row.digest)
            #expect(!byName.layers.isEmpty)
            #expect(byName.source.contains("namespace \(namespace)"))
            if !row.ref.hasPrefix("import-") {
                #expect(byName.names.contains(row.ref))
                #expect(Self.dockerIDs[row.ref] == config, "\(row.ref)")
            }
            // By id (target digest) prefix, with and without sha256:, and by config digest prefix.
            let hex = row.digest.dropFirst(7)
            for q in [String(hex.prefix(12)), "sha256:" + hex.prefix(8), String(hex)] {
                let r = try Containerd.resolve(name: q, root: Self.root, namespace: namespace, platform: nil)
                #expect(r.manifestDigest == row.digest)
                #expect(r.configDigest == config)
            }
            let byConfig = try Containerd.resolve(name: String(config.dropFirst(7).prefix(12)), root: Self.root, namespace: namespace, platform: nil)
            #expect(byConfig.configDigest == config)
        }
    }

    @Test func namespaceSearchAndErrors() throws {
        // Without a namespace, `default` is searched first, then the others.
        let r = try Containerd.resolve(name: "localhost/dflint/shellform:docker", root: Self.root, namespace: nil, platform: nil)
        #expect(r.configDigest == "sha256:74a70370394fce403b18240cdbe2d6e4374d92bb7a388916e3bc2b510ff6d3a5")
        #expect(r.source.contains("k8s.io"))
        #expect(throws: ImageSourceError.self) {
            try Containerd.resolve(name: "localhost/dflint/shellform:docker", root: Self.root, namespace: "default", platform: nil)
        }
        do {
            _ = try Containerd.resolve(name: "nope", root: Self.root, namespace: nil, platform: nil)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("no image matches nope"))
            #expect(error.candidates.contains { $0.contains("localhost/dflint/kitchensink:oci") })
        }
        do {
            _ = try Containerd.resolve(name: "x", root: Self.root, namespace: "moby", platform: nil)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("namespace moby does not exist"))
        }
        #expect(throws: ImageSourceError.self) {
            try Containerd.resolve(name: "x", root: "/nonexistent/containerd", namespace: nil, platform: nil)
        }
        // Two names share one target: the id is still unambiguous.
        let two = try Containerd.list(root: Self.root, namespace: "default")
        #expect(two.contains { $0.names.count == 2 })
    }

    @Test func digestMismatchIsAProblemNotAFailure() throws {
        // A copy of the root whose config blob was altered.
        let tmp = ImgStoreFixtures.tempDir("ctrd")
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let fm = FileManager.default
        try fm.createDirectory(atPath: tmp + "/io.containerd.metadata.v1.bolt", withIntermediateDirectories: true)
        try fm.copyItem(atPath: ImgStoreFixtures.metaDB, toPath: tmp + "/io.containerd.metadata.v1.bolt/meta.db")
        let blobs = tmp + "/io.containerd.content.v1.content/blobs/sha256"
        try fm.createDirectory(atPath: blobs, withIntermediateDirectories: true)
        let src = Self.root + "/io.containerd.content.v1.content/blobs/sha256/"
        for name in ["f08a007e086c7f59692d4197e3ab73db15d6748474de94e279e0f012b3ec5db9"] {
            try fm.copyItem(atPath: src + name, toPath: blobs + "/" + name)
        }
        var config = ImgStoreFixtures.bytes(src + "74a70370394fce403b18240cdbe2d6e4374d92bb7a388916e3bc2b510ff6d3a5")
        config[config.count - 2] = UInt8(ascii: " ")
        try Data(config).write(to: URL(fileURLWithPath: blobs + "/74a70370394fce403b18240cdbe2d6e4374d92bb7a388916e3bc2b510ff6d3a5"))
        let r = try Containerd.resolve(name: "localhost/dflint/shellform:docker", root: tmp, namespace: "k8s.io", platform: nil)
        #expect(r.problems.count == 1)
        #expect(r.problems.first?.contains("config blob sha256:74a70370") == true)
        // A missing blob is an error naming the digest.
        do {
            _ = try Containerd.resolve(name: "localhost/dflint/kitchensink:oci", root: tmp, namespace: "default", platform: nil)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("sha256:1c9fe9c7") && error.message.contains("not in the content store"))
        }
    }

    @Test func platformSelectionFromAnIndex() throws {
        func m(_ os: String, _ arch: String, _ variant: String? = nil, digest: String, attestation: Bool = false) -> [String: Any] {
            var p: [String: Any] = ["os": os, "architecture": arch]
            if let variant { p["variant"] = variant }
            var d: [String: Any] = ["digest": digest, "platform": p]
            if attestation { d["annotations"] = ["vnd.docker.reference.type": "attestation-manifest"] }
            return d
        }
        let list = [m("unknown", "unknown", digest: "att", attestation: true), m("linux", "amd64", digest: "amd"),
                    m("linux", "arm", "v6", digest: "armv6"), m("linux", "arm", "v7", digest: "armv7"),
                    m("linux", "arm64", "v8", digest: "arm64")]
        func pick(_ p: String?) throws -> String? {
            try ContainerdContent.pick(list, want: ContainerdContent.parsePlatform(p), what: "index")["digest"] as? String
        }
        #expect(try pick("linux/amd64") == "amd")
        #expect(try pick("linux/x86_64") == "amd")
        #expect(try pick("linux/arm") == "armv7")
        #expect(try pick("linux/arm/v6") == "armv6")
        #expect(try pick("linux/arm64") == "arm64")
        #expect(try pick("linux/aarch64/v8") == "arm64")
        #expect(throws: ImageSourceError.self) { try pick("windows/amd64") }
        #expect(throws: ImageSourceError.self) { try pick("linux") }
    }

    /// Go binary.PutVarint.
    static func varint(_ v: Int64) -> [UInt8] {
        var u = UInt64(bitPattern: (v << 1) ^ (v >> 63))
        var out: [UInt8] = []
        while u >= 0x80 { out.append(UInt8(u & 0x7f) | 0x80); u >>= 7 }
        return out + [UInt8(u)]
    }

    @Test func varintRoundTrip() {
        for v: Int64 in [0, 1, -1, 63, 64, 504, 1981, 1 << 40, -(1 << 40), .max, .min] {
            #expect(BoltDB.varint(Self.varint(v)) == v)
        }
    }

    @Test func indexIsFollowedToThePlatformManifest() throws {
        // Build a root whose image targets an OCI index over the fixture's manifest.
        let tmp = ImgStoreFixtures.tempDir("ctrd-index")
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let fm = FileManager.default
        let blobs = tmp + "/io.containerd.content.v1.content/blobs/sha256"
        try fm.createDirectory(atPath: blobs, withIntermediateDirectories: true)
        let src = Self.root + "/io.containerd.content.v1.content/blobs/sha256/"
        let manifest = "c90c796bc4edb0e1f209d9867c44b1fff4bbbbc9f9d5049edef6ec1f59f4ff0a"
        let config = "ecc05d776ec87b4a6f1f471d2144208897af492d03bdc1b59aec910079313795"
        for name in [manifest, config] { try fm.copyItem(atPath: src + name, toPath: blobs + "/" + name) }
        let index = Array("""
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
         {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:\(String(repeating: "0", count: 64))","size":1,"platform":{"os":"linux","architecture":"arm64"}},
         {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"sha256:\(manifest)","size":1827,"platform":{"os":"linux","architecture":"amd64"}}]}
        """.utf8)
        let indexHex = SHA256.hex(index)
        try Data(index).write(to: URL(fileURLWithPath: blobs + "/" + indexHex))
        try fm.createDirectory(atPath: tmp + "/io.containerd.metadata.v1.bolt", withIntermediateDirectories: true)
        var b = BoltBuilder()
        let db = b.build([("v1", .bucket([("moby", .bucket([("images", .bucket([
            ("docker.io/library/app:1", .bucket([("target", .bucket([
                ("digest", .value(Array("sha256:\(indexHex)".utf8))),
                ("mediatype", .value(Array("application/vnd.oci.image.index.v1+json".utf8))),
                ("size", .value(Self.varint(Int64(index.count)))),
            ]))])),
        ]))]))]))])
        try Data(db).write(to: URL(fileURLWithPath: tmp + "/io.containerd.metadata.v1.bolt/meta.db"))
        let r = try Containerd.resolve(name: "app:1", root: tmp, namespace: "moby", platform: "linux/amd64")
        #expect(r.manifestDigest == "sha256:" + manifest)
        #expect(r.configDigest == "sha256:" + config)
        #expect(r.problems.isEmpty, "\(r.problems)")
        #expect(r.names == ["docker.io/library/app:1"])
        // arm64 is listed but its manifest was never pulled.
        do {
            _ = try Containerd.resolve(name: "app:1", root: tmp, namespace: "moby", platform: "linux/arm64")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("not in the content store"))
        }
        // The same store seen as Docker 29's containerd image store: <docker root>/containerd/daemon.
        let docker = ImgStoreFixtures.tempDir("docker-c8d")
        defer { try? FileManager.default.removeItem(atPath: docker) }
        try fm.createDirectory(atPath: docker + "/containerd", withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: docker + "/containerd/daemon", withDestinationPath: tmp)
        let d = try DockerRoot.resolve(name: "app:1", root: docker, platform: nil)
        #expect(d.configDigest == "sha256:" + config)
        #expect(d.source.contains("containerd image store"))
        #expect(try DockerRoot.list(root: docker).map(\.id) == ["sha256:" + indexHex])
        let byID = try DockerRoot.resolve(name: String(indexHex.prefix(10)), root: docker, platform: nil)
        #expect(byID.manifestDigest == "sha256:" + manifest)
    }
}
