// Every image in the real fixtures (docker-archive, oci-layout, oci-archive,
// containers-storage) resolves by name and by id prefix, and the same image read
// from different sources has the same config digest and bytes.

import Foundation
import Testing
@testable import ImageSources

@Suite struct ArchiveFixtureTests {
    static let dockerArchives = Fixtures.files(in: "docker-archive", suffix: ".tar") + Fixtures.files(in: "docker-archive", suffix: ".tar.gz")

    @Test(arguments: dockerArchives)
    func dockerArchiveEveryImage(_ path: String) throws {
        let images = try DockerArchive.list(path: path)
        #expect(!images.isEmpty)
        for (id, names) in images {
            #expect(id.hasPrefix("sha256:") && id.count == 71)
            let byID = try DockerArchive.resolve(path: path, name: String(id.dropFirst(7).prefix(12)))
            #expect(byID.configDigest == id)
            #expect(byID.problems.isEmpty, "\(byID.problems)")
            #expect(Digest.of(byID.configBytes) == id)
            #expect(!byID.layers.isEmpty)
            #expect(byID.layers.allSatisfy { $0.digest.hasPrefix("sha256:") && ($0.size ?? 0) > 0 }, "\(byID.layers)")
            #expect(byID.source.hasPrefix("docker-archive:\(path)"))
            for n in names {
                let byName = try DockerArchive.resolve(path: path, name: n)
                #expect(byName.configDigest == id)
                #expect(byName.configBytes == byID.configBytes)
                #expect(byName.names.contains(ImageName.normalize(n)!))
            }
        }
        if images.count == 1 {
            #expect(try DockerArchive.resolve(path: path, name: nil).configDigest == images[0].id)
        } else {
            #expect(throws: ImageSourceError.self) { try DockerArchive.resolve(path: path, name: nil) }
            #expect(try DockerArchive.resolve(path: path, name: images[1].id).source.contains("(image 2 of \(images.count)"))
        }
    }

    @Test func dockerArchiveUnknownNameListsCandidates() throws {
        let path = Fixtures.path("docker-archive/podman-save-multi-all.tar")
        do {
            _ = try DockerArchive.resolve(path: path, name: "localhost/dflint/nope:1")
            Issue.record("expected an error")
        } catch {
            #expect(error.candidates.count == 18)
            #expect(error.candidates.contains { $0.contains("localhost/dflint/kitchensink:docker") })
        }
        // Short names work through normalisation; ambiguous prefixes do not resolve silently.
        #expect(try DockerArchive.resolve(path: path, name: "localhost/busybase:1").configDigest?.hasPrefix("sha256:c58813e1d1ac") == true)
    }

    @Test func legacyDockerSaveLayersUseDiffIDs() throws {
        let image = try DockerArchive.resolve(path: Fixtures.path("docker-archive/docker-save_docker-legacy_kitchensink.tar"), name: nil)
        let config = try JSONSerialization.jsonObject(with: Data(image.configBytes)) as! [String: Any]
        let diffIDs = (config["rootfs"] as! [String: Any])["diff_ids"] as! [String]
        #expect(image.layers.map(\.digest) == diffIDs)
        #expect(image.layers[0].size == 2_129_920)
        #expect(image.names == ["localhost/dflint/docker-legacy:kitchensink"])
    }

    @Test func gzipDockerSaveMatchesPlain() throws {
        let gz = try DockerArchive.resolve(path: Fixtures.path("docker-archive/docker-save_docker-buildkit_kitchensink.tar.gz"), name: nil)
        let plain = try DockerArchive.resolve(path: Fixtures.path("docker-archive/docker-save_multi.tar"), name: "localhost/dflint/docker-buildkit:kitchensink")
        #expect(gz.configDigest == "sha256:a35eea41b6cba4e3e8b4326889b924771d7404b3316566d830f1cef0f8d1180a")
        #expect(gz.configBytes == plain.configBytes)
        #expect(gz.layers == plain.layers)
    }

