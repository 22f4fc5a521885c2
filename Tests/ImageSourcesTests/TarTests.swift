// Tar edge cases built here byte by byte: GNU long names, PAX path/size,
// symlinked and hard-linked layers, truncation, bad checksums, `../` names,
// links leaving the archive, link loops; and the proof that a 200 MB layer is
// skipped, not read.

import Foundation
import Testing
@testable import ImageSources

/// Writes tar members the way the tools do (ustar headers; GNU/PAX extensions on request).
struct TarBuilder {
    var bytes: [UInt8] = []

    static func octal(_ v: Int, width: Int) -> [UInt8] {
        let s = String(v, radix: 8)
        return Array((String(repeating: "0", count: max(0, width - 1 - s.count)) + s).utf8) + [0]
    }

    static func header(name: String, type: UInt8, size: Int, link: String = "", badChecksum: Bool = false) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ at: Int, _ b: [UInt8]) { for (i, x) in b.enumerated() { h[at + i] = x } }
        put(0, Array(name.utf8.prefix(100)))
        put(100, octal(0o644, width: 8))
        put(108, octal(0, width: 8))
        put(116, octal(0, width: 8))
        put(124, octal(size, width: 12))
        put(136, octal(0, width: 12))
        put(148, Array("        ".utf8))
        h[156] = type
        put(157, Array(link.utf8.prefix(100)))
        put(257, Array("ustar\0".utf8))
        put(263, Array("00".utf8))
        var sum = h.reduce(0) { $0 + Int($1) }
        if badChecksum { sum += 1 }
        put(148, octal(sum, width: 7) + [0x20])
        return h
    }

    mutating func raw(name: String, type: UInt8 = UInt8(ascii: "0"), body: [UInt8] = [], link: String = "", badChecksum: Bool = false) {
        bytes += TarBuilder.header(name: name, type: type, size: body.count, link: link, badChecksum: badChecksum)
        bytes += body
        bytes += [UInt8](repeating: 0, count: (512 - body.count % 512) % 512)
    }

    mutating func file(_ name: String, _ text: String) { raw(name: name, body: Array(text.utf8)) }

    mutating func symlink(_ name: String, to target: String) { raw(name: name, type: UInt8(ascii: "2"), link: target) }

    mutating func hardlink(_ name: String, to target: String) { raw(name: name, type: UInt8(ascii: "1"), link: target) }

    mutating func gnuLongName(_ name: String, _ text: String) {
        raw(name: "././@LongLink", type: UInt8(ascii: "L"), body: Array(name.utf8) + [0])
        raw(name: String(name.prefix(100)), body: Array(text.utf8))
    }

    static func paxRecord(_ k: String, _ v: String) -> String {
        let base = k.utf8.count + v.utf8.count + 3
        var n = base + String(base).count
        if String(n).count != String(base).count { n += 1 }
        return "\(n) \(k)=\(v)\n"
    }

    mutating func paxPath(_ name: String, _ text: String) {
        raw(name: "PaxHeaders/x", type: UInt8(ascii: "x"), body: Array(TarBuilder.paxRecord("path", name).utf8))
        raw(name: "short-ignored-name", body: Array(text.utf8))
    }

    /// A hard link whose long target travels in a PAX `linkpath` record.
    mutating func paxHardlink(_ name: String, to target: String) {
        raw(name: "PaxHeaders/y", type: UInt8(ascii: "x"), body: Array(TarBuilder.paxRecord("linkpath", target).utf8))
        raw(name: name, type: UInt8(ascii: "1"), link: "truncated")
    }

    /// A symlink whose long target travels in a GNU `././@LongLink` K record.
    mutating func gnuLongSymlink(_ name: String, to target: String) {
        raw(name: "././@LongLink", type: UInt8(ascii: "K"), body: Array(target.utf8) + [0])
        raw(name: name, type: UInt8(ascii: "2"), link: String(target.prefix(100)))
    }

    mutating func end() { bytes += [UInt8](repeating: 0, count: 1024) }
}

@Suite struct TarTests {
    static let config = #"{"architecture":"amd64","os":"linux","config":{"User":"app"},"rootfs":{"type":"layers","diff_ids":["sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]}}"#
    static var configHex: String { Digest.sha256Hex(Array(config.utf8)) }

