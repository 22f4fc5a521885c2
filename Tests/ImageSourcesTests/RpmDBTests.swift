// rpm databases read by hand must list what rpm itself lists: the real
// databases in ../shared/fixtures/rpmdb (SQLite, Berkeley DB hash, ndb) against
// their expected lists, small databases made here with Debian's rpm against
// `rpm -qa`, and hostile ones (cycles, bad lengths, truncation) end with a
// clear error, never a hang.

import Foundation
import Testing
import LayerModel
@testable import ImageSources

enum RpmFixtures {
    static let kinds: [(folder: String, file: String, backend: RpmDatabaseRead.Backend)] = [
        ("sqlite-cbl-mariner-2.0", "rpmdb.sqlite", .sqlite), ("bdb-libuuid-el8", "Packages", .bdb),
        ("ndb-sle15-bci", "Packages.db", .ndb),
    ]

    /// name, epoch, version, release, arch rows of a fixture's expected.tsv.
    static func expected(_ folder: String) throws -> Set<String> {
        let text = try String(contentsOfFile: Fixtures.path("rpmdb/\(folder)/expected.tsv"), encoding: .utf8)
        var out = Set<String>()
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 5 else { continue }
            out.insert("\(f[0]) \(f[1]) \(f[2]) \(f[3]) \(f[4])")
        }
        return out
    }

    static func row(_ p: RpmPackage) -> String { "\(p.name) \(p.epoch ?? 0) \(p.version) \(p.release) \(p.arch)" }
}

@Suite struct RpmFixtureTests {
    @Test(arguments: RpmFixtures.kinds.map(\.folder))
    func realDatabasesListTheirPackages(_ folder: String) throws {
        let kind = RpmFixtures.kinds.first { $0.folder == folder }!
        let bytes = try readBytes(Fixtures.path("rpmdb/\(folder)/\(kind.file)"))
        #expect(RpmDB.sniff(bytes) == kind.backend)
        let db = RpmDB.read(bytes, path: "/var/lib/rpm/" + kind.file, layer: 3)
        #expect(db.problems.isEmpty, "\(db.problems)")
        #expect(db.backend == kind.backend && db.layer == 3)
        let expected = try RpmFixtures.expected(folder)
        #expect(expected.count >= 1)
        #expect(Set(db.packages.map(RpmFixtures.row)) == expected)
        #expect(db.packages.count == expected.count)
        for p in db.packages where p.name != "gpg-pubkey" {
            #expect(p.sourceRPM?.hasSuffix(".src.rpm") == true, "\(p.name)")
            #expect(p.license?.isEmpty == false, "\(p.name)")
        }
    }
}