    @Test func ctrExportCarriesOCIManifest() throws {
        let path = Fixtures.path("oci-archive/ctr-export_kitchensink_oci.tar")
        let d = try DockerArchive.resolve(path: path, name: nil)
        #expect(d.manifestDigest == "sha256:1c9fe9c7ef2a1c9f52b3d1671ec60d6861964285a8caea4ba6313353bc1724b5")
        #expect(d.layers.first?.mediaType == "application/vnd.oci.image.layer.v1.tar+gzip")
        #expect(d.names == ["localhost/dflint/kitchensink:oci"])
        let o = try OCILayout.resolveArchive(path: path, ref: "oci", platform: nil)
        #expect(o.configBytes == d.configBytes)
        #expect(o.names == ["localhost/dflint/kitchensink:oci"])
    }

    // MARK: OCI layouts

    static func refNames(_ dir: String) throws -> [(ref: String, manifest: String)] {
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/index.json"))) as! [String: Any]
        return (index["manifests"] as! [[String: Any]]).map {
            (($0["annotations"] as! [String: String])["org.opencontainers.image.ref.name"]!, $0["digest"] as! String)
        }
    }

    @Test(arguments: ["oci-layout/all", "oci-layout/kitchensink_oci"])
    func ociLayoutEveryImage(_ relative: String) throws {
        let dir = Fixtures.path(relative)
        let refs = try Self.refNames(dir)
        #expect(!refs.isEmpty)
        for (ref, manifestDigest) in refs {
            let image = try OCILayout.resolve(directory: dir, ref: ref, platform: nil)
            #expect(image.manifestDigest == manifestDigest)
            #expect(image.problems.isEmpty, "\(image.problems)")
            #expect(image.names.isEmpty)   // skopeo wrote bare tags, which are no image names
            #expect(image.source == "oci:\(dir):\(ref)" + (refs.count > 1 ? " (image \(refs.firstIndex { $0.ref == ref }! + 1) of \(refs.count))" : ""))
            let manifest = try JSONSerialization.jsonObject(with: Data(image.manifestBytes!)) as! [String: Any]
            let configDigest = (manifest["config"] as! [String: Any])["digest"] as! String
            #expect(image.configDigest == configDigest)
            #expect(image.layers.count == (manifest["layers"] as! [Any]).count)
            // By config id prefix and by manifest digest.
            let byID = try OCILayout.resolve(directory: dir, ref: String(configDigest.dropFirst(7).prefix(16)), platform: nil)
            #expect(byID.manifestDigest == manifestDigest)
            #expect(try OCILayout.resolve(directory: dir, ref: manifestDigest, platform: "linux/amd64").configDigest == configDigest)
        }
        if refs.count > 1 {
            #expect(throws: ImageSourceError.self) { try OCILayout.resolve(directory: dir, ref: nil, platform: nil) }
        }
    }

    @Test(arguments: Fixtures.files(in: "oci-archive", suffix: ".tar"))
    func ociArchiveEveryImage(_ path: String) throws {
        let image = try OCILayout.resolveArchive(path: path, ref: nil, platform: nil)
        #expect(image.problems.isEmpty, "\(image.problems)")
        #expect(image.names.count == 1)
        let byName = try OCILayout.resolveArchive(path: path, ref: image.names[0], platform: nil)
        #expect(byName.configBytes == image.configBytes)
        let byID = try OCILayout.resolveArchive(path: path, ref: String(image.configDigest!.dropFirst(7).prefix(8)), platform: nil)
        #expect(byID.manifestDigest == image.manifestDigest)
        #expect(throws: ImageSourceError.self) { try OCILayout.resolveArchive(path: path, ref: "no-such-tag", platform: nil) }
    }

    // MARK: containers-storage

    @Test(arguments: ["containers-storage/overlay-graphroot", "containers-storage/vfs-graphroot"])
    func containersStorageEveryImage(_ relative: String) throws {
        let root = Fixtures.path(relative)
        let images = try ContainersStorage.list(root: root)
        #expect(images.count == (relative.contains("overlay") ? 130 : 3))
        for (id, names) in images {
            let byID = try ContainersStorage.resolve(name: String(id.dropFirst(7).prefix(12)), root: root, environment: [:])
            #expect(byID.configDigest == id)
            #expect(byID.problems.isEmpty, "\(byID.problems)")
            #expect(byID.manifestBytes != nil)
            #expect(!byID.layers.isEmpty || id.hasPrefix("sha256:"))
            for n in names {
                let byName = try ContainersStorage.resolve(name: n, root: root, environment: [:])
                #expect(byName.configDigest == id)
                #expect(byName.names.contains(n))
            }
        }
    }

