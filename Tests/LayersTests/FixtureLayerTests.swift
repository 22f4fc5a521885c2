import Foundation
import Testing
@testable import ImageSources
import LayerModel

enum LayerFixtures {
    /// `<repo>/../shared/fixtures`, found from this file (repo root = folder with Package.swift).
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url.deletingLastPathComponent().appendingPathComponent("shared/fixtures").path
            }
            url = url.deletingLastPathComponent()
        }
        return "/work/shared/fixtures"
    }()
    static func path(_ r: String) -> String { root + "/" + r }
}

/// What must agree between sources: everything but which source it came from.
struct Entry: Hashable, CustomStringConvertible {
    var path: String, kind: FileRecord.Kind, mode: UInt32, uid: Int, gid: Int, size: Int64, link: String?
    init(_ r: FileRecord) { path = r.path; kind = r.kind; mode = r.mode; uid = r.uid; gid = r.gid; size = r.size; link = r.linkTarget }
    var description: String { "\(path) \(kind) \(String(mode, radix: 8)) \(uid):\(gid) \(size) \(link ?? "")" }
}

func finalView(_ v: FileSystemView) -> Set<Entry> { Set(v.files.values.map(Entry.init)) }

@Suite struct FixtureLayerTests {
    static let kitchensinkOCI: [(String, @Sendable () throws -> ResolvedImage)] = [
        ("docker-archive", { try DockerArchive.resolve(path: LayerFixtures.path("docker-archive/kitchensink_oci.tar"), name: nil) }),
        ("docker-archive multi", { try DockerArchive.resolve(path: LayerFixtures.path("docker-archive/podman-save-multi-all.tar"),
                                                            name: "localhost/dflint/kitchensink:oci") }),
        ("oci layout", { try OCILayout.resolve(directory: LayerFixtures.path("oci-layout/kitchensink_oci"), ref: nil, platform: nil) }),
        ("oci layout all", { try OCILayout.resolve(directory: LayerFixtures.path("oci-layout/all"), ref: "kitchensink_oci", platform: nil) }),
        ("oci-archive", { try OCILayout.resolveArchive(path: LayerFixtures.path("oci-archive/kitchensink_oci.tar"), ref: nil, platform: nil) }),
        ("ctr export", { try OCILayout.resolveArchive(path: LayerFixtures.path("oci-archive/ctr-export_kitchensink_oci.tar"), ref: nil, platform: nil) }),
        ("ctr export as docker-archive", { try DockerArchive.resolve(path: LayerFixtures.path("oci-archive/ctr-export_kitchensink_oci.tar"), name: nil) }),
        ("containerd", { try Containerd.resolve(name: "localhost/dflint/kitchensink:oci", root: LayerFixtures.path("containerd-root"),
                                                namespace: "default", platform: nil) }),
    ]

    static let kitchensinkDocker: [(String, @Sendable () throws -> ResolvedImage)] = [
        ("docker-archive", { try DockerArchive.resolve(path: LayerFixtures.path("docker-archive/kitchensink_docker.tar"), name: nil) }),
        ("docker-archive multi", { try DockerArchive.resolve(path: LayerFixtures.path("docker-archive/podman-save-multi-all.tar"),
                                                            name: "localhost/dflint/kitchensink:docker") }),
        ("oci layout all", { try OCILayout.resolve(directory: LayerFixtures.path("oci-layout/all"), ref: "kitchensink_docker", platform: nil) }),
        ("containerd", { try Containerd.resolve(name: "localhost/dflint/kitchensink:docker", root: LayerFixtures.path("containerd-root"),
                                                namespace: "default", platform: nil) }),
    ]