/// The small databases in Tests/Fixtures/rpmdb (see make.sh there): made with Debian's rpm, rpmbuild and db_load.
enum LocalRpmDB {
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
    static func bytes(_ name: String) throws -> [UInt8] { try readBytes(dir + "/" + name) }
    static var expected: Set<String> {
        Set(((try? String(contentsOfFile: dir + "/expected.txt", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init))
    }
    static let rpmAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/rpm")

    /// `rpm -qa` name-version-release.arch of the database at `file`, opened with `backend`.
    static func rpmQA(_ file: String, as name: String, backend: String) throws -> Set<String> {
        let d = ScratchDir()
        try FileManager.default.copyItem(atPath: file, toPath: d.file(name))
        let out = try Tool.run(["rpm", "-qa", "--dbpath", d.path, "--define", "_db_backend \(backend)",
                                "--qf", "%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\\n"])
        return Set(String(decoding: out, as: UTF8.self).split(separator: "\n").map(String.init))
    }
}

@Suite struct RpmLocalDatabaseTests {
    static let files: [(String, RpmDatabaseRead.Backend)] = [("rpmdb.sqlite", .sqlite), ("Packages-1k", .bdb), ("Packages-16k", .bdb),
                                                              ("Packages.db", .ndb)]

    @Test(arguments: files.map(\.0))
    func listsWhatMakeShRecorded(_ name: String) throws {
        let db = RpmDB.read(try LocalRpmDB.bytes(name), path: "/var/lib/rpm/x", layer: 0)
        #expect(db.problems.isEmpty, "\(db.problems)")
        #expect(db.backend == Self.files.first { $0.0 == name }!.1)
        #expect(LocalRpmDB.expected.count == 12)
        #expect(Set(db.packages.map(\.nvra)) == LocalRpmDB.expected)
        let p9 = db.packages.first { $0.name == "dflint-test-pkg9" }
        #expect(p9?.epoch == 0 && p9?.version == "1.9" && p9?.release == "9.fc39" && p9?.arch == "noarch")
        #expect(db.packages.first { $0.name == "dflint-test-pkg5" }?.epoch == 2)
        #expect(p9?.license == "MIT and GPL-2.0-or-later" && p9?.vendor == "dflint tests")
        #expect(p9?.sourceRPM == "dflint-test-pkg9-1.9-9.fc39.src.rpm")
        let big = db.packages.first { $0.name == "dflint-test-pkg12" }
        #expect(big?.sampleFiles.count == RpmPackage.sampleLimit)
        #expect(big?.sampleFiles.allSatisfy { $0.hasPrefix("/usr/share/dflint-test/pkg12") } == true)
    }

    @Test(.enabled(if: LocalRpmDB.rpmAvailable, "Debian's rpm (/usr/bin/rpm) is not installed: rpm -qa is the reference"),
          arguments: [("rpmdb.sqlite", "rpmdb.sqlite", "sqlite"), ("Packages-1k", "Packages", "bdb_ro"), ("Packages-16k", "Packages", "bdb_ro")])
    func equalsRpmQA(_ file: String, _ name: String, _ backend: String) throws {
        let theirs = try LocalRpmDB.rpmQA(LocalRpmDB.dir + "/" + file, as: name, backend: backend)
        #expect(theirs.count == 12)
        let ours = RpmDB.read(try LocalRpmDB.bytes(file), path: "/var/lib/rpm/" + name, layer: 0)
        #expect(Set(ours.packages.map(\.nvra)) == theirs)
    }

    @Test(.enabled(if: LocalRpmDB.rpmAvailable, "Debian's rpm (/usr/bin/rpm) is not installed: rpm -qa is the reference"),
          arguments: ["sqlite-cbl-mariner-2.0/rpmdb.sqlite", "bdb-libuuid-el8/Packages"])
    func sharedFixturesEqualRpmQA(_ rel: String) throws {
        let name = String(rel.split(separator: "/").last!)
        let theirs = try LocalRpmDB.rpmQA(Fixtures.path("rpmdb/" + rel), as: name, backend: name == "Packages" ? "bdb_ro" : "sqlite")
        let ours = RpmDB.read(try readBytes(Fixtures.path("rpmdb/" + rel)), path: "/var/lib/rpm/" + name, layer: 0)
        #expect(!theirs.isEmpty)
        #expect(Set(ours.packages.map(\.nvra)) == theirs)
    }
}

/// Databases broken on purpose: each must end with a clear problem, never a trap or a hang.
@Suite struct RpmHostileDatabaseTests {
    static func read(_ b: [UInt8]) -> RpmDatabaseRead { RpmDB.read(b, path: "/var/lib/rpm/x", layer: 0) }

    static func be32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) {
        for k in 0..<4 { b[at + k] = UInt8(truncatingIfNeeded: v >> (24 - 8 * UInt32(k))) }
    }
    static func le32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) {
        for k in 0..<4 { b[at + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
    }

    @Test func sqliteCycleInTheBTree() throws {
        var b = try LocalRpmDB.bytes("rpmdb.sqlite")
        let r = try SQLiteReader(b)
        // The Packages table's root (page 2 here) is an interior page: point its right child back at itself.
        let root = 2
        let h = try r.pageOffset(root)
        #expect(b[h] == 5)
        Self.be32(&b, h + 8, UInt32(root))
        let db = Self.read(b)
        #expect(db.problems.contains { $0.contains("page 2 is reached twice (a cycle") }, "\(db.problems)")
    }

    @Test func sqliteOverflowChainThatLoopsOrRunsOff() throws {
        let b = try LocalRpmDB.bytes("rpmdb.sqlite")
        let r = try SQLiteReader(b)
        // The first overflow page of the biggest header's chain.
        var firstOverflow: (pointerAt: Int, page: Int)?
        for page in 1...r.pageCount {
            let base = (page - 1) * r.pageSize
            guard page > 1, b[base] == 13 else { continue }
            let cells = r.u16(base + 3)
            for c in 0..<cells {
                var p = base + r.u16(base + 8 + 2 * c)
                let size = Int(try r.varint(&p, end: base + r.pageSize))
                _ = try r.varint(&p, end: base + r.pageSize)
                let m = ((r.usable - 12) * 32 / 255) - 23
                guard size > 50_000 else { continue }   // dflint-test-pkg12's 93 KB header, in the Packages table
                let k = m + (size - m) % (r.usable - 4)
                let local = k <= r.usable - 35 ? k : m
                firstOverflow = (p + local, Int(RpmDB.be32(b, p + local)))
                break
            }
            if firstOverflow != nil { break }
        }
        let (ptr, ov) = try #require(firstOverflow)
        var loop = b
        Self.be32(&loop, (ov - 1) * r.pageSize, UInt32(ov))    // the overflow page's "next" is itself
        #expect(Self.read(loop).problems.contains { $0.contains("overflow page \(ov) is reached twice") }, "\(Self.read(loop).problems)")
        var off = b
        Self.be32(&off, ptr, 0x7fff_0000)                        // the chain starts outside the file
        #expect(Self.read(off).problems.contains { $0.contains("outside the file") })
        var short = b
        Self.be32(&short, (ov - 1) * r.pageSize, 0)              // the chain ends early
        #expect(Self.read(short).problems.contains { $0.contains("ends") || $0.contains("could not be decoded") }, "\(Self.read(short).problems)")
    }

    @Test func sqliteBadLengthsAndTruncation() throws {
        let b = try LocalRpmDB.bytes("rpmdb.sqlite")
        #expect(!Self.read(Array(b[0..<(b.count / 3)])).problems.isEmpty)
        var cells = b
        let h = 4096   // page 2, the Packages root
        cells[h + 3] = 0xff; cells[h + 4] = 0xff
        #expect(Self.read(cells).problems.contains { $0.contains("more than fit") })
        var page = b
        page[16] = 0; page[17] = 3
        #expect(Self.read(page).problems.contains { $0.contains("page size") })
        #expect(Self.read(Array(b[0..<50])).problems.contains { $0.contains("not a SQLite database") || $0.contains("no \"SQLite") })
    }

    @Test func berkeleyOverflowCycleAndBadLengths() throws {
        let b = try LocalRpmDB.bytes("Packages-1k")
        let ps = 1024
        let overflowPages = (1..<(b.count / ps)).filter { b[$0 * ps + 25] == 7 }
        #expect(overflowPages.count > 50)
        let pg = try #require(overflowPages.first { RpmDB.le32(b, $0 * ps + 16) != 0 })
        var loop = b
        Self.le32(&loop, pg * ps + 16, UInt32(pg))
        #expect(Self.read(loop).problems.contains { $0.contains("overflow page \(pg) is reached twice") }, "\(Self.read(loop).problems)")
        var long = b
        long[pg * ps + 22] = 0xff; long[pg * ps + 23] = 0xff
        #expect(Self.read(long).problems.contains { $0.contains("bad length") })
        var outside = b
        Self.le32(&outside, pg * ps + 16, 0x00ff_ffff)
        #expect(Self.read(outside).problems.contains { $0.contains("outside the file") })
        #expect(Self.read(Array(b[0..<(b.count / 2)])).problems.contains { $0.contains("truncated") })
        var entries = b
        let hashPage = try #require((1..<(b.count / ps)).first { b[$0 * ps + 25] == 13 || b[$0 * ps + 25] == 2 })
        entries[hashPage * ps + 20] = 0xfe; entries[hashPage * ps + 21] = 0x7f
        #expect(Self.read(entries).problems.contains { $0.contains("claims") })
    }

    @Test func ndbBadBlobsAndSlots() throws {
        let b = try LocalRpmDB.bytes("Packages.db")
        var flipped = b
        flipped[4096 + 100] ^= 0x01                  // inside the first blob: its Adler-32 no longer matches
        #expect(Self.read(flipped).problems.contains { $0.contains("Adler-32") })
        var slot = b
        Self.le32(&slot, 32 + 8, 0x0fff_ffff)        // first slot's block offset far past the end
        #expect(Self.read(slot).problems.contains { $0.contains("outside the blob area") })
        var pages = b
        Self.le32(&pages, 12, 0x00ff_ffff)           // more slot pages than the file holds
        #expect(Self.read(pages).problems.contains { $0.contains("slot pages") })
        #expect(!Self.read(Array(b[0..<(b.count - 16)])).problems.isEmpty)
    }

    @Test func headerBlobsWithBadCounts() throws {
        let good = try #require(try BerkeleyHash(LocalRpmDB.bytes("Packages-16k")).values().first)
        #expect(try RpmDB.header(good).name.hasPrefix("dflint-test-pkg"))
        var il = good
        Self.be32(&il, 0, 0xffff_ffff)
        #expect(throws: RpmDBError.self) { _ = try RpmDB.header(il) }
        var dl = good
        Self.be32(&dl, 4, 0x7fff_ffff)
        #expect(throws: RpmDBError.self) { _ = try RpmDB.header(dl) }
        var offset = good
        Self.be32(&offset, 8 + 8, 0x7fff_ffff)       // first entry's data offset
        #expect(throws: RpmDBError.self) { _ = try RpmDB.header(offset) }
        #expect(throws: RpmDBError.self) { _ = try RpmDB.header(Array(good[0..<20])) }
        // Random bytes as every kind of database.
        for seed in 1...200 {
            let junk = sampleBytes(count: 600 + seed * 37, seed: UInt64(seed), compressible: seed % 2 == 0)
            _ = RpmDB.read(junk, path: "/var/lib/rpm/rpmdb.sqlite", layer: 0)
            _ = try? RpmDB.header(junk)
            for magic in [Array("SQLite format 3".utf8) + [0], Array("RpmP".utf8)] {
                _ = Self.read(magic + junk)
            }
        }
    }
}
