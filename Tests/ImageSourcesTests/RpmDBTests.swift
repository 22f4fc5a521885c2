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
