import Foundation
import Testing
import History
import ImageModel
import ImageSources

/// Every image of every store and archive in the fixtures, grouped by config
/// digest: each must reconstruct, and all forms of one image must agree.
@Suite struct AllSourcesTests {
    static let f = ImageModeTests.fixtures

    struct Read {
        var label: String
        var digest: String?
        var body: String
    }

    static func body(_ image: ResolvedImage) throws -> String {
        let meta = try #require(try ImageMetadataDecoder.decode(image.configBytes, history: image.historyBytes).first)
        let rec = Reconstructor.reconstruct(meta, name: "x")
        #expect(rec.dockerfile.raw.buildKitError == nil, "\(image.source)")
        return rec.text.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: "\n")
    }

    static func digest(_ image: ResolvedImage) -> String? {
        image.configDigest ?? image.manifestDigest
    }

    @Test func everyFixtureImageFromEveryForm() throws {
        var reads: [Read] = []
        // docker-archive and oci-archive tarballs: every image inside each.
        let fm = FileManager.default
        for name in try fm.contentsOfDirectory(atPath: "\(Self.f)/docker-archive").sorted() {
            let path = "\(Self.f)/docker-archive/\(name)"
            let list = try DockerArchive.list(path: path)
            for (id, names) in list {
                let img = try DockerArchive.resolve(path: path, name: list.count == 1 ? nil : (names.first ?? id))
                reads.append(Read(label: "docker-archive:\(name):\(names.first ?? id)", digest: Self.digest(img), body: try Self.body(img)))
            }
        }
        for name in try fm.contentsOfDirectory(atPath: "\(Self.f)/oci-archive").sorted() {
            let img = try OCILayout.resolveArchive(path: "\(Self.f)/oci-archive/\(name)", ref: nil, platform: nil)
            reads.append(Read(label: "oci-archive:\(name)", digest: Self.digest(img), body: try Self.body(img)))
        }
        for dir in ["all", "kitchensink_oci"] {
            let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(Self.f)/oci-layout/\(dir)/index.json"))) as? [String: Any]
            let refs = ((index?["manifests"] as? [[String: Any]]) ?? []).compactMap { ($0["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"] }
            for r in refs.isEmpty ? [""] : refs {
                let img = try OCILayout.resolve(directory: "\(Self.f)/oci-layout/\(dir)", ref: r.isEmpty ? nil : r, platform: nil)
                reads.append(Read(label: "oci:\(dir):\(r)", digest: Self.digest(img), body: try Self.body(img)))
            }
        }
        for root in ["overlay-graphroot", "vfs-graphroot"] {
            let r = "\(Self.f)/containers-storage/\(root)"
            for (id, names) in try ContainersStorage.list(root: r) {
                let img = try ContainersStorage.resolve(name: id, root: r, environment: [:])
                reads.append(Read(label: "containers-storage[\(root)]:\(names.first ?? id)", digest: Self.digest(img), body: try Self.body(img)))
            }
        }
        for ns in ["default", "k8s.io"] {
            for (id, names) in try Containerd.list(root: "\(Self.f)/containerd-root", namespace: ns) {
                let img = try Containerd.resolve(name: names.first ?? id, root: "\(Self.f)/containerd-root", namespace: ns, platform: nil)
                reads.append(Read(label: "containerd[\(ns)]:\(names.first ?? id)", digest: Self.digest(img), body: try Self.body(img)))
            }
        }
        for (id, names) in try DockerRoot.list(root: "\(Self.f)/docker-root") {
            let img = try DockerRoot.resolve(name: id, root: "\(Self.f)/docker-root", platform: nil)
            reads.append(Read(label: "docker-root:\(names.first ?? id)", digest: Self.digest(img), body: try Self.body(img)))
        }
        #expect(reads.count > 80)
        // Same config digest -> same reconstruction.
        var groups: [String: [Read]] = [:]
        for r in reads { if let d = r.digest { groups[d, default: []].append(r) } }
        let shared = groups.values.filter { $0.count > 1 }
        #expect(shared.count >= 5)
        for g in shared {
            for r in g.dropFirst() {
                #expect(r.body == g[0].body, "\(r.label) differs from \(g[0].label)")
            }
        }
    }
}

import LayerModel

/// The fixture build cases the layer scan must get right.
@Suite struct FixtureLayerTests {
    @Test func secretMountLeavesNothingInTheLayers() throws {
        let img = try DockerArchive.resolve(path: "\(AllSourcesTests.f)/docker-archive/runmounts_oci.tar", name: nil)
        let view = LayerScanner.scan(img)
        #expect(view.problems.isEmpty, "\(view.problems)")
        #expect(view.files["/secret-len"] != nil)                // the RUN wrote its output...
        #expect(view.files["/run/secrets/mysecret"] == nil)      // ...but the mounted secret is not in any layer
        #expect(!view.removed.contains { $0.record.path.hasPrefix("/run/secrets") })
        for c in view.captured.values { #expect(!String(decoding: c.bytes, as: UTF8.self).contains("s3cr3t-from-secret-mount")) }
        let (_, out, _) = CLITests.run(["--from-image", "docker-archive:\(AllSourcesTests.f)/docker-archive/runmounts_oci.tar", "-f", "gnu"])
        #expect(!out.contains("[DF503]") && !out.contains("[DF504]"))
    }

    @Test func buildArgTokenIsReportedFromHistoryNotFromFiles() throws {
        // The kitchensink's GITHUB_TOKEN build arg leaks through the history (`|1 GITHUB_TOKEN=...`), not into a file.
        let ref = "docker-archive:\(AllSourcesTests.f)/docker-archive/kitchensink_docker.tar"
        let (_, out, _) = CLITests.run(["--from-image", ref, "-f", "gnu"])
        #expect(out.contains("ARG GITHUB_TOKEN stores a secret in the image (value ghp_********)"))
        #expect(!out.contains("[DF503]"))
    }
}
