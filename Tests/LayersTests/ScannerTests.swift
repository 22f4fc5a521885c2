import Foundation
import Testing
@testable import ImageSources
import LayerModel

@Suite struct TarLayerTests {
    @Test func plainAndGzipGiveTheSameView() throws {
        var t = TarBuilder()
        t.dir("./etc/")
        t.file("./etc/passwd", "root:x:0:0::/root:/bin/sh\n")
        t.file("usr/local/bin/helper", "#!/bin/sh\n", mode: 0o4755)
        t.dir("var/log/app", mode: 0o2755)
        t.symlink("bin/sh", to: "/bin/busybox")
        t.hardlink("bin/sh2", to: "usr/local/bin/helper")
        let tar = t.finished()
        let plain = scanTars([tar])
        let gz = scanTars([try Gzip.compress(tar)])
        #expect(plain.problems.isEmpty && gz.problems.isEmpty, "\(plain.problems) \(gz.problems)")
        #expect(plain.files == gz.files)
        #expect(plain.files["/usr/local/bin/helper"]?.isSetuid == true)
        #expect(plain.files["/usr/local/bin/helper"]?.mode == 0o4755)
        #expect(plain.files["/var/log/app"]?.isSetgid == true)
        #expect(plain.files["/bin/sh"]?.linkTarget == "/bin/busybox")
        #expect(plain.files["/bin/sh2"]?.kind == .hardlink)
        #expect(plain.files["/bin/sh2"]?.linkTarget == "/usr/local/bin/helper")
        #expect(plain.captured["/etc/passwd"]?.bytes == Array("root:x:0:0::/root:/bin/sh\n".utf8))
        #expect(plain.layers.first?.entries == 6)
        #expect(plain.layers.first?.bytes == Int64(tar.count - 1024 + 512) || plain.layers.first!.bytes >= Int64(tar.count - 1024))
    }

    @Test func uidGidAndPAXOverrides() {
        var t = TarBuilder()
        t.pax(["path": "home/app/" + String(repeating: "n", count: 150), "uid": "3000000", "gid": "4000000"])
        t.file("ignored-name", "x", uid: 1, gid: 2)
        t.file("home/app/plain", "y", uid: 1000, gid: 1000)
        let v = scanTars([t.finished()])
        #expect(v.problems.isEmpty, "\(v.problems)")
        let long = v.files["/home/app/" + String(repeating: "n", count: 150)]
        #expect(long?.uid == 3000000 && long?.gid == 4000000)
        #expect(v.files["/home/app/plain"]?.uid == 1000)
        #expect(v.files["/ignored-name"] == nil)
    }

    @Test func dotDotAndAbsolutePathsStayInside() {
        var t = TarBuilder()
        t.file("../../etc/evil", "x")
        t.file("/abs/file", "y")
        t.file("a/../../b/./c", "z")
        t.symlink("up", to: "../../../../etc/shadow")
        let v = scanTars([t.finished()])
        #expect(Set(v.files.keys) == ["/etc/evil", "/abs/file", "/b/c", "/up"])
        #expect(v.problems.contains { $0.contains("climbs above the root") })
        #expect(v.files.keys.allSatisfy { !$0.contains("..") })
    }

    @Test func symlinkLoopsAreJustRecords() {
        var t = TarBuilder()
        t.symlink("a", to: "b")
        t.symlink("b", to: "a")
        t.symlink("self", to: "self")
        t.hardlink("h", to: "h")
        let v = scanTars([t.finished()])
        #expect(v.files.count == 4)
        #expect(v.problems.isEmpty)
    }

    @Test func truncatedHeaderIsAProblem() {
        var t = TarBuilder()
        t.file("etc/ok", "fine")
        var bytes = t.finished()
        bytes = Array(bytes.prefix(1024)) + Array(TarBuilder.header(name: "etc/cut", size: 10).prefix(200))
        let v = scanTars([bytes])
        #expect(v.files["/etc/ok"] != nil)
        #expect(v.problems.contains { $0.contains("truncated tar header") }, "\(v.problems)")
    }

    @Test func truncatedBodyIsAProblem() {
        var t = TarBuilder()
        t.raw(TarBuilder.header(name: "big", size: 100_000))
        t.raw([UInt8](repeating: 1, count: 1000))
        let v = scanTars([t.bytes])
        #expect(v.problems.contains { $0.contains("truncated") || $0.contains("end") }, "\(v.problems)")
    }