    static func manifest(config: String, layers: [String], tags: [String] = ["localhost/t:1"]) -> String {
        let t = tags.map { "\"\($0)\"" }.joined(separator: ",")
        let l = layers.map { "\"\($0)\"" }.joined(separator: ",")
        return #"[{"Config":"\#(config)","RepoTags":[\#(t)],"Layers":[\#(l)]}]"#
    }

    func write(_ t: TarBuilder, _ dir: ScratchDir, _ name: String = "a.tar") throws -> String {
        try dir.write(name, t.bytes)
        return dir.file(name)
    }

    @Test func gnuLongNamesAndSymlinkedLayer() throws {
        let dir = ScratchDir()
        var t = TarBuilder()
        let longDir = String(repeating: "d", count: 120)
        t.gnuLongName("\(longDir)/layer.tar", "layer-bytes")
        t.gnuLongSymlink("v1/layer.tar", to: "../\(longDir)/layer.tar")
        t.file("\(Self.configHex).json", Self.config)
        t.file("manifest.json", Self.manifest(config: "\(Self.configHex).json", layers: ["v1/layer.tar"]))
        t.end()
        let image = try DockerArchive.resolve(path: try write(t, dir), name: nil)
        #expect(image.configBytes == Array(Self.config.utf8))
        #expect(image.problems.isEmpty)
        #expect(image.layers == [LayerDescriptor(digest: "sha256:" + String(repeating: "a", count: 64), size: 11,
                                                 mediaType: "application/vnd.docker.image.rootfs.diff.tar")])
        #expect(image.names == ["localhost/t:1"])
        // Python agrees on the long name.
        let names = try Tool.python("import tarfile,sys; print('\\n'.join(tarfile.open(sys.argv[1]).getnames()))".replacingOccurrences(of: "sys.argv[1]", with: "'\(dir.file("a.tar"))'"))
        #expect(String(decoding: names, as: UTF8.self).contains("\(longDir)/layer.tar"))
    }

    @Test func paxPathAndHardLinkedConfig() throws {
        let dir = ScratchDir()
        var t = TarBuilder()
        t.paxPath("deep/\(String(repeating: "p", count: 150))/cfg.json", Self.config)
        t.paxHardlink("\(Self.configHex).json", to: "deep/\(String(repeating: "p", count: 150))/cfg.json")
        t.file("manifest.json", Self.manifest(config: "\(Self.configHex).json", layers: []))
        t.end()
        let image = try DockerArchive.resolve(path: try write(t, dir), name: "localhost/t:1")
        #expect(image.configBytes == Array(Self.config.utf8))
    }

    @Test func pythonWrittenPaxAndGnuArchives() throws {
        // Members with non-ASCII and >100-byte names in both PAX and GNU formats, written by tarfile.
        let dir = ScratchDir()
        try dir.write("cfg.json", Array(Self.config.utf8))
        try dir.write("manifest.json", Array(Self.manifest(config: "x/\(String(repeating: "é", count: 60))/cfg.json", layers: []).utf8))
        for format in ["PAX_FORMAT", "GNU_FORMAT"] {
            let out = dir.file("\(format).tar")
            _ = try Tool.python("""
            import tarfile
            with tarfile.open('\(out)', 'w', format=tarfile.\(format)) as t:
                t.add('\(dir.file("cfg.json"))', arcname='x/\(String(repeating: "é", count: 60))/cfg.json')
                t.add('\(dir.file("manifest.json"))', arcname='manifest.json')
            """)
            let image = try DockerArchive.resolve(path: out, name: nil)
            #expect(image.configBytes == Array(Self.config.utf8), "\(format)")
            // Not content-addressed: the digest is computed, no mismatch claimed.
            #expect(image.problems.isEmpty)
            #expect(image.configDigest == "sha256:" + Self.configHex)
        }
    }

    @Test func configDigestMismatchIsAProblemNotAFailure() throws {
        let dir = ScratchDir()
        var t = TarBuilder()
        let wrong = String(repeating: "b", count: 64)
        t.file("\(wrong).json", Self.config)
        t.file("manifest.json", Self.manifest(config: "\(wrong).json", layers: []))
        t.end()
        let path = try write(t, dir)
        let image = try DockerArchive.resolve(path: path, name: nil)
        #expect(image.problems.count == 1)
        #expect(image.problems[0].contains("sha256:\(wrong)"))
        #expect(image.configDigest == "sha256:" + Self.configHex)
        #expect(try DockerArchive.list(path: path).map(\.id) == ["sha256:" + wrong])
    }

    static func expectError(_ path: String, containing text: String) {
        do {
            _ = try DockerArchive.resolve(path: path, name: nil)
            Issue.record("expected an error containing \(text)")
        } catch {
            #expect(error.message.contains(text), "\(error.message)")
        }
    }

    @Test func malformedArchivesAreErrors() throws {
        let dir = ScratchDir()
        var good = TarBuilder()
        good.file("\(Self.configHex).json", Self.config)
        good.file("manifest.json", Self.manifest(config: "\(Self.configHex).json", layers: []))
        good.end()
        // Truncated in a header, in a body, and right after a header.
        for cut in [100, 512 + 10, 1024 + 300] {
            try dir.write("t\(cut).tar", Array(good.bytes[0..<cut]))
            Self.expectError(dir.file("t\(cut).tar"), containing: "truncated")
        }
        // Bad checksum.
        var bad = TarBuilder()
        bad.raw(name: "manifest.json", body: Array("[]".utf8), badChecksum: true)
        bad.end()
        Self.expectError(try write(bad, dir, "bad.tar"), containing: "checksum")
        // Not a tar at all.
        try dir.write("junk.tar", Array(repeating: 0x41, count: 4096))
        Self.expectError(dir.file("junk.tar"), containing: "checksum")
        // Empty file.
        try dir.write("empty.tar", [])
        Self.expectError(dir.file("empty.tar"), containing: "empty")
        // Absurd size field (base-256, 2^62).
        var huge = TarBuilder.header(name: "x", type: UInt8(ascii: "0"), size: 0)
        huge[124] = 0x80; huge[125] = 0x40
        for i in 126..<136 { huge[i] = 0 }
        for i in 148..<156 { huge[i] = 0x20 }
        let sum = huge.reduce(0) { $0 + Int($1) }
        let o = TarBuilder.octal(sum, width: 7) + [0x20]
        for (i, b) in o.enumerated() { huge[148 + i] = b }
        try dir.write("huge.tar", huge + [UInt8](repeating: 0, count: 1024))
        Self.expectError(dir.file("huge.tar"), containing: "size")
        // A size larger than the file.
        var liar = TarBuilder.header(name: "manifest.json", type: UInt8(ascii: "0"), size: 1 << 30)
        liar += [UInt8](repeating: 0x20, count: 512)
        try dir.write("liar.tar", liar)
        Self.expectError(dir.file("liar.tar"), containing: "truncated")
        // No manifest.json / index.json.
        var none = TarBuilder()
        none.file("hello.txt", "hi")
        none.end()
        Self.expectError(try write(none, dir, "none.tar"), containing: "not an image archive")
    }

    @Test func linksNeverLeaveTheArchive() throws {
        let dir = ScratchDir()
        let cases: [(String, (inout TarBuilder) -> Void, String)] = [
            ("dotdot-member", { $0.file("../\(Self.configHex).json", Self.config) }, "no member"),
            ("dotdot-symlink", { $0.symlink("\(Self.configHex).json", to: "../../etc/passwd") }, "outside the archive"),
            ("absolute-symlink", { $0.symlink("\(Self.configHex).json", to: "/etc/passwd") }, "outside the archive"),
            ("hardlink-out", { $0.hardlink("\(Self.configHex).json", to: "../x") }, "outside the archive"),
            ("loop", { t in t.symlink("\(Self.configHex).json", to: "b"); t.symlink("b", to: "\(Self.configHex).json") }, "link loop"),
            ("dir-loop", { t in t.symlink("d", to: "d/e"); t.symlink("\(Self.configHex).json", to: "d/x") }, "link loop"),
            ("self", { $0.symlink("\(Self.configHex).json", to: "\(Self.configHex).json") }, "link loop"),
        ]
        for (name, build, expected) in cases {
            var t = TarBuilder()
            build(&t)
            t.file("manifest.json", Self.manifest(config: "\(Self.configHex).json", layers: []))
            t.end()
            Self.expectError(try write(t, dir, name + ".tar"), containing: expected)
        }
        // A manifest pointing outside is refused too.
        var t = TarBuilder()
        t.file("manifest.json", Self.manifest(config: "../../etc/passwd", layers: []))
        t.end()
        Self.expectError(try write(t, dir, "manifest-out.tar"), containing: "outside the archive")
        // A symlinked directory inside the archive is followed.
        var ok = TarBuilder()
        ok.file("real/\(Self.configHex).json", Self.config)
        ok.symlink("alias", to: "real")
        ok.file("manifest.json", Self.manifest(config: "alias/../alias/\(Self.configHex).json", layers: []))
        ok.end()
        #expect(try DockerArchive.resolve(path: try write(ok, dir, "ok.tar"), name: nil).configBytes == Array(Self.config.utf8))
    }

    @Test func severalImagesNeedAName() throws {
        let dir = ScratchDir()
        let other = #"{"os":"linux","architecture":"arm64"}"#
        let otherHex = Digest.sha256Hex(Array(other.utf8))
        var t = TarBuilder()
        t.file("\(Self.configHex).json", Self.config)
        t.file("\(otherHex).json", other)
        t.file("manifest.json", #"[{"Config":"\#(Self.configHex).json","RepoTags":["a:1"],"Layers":[]},{"Config":"\#(otherHex).json","RepoTags":null,"Layers":[]}]"#)
        t.end()
        let path = try write(t, dir)
        do {
            _ = try DockerArchive.resolve(path: path, name: nil)
            Issue.record("expected an error")
        } catch {
            #expect(error.candidates.count == 2)
        }
        #expect(try DockerArchive.resolve(path: path, name: "a:1").source == "docker-archive:\(path) (image 1 of 2: docker.io/library/a:1)")
        #expect(try DockerArchive.resolve(path: path, name: String(otherHex.prefix(6))).configBytes == Array(other.utf8))
    }

    @Test func gzipArchiveKeepsOnlyJSON() throws {
        let dir = ScratchDir()
        var t = TarBuilder()
        t.raw(name: "layer.tar", body: sampleBytes(count: 3_000_000, seed: 4, compressible: true))
        t.file("\(Self.configHex).json", Self.config)
        t.file("manifest.json", Self.manifest(config: "\(Self.configHex).json", layers: ["layer.tar"]))
        t.end()
        let gz = try Tool.run(["gzip", "-c"], stdin: t.bytes)
        try dir.write("a.tar.gz", gz)
        let image = try DockerArchive.resolve(path: dir.file("a.tar.gz"), name: nil)
        #expect(image.configBytes == Array(Self.config.utf8))
        #expect(image.layers.first?.size == 3_000_000)
        // A corrupt gzip archive is an error, not a crash.
        var broken = gz
        broken[broken.count / 2] ^= 0xff
        try dir.write("b.tar.gz", broken)
        #expect(throws: ImageSourceError.self) { try DockerArchive.resolve(path: dir.file("b.tar.gz"), name: nil) }
        try dir.write("c.tar.gz", Array(gz[0..<(gz.count / 2)]))
        #expect(throws: ImageSourceError.self) { try DockerArchive.resolve(path: dir.file("c.tar.gz"), name: nil) }
    }

    @Test func bigLayerIsSkippedNotRead() throws {
        // A 200 MB (sparse) layer first, the config and manifest after it.
        let dir = ScratchDir()
        let path = dir.file("big.tar")
        let layerSize = 200 << 20
        var head = TarBuilder.header(name: "layer.tar", type: UInt8(ascii: "0"), size: layerSize)
        try Data(head).write(to: URL(fileURLWithPath: path))
        let fh = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try fh.truncate(atOffset: UInt64(512 + layerSize))
        try fh.seekToEnd()
        var t = TarBuilder()
        t.file("\(Self.configHex).json", Self.config)
        t.file("manifest.json", Self.manifest(config: "\(Self.configHex).json", layers: ["layer.tar"]))
        t.end()
        try fh.write(contentsOf: Data(t.bytes))
        try fh.close()
        head = []

        let stats = ReadStats()
        let image = try DockerArchive.resolve(path: path, name: nil, stats: stats)
        #expect(image.configBytes == Array(Self.config.utf8))
        #expect(image.layers.first?.size == Int64(layerSize))
        #expect(stats.bytesRead < 8192, "read \(stats.bytesRead) bytes")
        #expect(stats.bytesSkipped >= Int64(layerSize))
        print("resolve with a 200 MB layer: read \(stats.bytesRead) bytes in \(stats.readCalls) reads, skipped \(stats.bytesSkipped)")
    }

    @Test func normalizeNames() {
        #expect(TarScanner.normalize("./a//b/./c/") == "a/b/c")
        #expect(TarScanner.normalize("/abs/x") == "abs/x")
        #expect(TarScanner.normalize("a/../../x") == nil)
        #expect(TarScanner.normalize("a/b/../c") == "a/c")
    }
}