    @Test func bigDataFileNamesFollowTheTSV() throws {
        let tsv = try String(contentsOfFile: Fixtures.path("containers-storage/BIGDATA-FILENAMES.tsv"), encoding: .utf8)
        var checked = 0
        for line in tsv.split(separator: "\n").dropFirst() {
            let f = line.split(separator: "\t").map(String.init)
            guard f.count == 5 else { continue }
            let key = f[2].hasSuffix(" (literal)") ? String(f[2].dropLast(10)) : f[2]
            #expect(ContainersStorage.bigDataFileName(key) == f[1], "\(key)")
            checked += 1
        }
        #expect(checked > 100)
    }

    @Test func containersStorageDefaultRootAndErrors() throws {
        if geteuid() == 0 {
            #expect(ContainersStorage.defaultRoot(environment: [:]) == "/var/lib/containers/storage")
        } else {
            #expect(ContainersStorage.defaultRoot(environment: ["HOME": "/home/u"]) == "/home/u/.local/share/containers/storage")
        }
        #expect(throws: ImageSourceError.self) {
            try ContainersStorage.resolve(name: "x", root: Fixtures.path("oci-layout/all"), environment: [:])
        }
        do {
            _ = try ContainersStorage.resolve(name: "localhost/dflint/none:1", root: Fixtures.path("containers-storage/vfs-graphroot"), environment: [:])
            Issue.record("expected an error")
        } catch {
            #expect(error.candidates.count == 3)
        }
    }

    // MARK: the same image everywhere

    @Test func sameImageFromEverySource() throws {
        let f = Fixtures.path
        // kitchensink:oci keeps its config bytes through every export.
        let sources: [ResolvedImage] = [
            try DockerArchive.resolve(path: f("docker-archive/kitchensink_oci.tar"), name: nil),
            try DockerArchive.resolve(path: f("docker-archive/podman-save-multi-all.tar"), name: "localhost/dflint/kitchensink:oci"),
            try DockerArchive.resolve(path: f("docker-archive/docker-save_multi.tar"), name: "localhost/dflint/kitchensink:oci"),
            try OCILayout.resolveArchive(path: f("oci-archive/kitchensink_oci.tar"), ref: nil, platform: nil),
            try OCILayout.resolveArchive(path: f("oci-archive/ctr-export_kitchensink_oci.tar"), ref: nil, platform: nil),
            try OCILayout.resolve(directory: f("oci-layout/kitchensink_oci"), ref: "kitchensink-oci", platform: nil),
            try OCILayout.resolve(directory: f("oci-layout/all"), ref: "kitchensink_oci", platform: nil),
            try ContainersStorage.resolve(name: "localhost/dflint/kitchensink:oci", root: f("containers-storage/overlay-graphroot"), environment: [:]),
        ]
        for s in sources {
            #expect(s.configDigest == "sha256:399fe1f27797d310999d2ca01087b9edf3afd4eb7651717939430bc3ae2dd5cc", "\(s.source)")
            #expect(s.configBytes == sources[0].configBytes, "\(s.source)")
        }
        // kitchensink:docker: docker archives and the store agree (the OCI layout rewrote it, by design).
        let docker: [ResolvedImage] = [
            try DockerArchive.resolve(path: f("docker-archive/kitchensink_docker.tar"), name: nil),
            try DockerArchive.resolve(path: f("docker-archive/docker-save_multi.tar"), name: "ecc05d77"),
            try ContainersStorage.resolve(name: "localhost/dflint/kitchensink:docker", root: f("containers-storage/overlay-graphroot"), environment: [:]),
        ]
        for s in docker {
            #expect(s.configBytes == docker[0].configBytes, "\(s.source)")
            #expect(s.configDigest == "sha256:ecc05d776ec87b4a6f1f471d2144208897af492d03bdc1b59aec910079313795")
        }
        // The vfs store's busybase:1 is the overlay store's.
        let a = try ContainersStorage.resolve(name: "localhost/busybase:1", root: f("containers-storage/vfs-graphroot"), environment: [:])
        let b = try ContainersStorage.resolve(name: "localhost/busybase:1", root: f("containers-storage/overlay-graphroot"), environment: [:])
        #expect(a.configBytes == b.configBytes && a.manifestBytes == b.manifestBytes)
        #expect(a.source.contains("vfs store"))
    }
}
