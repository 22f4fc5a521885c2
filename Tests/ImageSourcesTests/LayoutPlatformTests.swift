// OCI layouts built here: nested indexes with several platforms (and a BuildKit
// attestation manifest), digest and size mismatches reported as problems, and
// the same layout read as a directory, an oci-archive and a Docker 25+ style
// docker-archive without manifest.json.

import Foundation
import Testing
@testable import ImageSources

/// A small OCI layout written into a scratch directory.
final class LayoutBuilder {
    let dir = ScratchDir()
    var blobs: [String: [UInt8]] = [:]

    @discardableResult
    func blob(_ text: String) -> (digest: String, size: Int) {
        let b = Array(text.utf8)
        let d = Digest.of(b)
        blobs[d] = b
        return (d, b.count)
    }

    func image(os: String, arch: String, variant: String? = nil) -> (digest: String, size: Int, config: String) {
        let config = #"{"architecture":"\#(arch)","os":"\#(os)"\#(variant.map { #","variant":"\#($0)""# } ?? ""),"config":{"User":"\#(arch)"}}"#
        let c = blob(config)
        let l = blob("layer-\(arch)")
        let m = blob(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\#(c.digest)","size":\#(c.size)},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"\#(l.digest)","size":\#(l.size)}]}"#)
        return (m.digest, m.size, c.digest)
    }

    func write(index: String) throws {
        try FileManager.default.createDirectory(atPath: dir.file("blobs/sha256"), withIntermediateDirectories: true)
        for (d, b) in blobs { try dir.write("blobs/sha256/" + d.dropFirst(7), b) }
        try dir.write("index.json", Array(index.utf8))
        try dir.write("oci-layout", Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))
    }

    /// The layout as a tar (python tarfile), optionally gzip'd.
    func tar(_ name: String, gzip: Bool = false) throws -> String {
        let out = dir.path + "-" + name
        _ = try Tool.python("""
        import tarfile, os
        with tarfile.open('\(out)', 'w:gz' if \(gzip ? "True" : "False") else 'w') as t:
            for n in ['oci-layout', 'index.json', 'blobs']:
                t.add(os.path.join('\(dir.path)', n), arcname=n)
        """)
        return out
    }
}

@Suite struct LayoutPlatformTests {
    static func multiPlatform() throws -> (LayoutBuilder, amd64: String, arm64: String, armv7: String) {
        let b = LayoutBuilder()
        let amd = b.image(os: "linux", arch: "amd64")
        let arm = b.image(os: "linux", arch: "arm64", variant: "v8")
        let v7 = b.image(os: "linux", arch: "arm", variant: "v7")
        let att = b.blob(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.in-toto+json","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":0},"layers":[]}"#)
        let list = b.blob(#"""
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
         {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(att.digest)","size":\#(att.size),"platform":{"os":"unknown","architecture":"unknown"},"annotations":{"vnd.docker.reference.type":"attestation-manifest"}},
         {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(arm.digest)","size":\#(arm.size),"platform":{"os":"linux","architecture":"arm64","variant":"v8"}},
         {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(v7.digest)","size":\#(v7.size),"platform":{"os":"linux","architecture":"arm","variant":"v7"}},
         {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(amd.digest)","size":\#(amd.size),"platform":{"os":"linux","architecture":"amd64"}}]}
        """#)
        // Docker 25+ style: the top-level entry is the index, named both ways.
        try b.write(index: #"""
        {"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"\#(list.digest)","size":\#(list.size),
         "annotations":{"io.containerd.image.name":"docker.io/library/multi:1","org.opencontainers.image.ref.name":"1"}}]}
        """#)
        return (b, amd.config, arm.config, v7.config)
    }

    @Test(arguments: [(nil as String?, "amd64"), ("linux/amd64", "amd64"), ("linux/arm64", "arm64"),
                      ("linux/arm64/v8", "arm64"), ("linux/arm/v7", "arm")])
    func platformSelection(_ platform: String?, _ arch: String) throws {
        let (b, amd, arm, v7) = try Self.multiPlatform()
        let want = ["amd64": amd, "arm64": arm, "arm": v7][arch]!
        for ref in [nil, "1", "multi:1", "docker.io/library/multi:1"] as [String?] {
            let image = try OCILayout.resolve(directory: b.dir.path, ref: ref, platform: platform)
            #expect(image.configDigest == want)
            #expect(image.names == ["docker.io/library/multi:1"])
            #expect(image.problems.isEmpty, "\(image.problems)")
        }
        // The same layout as oci-archive, gzip'd oci-archive, and a docker-archive without manifest.json.
        let tar = try b.tar("a.tar")
        #expect(try OCILayout.resolveArchive(path: tar, ref: "1", platform: platform).configDigest == want)
        #expect(try OCILayout.resolveArchive(path: try b.tar("a.tar.gz", gzip: true), ref: nil, platform: platform).configDigest == want)
        if platform == nil {
            #expect(try DockerArchive.resolve(path: tar, name: "multi:1").configDigest == want)
            #expect(try DockerArchive.list(path: tar).map(\.names) == [["docker.io/library/multi:1"]])
        }
    }

    @Test func missingPlatformAndBadPlatformText() throws {
        let (b, _, _, _) = try Self.multiPlatform()
        do {
            _ = try OCILayout.resolve(directory: b.dir.path, ref: nil, platform: "windows/amd64")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("no manifest for windows/amd64"))
            #expect(error.candidates.contains("linux/arm/v7"))
        }
        #expect(throws: ImageSourceError.self) { try OCILayout.resolve(directory: b.dir.path, ref: nil, platform: "amd64") }
        #expect(throws: ImageSourceError.self) { try OCILayout.resolve(directory: b.dir.path, ref: "nope", platform: nil) }
        #expect(throws: ImageSourceError.self) { try OCILayout.resolve(directory: b.dir.path + "/missing", ref: nil, platform: nil) }
    }

    @Test func digestAndSizeMismatchesAreProblems() throws {
        let b = LayoutBuilder()
        let img = b.image(os: "linux", arch: "amd64")
        try b.write(index: #"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(img.digest)","size":\#(img.size + 1),"annotations":{"org.opencontainers.image.ref.name":"localhost/x:y"}}]}"#)
        // Tamper with the config blob after the fact.
        let configPath = b.dir.file("blobs/sha256/" + img.config.dropFirst(7))
        var config = try readBytes(configPath)
        config[config.count - 2] = UInt8(ascii: " ")
        try Data(config).write(to: URL(fileURLWithPath: configPath))
        let image = try OCILayout.resolve(directory: b.dir.path, ref: "localhost/x:y", platform: nil)
        #expect(image.names == ["localhost/x:y"])
        #expect(image.problems.count == 2, "\(image.problems)")
        #expect(image.problems.contains { $0.contains("descriptor says") })
        #expect(image.problems.contains { $0.contains("config digest mismatch") })
        #expect(image.configDigest == Digest.of(config))
    }

    @Test func maliciousDigestsCannotLeaveBlobs() throws {
        let b = LayoutBuilder()
        try b.write(index: #"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:../../../../etc/passwd","size":1}]}"#)
        do {
            _ = try OCILayout.resolve(directory: b.dir.path, ref: nil, platform: nil)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("malformed digest"))
        }
    }
}
