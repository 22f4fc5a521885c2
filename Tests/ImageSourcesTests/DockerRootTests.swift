import Foundation
import Testing
import Checksums
@testable import ImageSources

@Suite struct DockerRootTests {
    static let root = ImgStoreFixtures.dockerRoot

    @Test func everyTaggedImageResolvesByNameAndID() throws {
        let ids = ContainerdTests.dockerIDs
        #expect(ids.count == 28)
        for (ref, id) in ids.sorted(by: { $0.key < $1.key }) {
            let r = try DockerRoot.resolve(name: ref, root: Self.root, platform: nil)
            #expect(r.configDigest == id)
            #expect("sha256:" + SHA256.hex(r.configBytes) == id)
            #expect(r.problems.isEmpty, "\(r.problems)")
            #expect(r.names.contains(ref))
            #expect(r.source.contains("vfs image store"))
            let cfg = try #require(try JSONSerialization.jsonObject(with: Data(r.configBytes)) as? [String: Any])
            let diffs = ((cfg["rootfs"] as? [String: Any])?["diff_ids"] as? [String]) ?? []
            #expect(r.layers.map(\.digest) == diffs)
            #expect(r.layers.allSatisfy { $0.size != nil }, "layer sizes from layerdb for \(ref)")
            let byID = try DockerRoot.resolve(name: String(id.dropFirst(7).prefix(12)), root: Self.root, platform: nil)
            #expect(byID.configDigest == id)
            let full = try DockerRoot.resolve(name: id, root: Self.root, platform: nil)
            #expect(full.configBytes == r.configBytes)
        }
        // `docker images`-style short names need the full reference here (localhost/...), and a trailing slash on --root is fine.
        let r = try DockerRoot.resolve(name: "localhost/busybase:1", root: Self.root + "/", platform: nil)
        #expect(r.layers.first?.digest == "sha256:ef018c236fb2b46033a4c7ba8a122e26b96ecdfe46d75612f975a5c4720c5c60")
        #expect(r.layers.first?.size == 1_982_415)   // layerdb `size`: bytes of the unpacked files
    }

    @Test func danglingImagesAndListing() throws {
        let all = try DockerRoot.list(root: Self.root)
        #expect(all.count == 57)
        #expect(all.filter { !$0.names.isEmpty }.count == 28)
        let dangling = try #require(all.first { $0.names.isEmpty && $0.id.contains("4fe3bc9467cd") })
        let r = try DockerRoot.resolve(name: "4fe3bc9467cd", root: Self.root, platform: nil)
        #expect(r.configDigest == dangling.id)
        #expect(r.names.isEmpty)
    }

    @Test func errors() throws {
        do {
            _ = try DockerRoot.resolve(name: "localhost/dflint/nope:1", root: Self.root, platform: nil)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("no image matches"))
            #expect(error.candidates.count == 57)
        }
        #expect(throws: ImageSourceError.self) { try DockerRoot.resolve(name: "x", root: "/nonexistent/docker", platform: nil) }
        let empty = ImgStoreFixtures.tempDir("docker-empty")
        defer { try? FileManager.default.removeItem(atPath: empty) }
        do {
            _ = try DockerRoot.resolve(name: "x", root: empty, platform: nil)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("no Docker image store under"))
        }
    }

    @Test func alteredConfigIsReportedAsAProblem() throws {
        let tmp = ImgStoreFixtures.tempDir("docker-bad")
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let id = "c58813e1d1ac9fc46a1144259b35f6975bf736b95a5dd2e0f02d795ac2a9bef6"
        let dir = tmp + "/image/overlay2/imagedb/content/sha256"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var bytes = ImgStoreFixtures.bytes(Self.root + "/image/vfs/imagedb/content/sha256/" + id)
        bytes.append(UInt8(ascii: "\n"))
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/" + id))
        try Data(#"{"Repositories":{"busybox":{"busybox:latest":"sha256:\#(id)"}}}"#.utf8)
            .write(to: URL(fileURLWithPath: tmp + "/image/overlay2/repositories.json"))
        let r = try DockerRoot.resolve(name: "busybox", root: tmp, platform: nil)
        #expect(r.configDigest == "sha256:" + id)
        #expect(r.names == ["docker.io/library/busybox:latest"])
        #expect(r.problems.count == 1)
        #expect(r.source.contains("overlay2"))
        #expect(r.layers.allSatisfy { $0.size == nil })   // no layerdb in this copy
    }
}