    @Test func badChecksumIsAProblem() {
        var t = TarBuilder()
        t.file("etc/ok", "fine")
        var h = TarBuilder.header(name: "etc/bad", size: 0)
        h[0] = UInt8(ascii: "X")   // content changed, checksum not
        t.raw(h)
        let v = scanTars([t.finished()])
        #expect(v.files["/etc/ok"] != nil && v.files["/Xtc/bad"] == nil)
        #expect(v.problems.contains { $0.contains("checksum") }, "\(v.problems)")
    }

    @Test func oversizedPAXIsAProblem() {
        var t = TarBuilder()
        t.raw(TarBuilder.header(name: "PaxHeaders/x", type: UInt8(ascii: "x"), size: 4 << 20))
        t.raw([UInt8](repeating: 0x41, count: 4096))
        let v = scanTars([t.bytes])
        #expect(v.problems.contains { $0.contains("too large") }, "\(v.problems)")
        var bad = TarBuilder()
        bad.add("PaxHeaders/y", type: UInt8(ascii: "x"), body: Array("999999 path=x\n".utf8))
        let w = scanTars([bad.finished()])
        #expect(w.problems.contains { $0.contains("PAX") }, "\(w.problems)")
    }

    @Test func garbageAndEmptyInputs() {
        let noise = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }
        let v = scanTars([noise, [], [0x1f, 0x8b, 8, 0, 0, 0]])
        #expect(v.problems.count >= 2, "\(v.problems)")
        #expect(v.layers[1].skipped != nil)
    }

    @Test func gzipBombIsStoppedByTheCap() throws {
        var t = TarBuilder()
        t.file("etc/passwd", "root:x:0:0\n")
        t.add("zeros", body: [UInt8](repeating: 0, count: 8 << 20))
        t.file("after", "never seen")
        let gz = try Gzip.compress(t.finished())
        #expect(gz.count < 100_000)
        var second = TarBuilder()
        second.file("next/layer", "read")
        let v = scanTars([gz, second.finished()], limits: ScanLimits(maxUncompressedBytesPerLayer: 1 << 20))
        #expect(v.files["/etc/passwd"] != nil)
        #expect(v.files["/after"] == nil)
        #expect(v.files["/next/layer"] != nil)
        #expect(v.problems.contains { $0.contains("decompression bomb") || $0.contains("exceeds the limit") }, "\(v.problems)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/zstd"), "Debian's zstd (/usr/bin/zstd) is not installed"))
    func zstdLayersAreScannedLikeGzipOnes() throws {
        var t = TarBuilder()
        t.file("etc/passwd", "root:x:0:0::/root:/bin/sh\n")
        t.file("usr/bin/su", "elf", mode: 0o4755)
        t.file("a", "b")
        let tar = t.finished()
        let zst = try ZstdTool.compress(tar, ["-3"])
        let broken: [UInt8] = [0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]
        let v = LayerScanner.scan(streams: [
            LayerStream(digest: "sha256:z", source: MemorySource(zst)),
            LayerStream(digest: "sha256:m", mediaType: "application/vnd.oci.image.layer.v1.tar+zstd", source: MemorySource(zst)),
            LayerStream(digest: "sha256:d", mediaType: "application/vnd.docker.image.rootfs.diff.tar.zstd", source: MemorySource(zst)),
            LayerStream(digest: "sha256:broken", source: MemorySource(broken)),
            LayerStream(digest: "sha256:mislabelled", mediaType: "application/vnd.oci.image.layer.v1.tar+zstd", source: MemorySource(tar)),
        ])
        #expect(v.layers.allSatisfy { $0.skipped == nil }, "\(v.layers)")
        #expect(v.layers[0].entries == 3 && v.layers[1].entries == 3 && v.layers[2].entries == 3)
        #expect(v.layers[0].bytes == Int64(tar.count) || v.layers[0].bytes >= Int64(tar.count - 1024))
        #expect(v.files["/usr/bin/su"]?.isSetuid == true)
        #expect(v.captured["/etc/passwd"]?.bytes == Array("root:x:0:0::/root:/bin/sh\n".utf8))
        #expect(v.files["/a"]?.layer == 2)
        #expect(v.problems.count == 2, "\(v.problems)")
        #expect(v.problems.contains { $0.hasPrefix("layer 4 (sha256:broken)") && $0.contains("zstd") }, "\(v.problems)")
        #expect(v.problems.contains { $0.hasPrefix("layer 5 (sha256:mislabelled)") && $0.contains("not zstd data") }, "\(v.problems)")
        // The same tar, gzip-compressed, gives the same files.
        #expect(scanTars([try Gzip.compress(tar)]).files == scanTars([zst]).files)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/zstd"), "Debian's zstd (/usr/bin/zstd) is not installed"))
    func zstdBombStopsWithAFinding() throws {
        var t = TarBuilder()
        t.file("etc/passwd", "root:x:0:0::/root:/bin/sh\n")
        t.add("big", body: [UInt8](repeating: 0, count: 8 << 20))
        t.file("after", "x")
        let zst = try ZstdTool.compress(t.finished(), ["-19"])
        #expect(zst.count < 10_000)
        let v = scanTars([zst], limits: ScanLimits(maxUncompressedBytesPerLayer: 1 << 20))
        #expect(v.files["/etc/passwd"] != nil)
        #expect(v.files["/after"] == nil)
        #expect(v.problems.contains { $0.contains("stopped") && $0.contains("exceeds the limit") }, "\(v.problems)")
    }

    @Test func gnuSparseEntriesAreSkippedSafely() {
        var t = TarBuilder()
        var h = TarBuilder.header(name: "sparse.img", type: UInt8(ascii: "S"), size: 512)
        // realsize 1 MiB, isextended = 1 → one extension block follows.
        let real = Array(String(String(1 << 20, radix: 8)).leftPadded(11).utf8) + [0]
        for (i, b) in real.enumerated() { h[483 + i] = b }
        h[482] = 1
        for i in 148..<156 { h[i] = 0x20 }
        let sum = h.reduce(0) { $0 + Int($1) }
        for (i, b) in (Array(String(String(sum, radix: 8)).leftPadded(6).utf8) + [0, 0x20]).enumerated() { h[148 + i] = b }
        t.raw(h)
        t.raw([UInt8](repeating: 0, count: 512))   // extension block, isextended = 0
        t.raw([UInt8](repeating: 0x55, count: 512)) // data
        t.file("after", "still read")
        t.pax(["GNU.sparse.major": "1", "GNU.sparse.minor": "0", "GNU.sparse.name": "pax-sparse.img", "GNU.sparse.realsize": "2048"])
        t.add("GNUSparseFile.0/pax-sparse.img", body: Array("1\n0\n512\n".utf8) + [UInt8](repeating: 0, count: 504) + [UInt8](repeating: 7, count: 512))
        t.file("last", "ok")
        let v = scanTars([t.finished()])
        #expect(v.problems.isEmpty, "\(v.problems)")
        #expect(v.files["/sparse.img"]?.size == 1 << 20)
        #expect(v.files["/after"] != nil && v.files["/last"] != nil)
        #expect(v.files["/pax-sparse.img"]?.size == 2048)
    }
}

@Suite struct WhiteoutTests {
    func layer(_ build: (inout TarBuilder) -> Void) -> [UInt8] {
        var t = TarBuilder()
        build(&t)
        return t.finished()
    }

    @Test func fileDeletedIsRemembered() {
        let v = scanTars([
            layer { $0.file("root/.ssh/id_rsa", "-----BEGIN KEY-----"); $0.file("app/keep", "k") },
            layer { $0.file("root/.ssh/.wh.id_rsa", "") },
        ])
        #expect(v.files["/root/.ssh/id_rsa"] == nil)
        #expect(v.files["/app/keep"] != nil)
        #expect(v.removed.count == 1)
        let r = v.removed.first
        #expect(r?.record.path == "/root/.ssh/id_rsa" && r?.removedIn == 1 && r?.record.layer == 0)
        #expect(r?.content?.bytes == Array("-----BEGIN KEY-----".utf8))
        #expect(v.captured["/root/.ssh/id_rsa"] == nil)
    }

    @Test func directoryDeletedWithEverythingUnder() {
        let v = scanTars([
            layer { $0.dir("opt/d/"); $0.file("opt/d/a", "1"); $0.dir("opt/d/sub/"); $0.file("opt/d/sub/.env", "TOKEN=x"); $0.file("opt/dd", "kept") },
            layer { $0.file("opt/.wh.d", "") },
        ])
        #expect(v.files.keys.filter { $0.hasPrefix("/opt/d/") || $0 == "/opt/d" }.isEmpty)
        #expect(v.files["/opt/dd"] != nil)
        #expect(Set(v.removed.map(\.record.path)) == ["/opt/d/a", "/opt/d/sub/.env"])
        #expect(v.removed.first { $0.record.path == "/opt/d/sub/.env" }?.content?.bytes == Array("TOKEN=x".utf8))
    }

    @Test func opaqueDirectoryHidesLowerContent() {
        let v = scanTars([
            layer { $0.dir("etc/app/"); $0.file("etc/app/old.conf", "o"); $0.file("etc/app/x/y", "deep"); $0.file("etc/other", "x") },
            layer { $0.dir("etc/app/"); $0.file("etc/app/.wh..wh..opq", ""); $0.file("etc/app/new.conf", "n") },
        ])
        #expect(v.files["/etc/app/old.conf"] == nil && v.files["/etc/app/x/y"] == nil && v.files["/etc/app/x"] == nil)
        #expect(v.files["/etc/app/new.conf"]?.layer == 1)
        #expect(v.files["/etc/app"] != nil && v.files["/etc/other"] != nil)
        #expect(Set(v.removed.map(\.record.path)) == ["/etc/app/old.conf", "/etc/app/x/y"])
    }

    @Test func opaqueMarkerAfterSameLayerChildrenKeepsThem() {
        let v = scanTars([
            layer { $0.file("d/lower", "l") },
            layer { $0.file("d/upper", "u"); $0.file("d/.wh..wh..opq", "") },
        ])
        #expect(v.files["/d/upper"] != nil && v.files["/d/lower"] == nil)
    }

    @Test func reAddedAfterDeletion() {
        let v = scanTars([
            layer { $0.file("app/.env", "SECRET=1") },
            layer { $0.file("app/.wh..env", "") },
            layer { $0.file("app/.env", "SECRET=2") },
        ])
        #expect(v.files["/app/.env"]?.layer == 2)
        #expect(v.captured["/app/.env"]?.bytes == Array("SECRET=2".utf8))
        #expect(v.removed.count == 1 && v.removed[0].content?.bytes == Array("SECRET=1".utf8) && v.removed[0].removedIn == 1)
    }

    @Test func fileReplacingADirectoryDropsItsChildren() {
        let v = scanTars([
            layer { $0.dir("x/"); $0.file("x/child", "c") },
            layer { $0.file("x", "now a file") },
        ])
        #expect(v.files["/x"]?.kind == .file && v.files["/x/child"] == nil)
        #expect(v.removed.map(\.record.path) == ["/x/child"])
    }

    @Test func whiteoutOfSomethingAbsentIsHarmless() {
        let v = scanTars([layer { $0.file("a/.wh.ghost", ""); $0.file("a/.wh..wh.plnk", ""); $0.file("a/b", "b") }])
        #expect(Set(v.files.keys) == ["/a/b"])
        #expect(v.removed.isEmpty && v.problems.isEmpty)
        #expect(v.layers[0].entries == 3)
    }
}

@Suite struct DirectoryLayerTests {
    @Test func overlayDiffDirectories() throws {
        let tmp = NSTemporaryDirectory() + "dflint-layers-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let fm = FileManager.default
        func write(_ p: String, _ s: String, mode: Int = 0o644) throws {
            try fm.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(s.utf8).write(to: URL(fileURLWithPath: p))
            chmod(p, mode_t(mode))
        }
        let l0 = tmp + "/l0", l1 = tmp + "/l1"
        try write(l0 + "/etc/passwd", "root:x:0:0\n")
        try write(l0 + "/usr/bin/su", "bin", mode: 0o4755)
        try write(l0 + "/root/.aws/credentials", "aws_secret=1")
        try write(l0 + "/opt/app/old", "o")
        try write(l0 + "/gone/deep/file", "d")
        symlink("/etc/passwd", l0 + "/link")
        try write(l1 + "/opt/app/new", "n")
        try fm.createDirectory(atPath: l1 + "/root/.aws", withIntermediateDirectories: true)
        // Whiteouts: overlay char device 0:0 when we may mknod, else the `.wh.` name.
        let dev = mknod(l1 + "/root/.aws/credentials", S_IFCHR | 0o000, 0) == 0
        if !dev { try write(l1 + "/root/.aws/.wh.credentials", "") }
        try write(l1 + "/.wh.gone", "")
        let v = LayerScanner.scan(directories: [l0, l1])
        #expect(v.files["/usr/bin/su"]?.isSetuid == true)
        #expect(v.files["/link"]?.kind == .symlink && v.files["/link"]?.linkTarget == "/etc/passwd")
        #expect(v.files["/root/.aws/credentials"] == nil)
        #expect(v.files["/gone"] == nil && v.files["/gone/deep/file"] == nil)
        #expect(v.removed.contains { $0.record.path == "/root/.aws/credentials" && $0.content?.bytes == Array("aws_secret=1".utf8) })
        #expect(v.captured["/etc/passwd"] != nil)
        #expect(v.files["/opt/app/old"] != nil && v.files["/opt/app/new"]?.layer == 1)
    }

    @Test func vfsSnapshotsAreDiffed() throws {
        let tmp = NSTemporaryDirectory() + "dflint-vfs-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let fm = FileManager.default
        for (l, files) in [("0", ["a": "1", "secret.key": "k"]), ("1", ["a": "1", "b": "2"])] {
            try fm.createDirectory(atPath: tmp + "/vfs/dir/" + l, withIntermediateDirectories: true)
            for (n, c) in files { try Data(c.utf8).write(to: URL(fileURLWithPath: tmp + "/vfs/dir/\(l)/\(n)")) }
        }
        let v = LayerScanner.scan(directories: [tmp + "/vfs/dir/0", tmp + "/vfs/dir/1"], snapshots: true)
        #expect(v.files["/a"]?.layer == 0)
        #expect(v.files["/b"]?.layer == 1)
        #expect(v.files["/secret.key"] == nil)
        #expect(v.removed.map(\.record.path) == ["/secret.key"] && v.removed.first?.content?.bytes == Array("k".utf8))
    }
}

/// rpm databases are read whole by the scanner, from tar layers and unpacked directories, and follow
/// whiteouts like any file.
@Suite struct RpmDatabaseScanTests {
    static let dir: String = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url.appendingPathComponent("Tests/Fixtures/rpmdb").path
            }
            url = url.deletingLastPathComponent()
        }
        return "Tests/Fixtures/rpmdb"
    }()
    static func db(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))) }

    @Test func tarLayersReadTheDatabaseAndHonourWhiteouts() throws {
        var base = TarBuilder()
        base.add("var/lib/rpm/rpmdb.sqlite", body: try Self.db("rpmdb.sqlite"))
        base.add("usr/lib/sysimage/rpm/Packages.db", body: try Self.db("Packages.db"))
        var later = TarBuilder()
        later.add("usr/lib/sysimage/rpm/.wh.Packages.db")
        later.add("var/lib/rpm/Packages", body: try Self.db("Packages-1k"))
        let v = scanTars([base.finished(), later.finished()])
        #expect(v.problems.isEmpty, "\(v.problems)")
        #expect(v.rpmDatabases.keys.sorted() == ["/var/lib/rpm/Packages", "/var/lib/rpm/rpmdb.sqlite"])
        #expect(v.rpmDatabases["/var/lib/rpm/rpmdb.sqlite"]?.packages.count == 12)
        #expect(v.rpmDatabases["/var/lib/rpm/rpmdb.sqlite"]?.layer == 0)
        #expect(v.rpmDatabases["/var/lib/rpm/Packages"]?.backend == .bdb && v.rpmDatabases["/var/lib/rpm/Packages"]?.layer == 1)
        // Only the packages are kept, not the database bytes.
        #expect(v.captured["/var/lib/rpm/rpmdb.sqlite"] == nil)
        // A broken database is a problem of that database, not of the layer.
        var broken = TarBuilder()
        broken.add("var/lib/rpm/rpmdb.sqlite", body: Array(try Self.db("rpmdb.sqlite").prefix(8192)))
        let b = scanTars([broken.finished()])
        #expect(b.problems.isEmpty)
        #expect(b.rpmDatabases["/var/lib/rpm/rpmdb.sqlite"]?.problems.isEmpty == false)
    }

    @Test func unpackedDirectoriesReadTheDatabase() throws {
        let root = NSTemporaryDirectory() + "dflint-rpmdir-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/var/lib/rpm", withIntermediateDirectories: true)
        try Data(try Self.db("Packages-16k")).write(to: URL(fileURLWithPath: root + "/var/lib/rpm/Packages"))
        let v = LayerScanner.scan(directories: [root])
        #expect(v.rpmDatabases["/var/lib/rpm/Packages"]?.packages.count == 12)
        #expect(v.rpmDatabases["/var/lib/rpm/Packages"]?.problems == [])
    }
}