    func checkKitchensink(_ sources: [(String, @Sendable () throws -> ResolvedImage)]) throws {
        var reference: (String, Set<Entry>)?
        for (what, resolve) in sources {
            let image = try resolve()
            #expect(image.layerLocations.count == image.layers.count, "\(what)")
            #expect(!image.layerLocations.contains { if case .unavailable = $0 { true } else { false } }, "\(what): \(image.layerLocations)")
            let v = LayerScanner.scan(image)
            #expect(v.problems.isEmpty, "\(what): \(v.problems)")
            #expect(v.layers.count == 10 && v.layers.allSatisfy { $0.skipped == nil && $0.entries > 0 }, "\(what): \(v.layers)")
            let helper = v.files["/usr/local/bin/suid-helper"]
            #expect(helper?.kind == .file && helper?.mode == 0o4755 && helper?.isSetuid == true, "\(what)")
            #expect(v.files["/var/log/app"]?.kind == .directory && v.files["/var/log/app"]?.isSetgid == true, "\(what)")
            #expect(v.files["/data"]?.isWorldWritable == true, "\(what)")
            #expect(v.files["/tmp"]?.mode == 0o1777, "\(what)")
            #expect(v.files["/usr/local/bin/entrypoint.sh"]?.uid == 1000, "\(what)")
            #expect(v.files["/bin/sh"]?.linkTarget == "/bin/busybox", "\(what)")
            let passwd = String(decoding: v.captured["/etc/passwd"]?.bytes ?? [], as: UTF8.self)
            #expect(passwd.contains("app:x:1000:1000"), "\(what)")
            #expect(v.captured["/etc/group"] != nil, "\(what)")
            // The secrets of the fixture live in ENV/ARG (config and history), not in files.
            let text = v.captured.values.map { String(decoding: $0.bytes, as: UTF8.self) }.joined()
            #expect(!text.contains("hunter2"))
            let view = finalView(v)
            if let (refName, ref) = reference {
                #expect(view == ref, "\(what) vs \(refName): only in \(what): \(view.subtracting(ref).sorted { $0.path < $1.path }.prefix(5)); only in \(refName): \(ref.subtracting(view).sorted { $0.path < $1.path }.prefix(5))")
            } else {
                reference = (what, view)
            }
        }
    }

    @Test func kitchensinkOCIIsTheSameFromEverySource() throws { try checkKitchensink(Self.kitchensinkOCI) }
    @Test func kitchensinkDockerIsTheSameFromEverySource() throws { try checkKitchensink(Self.kitchensinkDocker) }

    @Test func gzipDockerSaveIsStreamedAgain() throws {
        let image = try DockerArchive.resolve(path: LayerFixtures.path("docker-archive/docker-save_docker-buildkit_kitchensink.tar.gz"), name: nil)
        #expect(image.layerLocations.allSatisfy { if case .archiveMember = $0 { true } else { false } })
        let v = LayerScanner.scan(image)
        #expect(v.problems.isEmpty, "\(v.problems)")
        #expect(v.files["/usr/local/bin/suid-helper"]?.isSetuid == true)
        #expect(v.layers.allSatisfy { $0.skipped == nil })
    }

    @Test func legacyDockerSaveFollowsLayerPaths() throws {
        let image = try DockerArchive.resolve(path: LayerFixtures.path("docker-archive/docker-save_docker-legacy_kitchensink.tar"), name: nil)
        #expect(image.layerLocations.allSatisfy { if case .archiveEntry = $0 { true } else { false } })
        let v = LayerScanner.scan(image)
        #expect(v.problems.isEmpty, "\(v.problems)")
        #expect(v.files["/usr/local/bin/suid-helper"]?.isSetuid == true)
    }

    /// Every image of every archive and layout with layer bytes scans without problems.
    @Test func everyFixtureImageScans() throws {
        var count = 0
        for name in (try FileManager.default.contentsOfDirectory(atPath: LayerFixtures.path("docker-archive"))).sorted() {
            let path = LayerFixtures.path("docker-archive/" + name)
            for (id, _) in try DockerArchive.list(path: path) {
                let image = try DockerArchive.resolve(path: path, name: id)
                let v = LayerScanner.scan(image)
                #expect(v.problems.isEmpty && v.layers.allSatisfy { $0.skipped == nil }, "\(name) \(id): \(v.problems)")
                #expect(v.files["/bin/busybox"] != nil || v.files["/busybox"] != nil || v.files["/bin/sh"] != nil, "\(name) \(id)")
                count += 1
            }
        }
        #expect(count > 30)
    }

    @Test func storesWithoutLayerContentSayWhy() throws {
        let cs = try ContainersStorage.resolve(name: "localhost/dflint/kitchensink:docker",
                                               root: LayerFixtures.path("containers-storage/overlay-graphroot"), environment: [:])
        #expect(cs.layerLocations.count == cs.layers.count && !cs.layers.isEmpty)
        for l in cs.layerLocations {
            guard case .unavailable(let why) = l else { Issue.record("expected unavailable, got \(l)"); continue }
            #expect(why.contains("/overlay/") && why.contains("not in the store"), "\(why)")
        }
        let vfs = try ContainersStorage.resolve(name: "localhost/dflint/kitchensink:vfs-docker",
                                                root: LayerFixtures.path("containers-storage/vfs-graphroot"), environment: [:])
        #expect(vfs.layerLocations.allSatisfy { if case .unavailable(let w) = $0 { w.contains("/vfs/dir/") } else { false } }, "\(vfs.layerLocations)")
        let dr = try DockerRoot.resolve(name: "localhost/dflint/kitchensink:docker", root: LayerFixtures.path("docker-root"), platform: nil)
        #expect(dr.layerLocations.count == dr.layers.count && !dr.layers.isEmpty)
        #expect(dr.layerLocations.allSatisfy { if case .unavailable(let w) = $0 { w.contains("/vfs/dir/") } else { false } }, "\(dr.layerLocations)")
        let v = LayerScanner.scan(dr)
        #expect(v.files.isEmpty && v.layers.allSatisfy { $0.skipped != nil })
    }

    @Test func engineAPIHasNoLayers() {
        let inspect = Array(#"{"Id":"sha256:aa","RootFS":{"Type":"layers","Layers":["sha256:1","sha256:2"]}}"#.utf8)
        let image = EngineAPI.image(inspect: inspect, history: nil, podman: false, source: "test")
        #expect(image.layerLocations == [.unavailable(reason: "the Engine API replies carry no layers"),
                                         .unavailable(reason: "the Engine API replies carry no layers")])
    }

    /// `DFLINT_BENCH=1`: MB/s over the biggest fixture layer (uncompressed, and gzip from the OCI layout).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["DFLINT_BENCH"] == "1"))
    func benchBiggestFixtureLayer() throws {
        for (what, resolve) in [Self.kitchensinkOCI[0], Self.kitchensinkOCI[2]] {
            var image = try resolve()
            image.layers = [image.layers[0]]
            image.layerLocations = [image.layerLocations[0]]
            let start = Date()
            var bytes: Int64 = 0
            for _ in 0..<50 { bytes += LayerScanner.scan(image).layers[0].bytes }
            let secs = Date().timeIntervalSince(start)
            print("bench \(what): \(bytes / 50) bytes/layer, \(String(format: "%.1f", Double(bytes) / secs / 1e6)) MB/s (uncompressed tar bytes)")
        }
    }
}

/// zstd layers made by a real tool: skopeo recompresses the fixture's gzip layers (with klauspost's Go
/// encoder, not the reference one) into zstd and zstd:chunked (skippable frames with the TOC); the
/// scanned views must equal the gzip original's.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/skopeo"), "skopeo is not installed: it makes the zstd layouts"))
struct ZstdLayoutTests {
    @Test(arguments: ["zstd", "zstd:chunked"])
    func skopeoZstdLayoutScansLikeTheGzipOne(_ format: String) throws {
        let dir = NSTemporaryDirectory() + "dflint-zstd-layout-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/skopeo")
        p.arguments = ["copy", "--quiet", "--dest-compress-format", format,
                       "oci:" + LayerFixtures.path("oci-layout/all") + ":kitchensink_oci", "oci:" + dir + ":ks"]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let zstdImage = try OCILayout.resolve(directory: dir, ref: "ks", platform: nil)
        #expect(zstdImage.layers.count == 10)
        #expect(zstdImage.layers.allSatisfy { $0.mediaType == "application/vnd.oci.image.layer.v1.tar+zstd" }, "\(zstdImage.layers)")
        let gzipImage = try OCILayout.resolve(directory: LayerFixtures.path("oci-layout/all"), ref: "kitchensink_oci", platform: nil)
        let z = LayerScanner.scan(zstdImage), g = LayerScanner.scan(gzipImage)
        #expect(z.problems.isEmpty, "\(z.problems)")
        #expect(z.layers.allSatisfy { $0.skipped == nil && $0.entries > 0 }, "\(z.layers)")
        #expect(z.layers.map(\.entries) == g.layers.map(\.entries))
        #expect(z.layers.map(\.bytes) == g.layers.map(\.bytes))
        #expect(finalView(z) == finalView(g))
        #expect(z.captured == g.captured)
        #expect(z.files["/usr/local/bin/suid-helper"]?.isSetuid == true)
    }
}
